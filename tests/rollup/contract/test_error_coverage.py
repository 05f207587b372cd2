"""Every custom error of ReferenceRollup and PoseidonHasher is reached by some test of this directory."""

import re
from pathlib import Path

from proofmarket.chain.compiler import artifact


def test_every_custom_error_is_expected_by_a_test():
    names = {entry["name"] for name in ("ReferenceRollup", "PoseidonHasher") for entry in artifact(name).abi if entry["type"] == "error"}
    source = "\n".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    expected = set(re.findall(r"reverts\(\s*\"(\w+)\"", source))
    missing = sorted(names - expected)
    assert not missing, f"custom errors no test reaches: {missing}"
    assert len(names) >= 33
