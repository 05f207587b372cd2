"""The offline toolchain: the pinned compiler answers py-solc-x, and anvil is on PATH (the
project's tools/anvil, which keeps no state dumps on disk)."""

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


def test_anvil_on_path_writes_no_old_states_to_disk(tmp_path, monkeypatch):
    """The anvil everything starts (tools/anvil) keeps no state dumps: left to its default,
    anvil writes a file per block older than its in-memory window into ~/.foundry/anvil/tmp
    (200 files for these 600 blocks), which filled CI's disk once."""
    from web3 import Web3

    from proofmarket.network import start_anvil

    assert os.path.realpath(shutil.which("anvil")).endswith("tools/anvil")
    monkeypatch.setenv("HOME", str(tmp_path))  # anvil's state cache lives under $HOME/.foundry
    with start_anvil() as url:
        web3 = Web3(Web3.HTTPProvider(url))
        assert "error" not in web3.provider.make_request("anvil_mine", [hex(600)])
        assert web3.eth.block_number == 600
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
