"""The plumbing every typed contract client shares: signed transactions, calls and event logs,
with reverts decoded against the contract's ABI (and any other ABI whose errors can surface).

:class:`~proofmarket.chain.market.ProofMarketClient` and
:class:`~proofmarket.rollup.contract.RollupClient` build on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from .errors import ErrorDecoder
from .transactions import call_function, send_transaction


class ContractClient:
    """A deployed contract: transactions signed by the account passed, calls, event logs."""

    def __init__(self, web3: Web3, contract: Contract, extra_abis: Iterable[list[dict]] = ()):
        self.web3 = web3
        self.contract = contract
        self.errors = ErrorDecoder([contract.abi, *extra_abis])

    @property
    def address(self) -> str:
        return self.contract.address

    def _transact(
        self, sender: LocalAccount, function: str, *arguments: Any, value: int = 0, gas: int | None = None
    ) -> dict:
        """Sends ``function(*arguments)`` from ``sender`` and returns the receipt; a revert raises
        the decoded :class:`~proofmarket.chain.errors.ContractRevert`."""
        transaction: dict[str, Any] = {
            "to": self.address,
            "data": self.contract.encode_abi(function, args=list(arguments)),
            "value": value,
        }
        if gas is not None:
            transaction["gas"] = gas
        return send_transaction(self.web3, sender, transaction, self.errors)

    def _call(self, function_call: Any) -> Any:
        return call_function(function_call, self.errors)

    def events(self, receipt: dict, name: str) -> list[dict[str, Any]]:
        """The arguments of each ``name`` event the contract emitted in ``receipt``, in log order."""
        from web3.logs import DISCARD

        event = getattr(self.contract.events, name)()
        return [dict(log["args"]) for log in event.process_receipt(receipt, errors=DISCARD)]
