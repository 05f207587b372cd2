"""``proofmarket serve``'s roles: conflicting flags are one line and exit code 2, before anything
connects (the processes themselves run in tests/e2e/test_failover.py and test_serve.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from proofmarket.cli.main import main


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--api-only", "--loop-only"], "--api-only and --loop-only are mutually exclusive"),
        (["--api-only", "--standby"], "--standby is for the round loop"),
        (["--workers", "2"], "--workers needs --api-only"),
        (["--loop-only", "--workers", "3"], "--workers needs --api-only"),
    ],
)
def test_conflicting_roles_are_refused_in_one_line(arguments, message):
    result = CliRunner(mix_stderr=False).invoke(main, ["serve", *arguments, "--rpc", "http://127.0.0.1:1"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "\n" not in result.stderr.strip()
    assert message in result.stderr
