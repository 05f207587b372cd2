"""Connections to a chain: an RPC URL, or a devnet opened through ape (embedded or anvil).

``open_devnet("embedded")`` is ape's ``ethereum:local:test`` (eth-tester on py-evm, in-process,
nothing to start); ``open_devnet("anvil")`` is ``ethereum:local:foundry`` (ape-foundry starts the
anvil binary from the npm package). Both fund the same ten accounts from the test mnemonic in
ape-config.yaml, returned here as eth-account signers.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from proofmarket.exceptions import ChainError, UserInputError

Account.enable_unaudited_hdwallet_features()

#: The devnets' mnemonic (ape's default test mnemonic, set in ape-config.yaml too).
DEVNET_MNEMONIC = "test test test test test test test test test test test junk"

DEVNETS = {"embedded": "ethereum:local:test", "anvil": "ethereum:local:foundry"}


def devnet_account(index: int) -> LocalAccount:
    """Account ``index`` of the devnet mnemonic (funded on both devnets for indexes 0-9)."""
    return Account.from_mnemonic(DEVNET_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def account_from_key(private_key: str) -> LocalAccount:
    """An eth-account signer from a 0x-hex private key; a one-line error if it is malformed."""
    try:
        return Account.from_key(private_key)
    except Exception as error:  # noqa: BLE001 - eth-account raises several types
        raise UserInputError(f"invalid private key: {error}") from None


def connect(rpc_url: str) -> Web3:
    """A web3 connection to ``rpc_url``; raises :class:`ChainError` if no node answers."""
    # The chain id never changes under a connection; web3 asks for it before every contract call
    # it validates (an extra request each): cache that one answer.
    provider = HTTPProvider(
        rpc_url, request_kwargs={"timeout": 60}, cache_allowed_requests=True, cacheable_requests={"eth_chainId"}
    )
    web3 = Web3(provider)
    try:
        web3.eth.chain_id
    except Exception as error:  # noqa: BLE001 - connection errors vary by transport
        raise ChainError(f"no Ethereum node answers at {rpc_url}: {error}") from None
    return web3


def serialize_requests(web3: Web3) -> Web3:
    """Make every request of ``web3``'s provider go one at a time.

    The embedded devnet runs in this process and is not thread-safe; the API thread and the
    round loop share it. Harmless (if slower) for HTTP providers.
    """
    provider = web3.provider
    if getattr(provider, "_proofmarket_serialized", False):
        return web3
    lock = threading.RLock()
    make_request = provider.make_request

    def locked_make_request(method, params):
        with lock:
            return make_request(method, params)

    provider.make_request = locked_make_request  # type: ignore[method-assign]
    provider._proofmarket_serialized = True  # type: ignore[attr-defined]
    return web3


def mine_blocks(web3: Web3, count: int) -> None:
    """Mine ``count`` empty blocks on a devnet (``anvil_mine`` on anvil, ``evm_mine`` elsewhere)."""
    if count <= 0:
        return
    response = web3.provider.make_request("anvil_mine", [hex(count)])
    if "error" not in response:
        return
    for _ in range(count):
        response = web3.provider.make_request("evm_mine", [])
        if "error" in response:
            raise ChainError(f"this node cannot mine on request: {response['error']}")


@contextmanager
def open_devnet(name: str) -> Iterator[Web3]:
    """Start (or attach to) devnet ``name`` ("embedded" or "anvil") for the ``with`` block."""
    if name not in DEVNETS:
        raise UserInputError(f"unknown devnet {name!r}: choose one of {', '.join(DEVNETS)}")
    from ape import networks

    with networks.parse_network_choice(DEVNETS[name]) as provider:
        yield provider.web3


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def anvil_binary() -> str:
    """The anvil executable: on ``PATH`` (``make install`` puts ``tools/anvil`` there as
    ``.venv/bin/anvil``), else the repository's ``tools/anvil`` itself. ``tools/anvil`` runs the
    pinned npm binary without writing old states to disk."""
    import shutil

    from proofmarket.chain.paths import REPOSITORY_ROOT

    found = shutil.which("anvil") or shutil.which("anvil", path=str(REPOSITORY_ROOT / "tools"))
    if found is None:
        raise ChainError("anvil not found on PATH nor as tools/anvil: run `make install`")
    return found


@contextmanager
def start_anvil(
    accounts: int = 10,
    gas_limit: int | None = None,
    hardfork: str = "cancun",
    extra_arguments: tuple[str, ...] = (),
    startup_seconds: float = 30.0,
) -> Iterator[str]:
    """Run a fresh anvil on a free loopback port for the ``with`` block; yields its RPC URL.

    Its accounts are the devnet mnemonic's first ``accounts`` (so :func:`devnet_account` signers
    are funded), it mines a block per transaction, and it runs the EVM version the contract is
    compiled for. ``gas_limit`` raises the block gas limit (anvil's default is 30,000,000). The
    node runs in its own process group, so Ctrl-C reaches only this process, which then stops
    the node on the way out, as it does on any error.
    """
    import subprocess
    import tempfile
    import time

    port = free_loopback_port()
    command = [
        anvil_binary(), "--host", "127.0.0.1", "--port", str(port), "--mnemonic", DEVNET_MNEMONIC,
        "--accounts", str(accounts), "--hardfork", hardfork, "--silent",
    ]
    if gas_limit is not None:
        command += ["--gas-limit", str(gas_limit)]
    command += list(extra_arguments)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    output.seek(0)
                    said = output.read().decode(errors="replace").strip()[-500:]
                    raise ChainError(f"anvil exited with code {process.returncode} at start: {said or 'no output'}")
                try:
                    connect(url)
                    break
                except ChainError:
                    if time.monotonic() > deadline:
                        raise ChainError(f"anvil did not answer at {url} within {startup_seconds:.0f} s") from None
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
