"""The README's "Use it with your rollup" snippet is the example project's test, verbatim."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "rollup_integration" / "tests" / "test_rollup_on_the_market.py"


def test_the_readme_shows_the_example_projects_test_as_it_is():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it with your rollup", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```\n", 1)[0]
    assert snippet == EXAMPLE.read_text()
