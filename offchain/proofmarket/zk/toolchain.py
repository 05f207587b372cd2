"""Running node, circom2 and snarkjs: the pinned npm packages in the repository's ``node_modules``.

Every slow tool runs in a child process with its output captured; a failure becomes a
:class:`ZkCommandFailed` that names the step and keeps the tool's last lines of output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from proofmarket.chain.paths import REPOSITORY_ROOT
from proofmarket.exceptions import ZkError

#: How many trailing lines of a failed tool's output an error keeps.
ERROR_TAIL_LINES = 12


class ZkToolchainMissing(ZkError):
    """node, or one of the pinned npm packages, is not installed."""

    def __init__(self, what: str, hint: str = "run `make install`"):
        self.what = what
        super().__init__(f"{what} not found: {hint}")


class ZkCommandFailed(ZkError):
    """A step run through node (circom2, snarkjs, the prover script) failed."""

    def __init__(self, step: str, returncode: int, output: str):
        self.step = step
        self.returncode = returncode
        self.output = output
        tail = "\n".join(output.strip().splitlines()[-ERROR_TAIL_LINES:])
        super().__init__(f"{step} failed (exit code {returncode})" + (f":\n{tail}" if tail else ""))


def node_modules_directory() -> Path:
    """The npm packages: ``$PROOFMARKET_NODE_MODULES`` or ``node_modules/`` of the repository."""
    return Path(os.environ.get("PROOFMARKET_NODE_MODULES", REPOSITORY_ROOT / "node_modules"))


def node_executable() -> str:
    """The ``node`` on PATH; raises :class:`ZkToolchainMissing` if there is none."""
    node = shutil.which("node")
    if node is None:
        raise ZkToolchainMissing("node (Node.js 20)", "install Node.js and put `node` on PATH")
    return node


def package_directory(name: str) -> Path:
    """The installed npm package ``name``; raises :class:`ZkToolchainMissing` if it is absent."""
    directory = node_modules_directory() / name
    if not (directory / "package.json").is_file():
        raise ZkToolchainMissing(f"npm package {name} (in {node_modules_directory()})")
    return directory


def package_version(name: str) -> str:
    """The version of the installed npm package ``name``."""
    return json.loads((package_directory(name) / "package.json").read_text())["version"]


def run_node(
    step: str,
    arguments: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout_seconds: float | None = None,
) -> str:
    """Run ``node arguments...`` and return its standard output.

    ``step`` names what runs, for the error. Raises :class:`ZkCommandFailed` if node exits
    non-zero or runs past ``timeout_seconds``.
    """
    command = [node_executable(), *(str(argument) for argument in arguments)]
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        output = (error.stdout or "") + (error.stderr or "")
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        raise ZkCommandFailed(step, -1, f"timed out after {timeout_seconds} s\n{output}") from None
    if completed.returncode != 0:
        raise ZkCommandFailed(step, completed.returncode, completed.stdout + completed.stderr)
    return completed.stdout


def run_circom(step: str, arguments: Sequence[str | Path]) -> str:
    """Run the circom2 compiler (WebAssembly circom) with ``arguments``.

    circom2 sees only its working directory and that directory's parents, so it runs from the
    filesystem root and every path argument must be absolute.
    """
    cli = package_directory("circom2") / "cli.js"
    return run_node(step, [cli, *arguments], cwd=Path(os.path.abspath(os.sep)))


def run_snarkjs(step: str, arguments: Sequence[str | Path]) -> str:
    """Run the snarkjs command line with ``arguments``."""
    return run_node(step, [package_directory("snarkjs") / "cli.js", *arguments])
