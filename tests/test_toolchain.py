"""The offline toolchain: the pinned compiler answers py-solc-x, and anvil is on PATH."""

import os
import shutil
import subprocess

import solcx


def test_solcx_finds_the_pinned_compiler():
    versions = [str(version) for version in solcx.get_installed_solc_versions()]
    assert os.environ["SOLC_VERSION"] in versions


def test_solcx_compiles_with_evm_version_cancun():
    source = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\ncontract T { function f() external { assembly { tstore(0, 1) } } }"
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"T.sol": {"content": source}},
            "settings": {"evmVersion": "cancun", "outputSelection": {"*": {"*": ["evm.bytecode.object"]}}},
        },
        solc_version=os.environ["SOLC_VERSION"],
    )
    assert output["contracts"]["T.sol"]["T"]["evm"]["bytecode"]["object"]


def test_anvil_is_on_path():
    anvil = shutil.which("anvil")
    assert anvil is not None
    assert "anvil" in subprocess.run([anvil, "--version"], capture_output=True, text=True, check=True).stdout
