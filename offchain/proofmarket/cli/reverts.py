"""Contract reverts as sentences a user can act on.

``chain/errors.py`` decodes a revert into :class:`~proofmarket.chain.errors.ContractRevert`
(``InsufficientBalance(account=0x.., balance=5, amount=9)``); :func:`explain` turns the ones a
user can cause into one readable sentence and says whether it is the user's mistake (exit code
2) or not (exit code 1). The command group (``cli/main.py``) applies it to every command.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from proofmarket.exceptions import UserInputError


def wei_text(amount: int) -> str:
    """``1500000000000000000`` -> ``1500000000000000000 wei (1.5 ETH)``; small amounts in gwei."""
    if amount == 0:
        return "0 wei"
    if amount >= 10**15:
        unit = f"{(Decimal(amount) / 10**18).normalize():f} ETH"
    elif amount >= 10**6:
        unit = f"{(Decimal(amount) / 10**9).normalize():f} gwei"
    else:
        return f"{amount} wei"
    return f"{amount} wei ({unit})"


_CHUNK_STATUS = {0: "unassigned", 1: "pending", 2: "already proven", 3: "already slashed"}


def _chunk(arguments: dict[str, Any]) -> str:
    return f"chunk {arguments['chunkIndex']} of round {arguments['roundId']}"


#: error name -> (is the user's mistake, sentence from the decoded arguments)
_SENTENCES: dict[str, tuple[bool, Callable[[dict[str, Any]], str]]] = {
    "ZeroAmount": (True, lambda a: "the amount must be more than 0 wei"),
    "InsufficientBalance": (
        True,
        lambda a: f"insufficient escrow: {a['account']} has {wei_text(a['balance'])} to withdraw, "
        f"not {wei_text(a['amount'])}",
    ),
    "ProverAlreadyRegistered": (True, lambda a: f"{a['prover']} is already a registered prover: nothing to do"),
    "ZeroCapacity": (True, lambda a: "the capacity must be at least 1 constraint"),
    "ProverNotRegistered": (
        True, lambda a: f"{a['prover']} is not a registered prover: it has no collateral in the market",
    ),
    "ProverExiting": (
        True, lambda a: f"{a['prover']} has already requested its exit (in force from block {a['exitAvailableAt']})",
    ),
    "ProverNotExiting": (
        True, lambda a: f"{a['prover']} has not requested an exit: run `proofmarket exit` first",
    ),
    "ExitDelayNotPassed": (
        True,
        lambda a: f"the collateral of {a['prover']} is not withdrawable yet: it is from block {a['withdrawableAt']} "
        f"({a['withdrawableAt'] - a['currentBlock']} blocks after block {a['currentBlock']})",
    ),
    "CollateralLocked": (
        True,
        lambda a: f"insufficient free collateral: {wei_text(a['locked'])} of {a['prover']}'s collateral is locked "
        "in chunks not yet proven or slashed; it is withdrawable once they are",
    ),
    "InsufficientCollateral": (
        True,
        lambda a: f"insufficient collateral: {a['prover']} has {wei_text(a['collateral'])}, "
        f"{wei_text(a['required'])} is needed",
    ),
    "ChunkNotFound": (True, lambda a: f"round {a['roundId']} has no chunk {a['chunkIndex']}"),
    "ChunkNotPending": (True, lambda a: f"{_chunk(a)} is {_CHUNK_STATUS.get(a['status'], a['status'])}: nothing to slash"),
    "ProvingDeadlineNotPassed": (
        True,
        lambda a: f"{_chunk(a)} is not slashable yet: its proving deadline is block {a['deadline']}, so it can be "
        f"slashed from block {a['deadline'] + 1} (this is block {a['currentBlock']})",
    ),
    "BeforeGenesis": (
        True, lambda a: f"the market's first round opens at block {a['genesisBlock']} (this is block {a['currentBlock']})",
    ),
    "NotOwner": (True, lambda a: f"only the market's owner may do this, not {a['caller']}"),
    "NotClearinghouse": (True, lambda a: f"only the clearinghouse may do this, not {a['caller']}"),
    "MarketPaused": (False, lambda a: "the market is paused by its owner: try again once it is unpaused"),
    "EtherTransferFailed": (
        False, lambda a: f"the market could not send {wei_text(a['amount'])} to {a['to']} (does it refuse ETH?)",
    ),
}


def explain(error: Exception) -> tuple[str, int]:
    """The one-line message and exit code for ``error`` (a revert becomes a sentence)."""
    from proofmarket.chain.errors import ContractRevert

    if isinstance(error, UserInputError):
        return str(error), 2
    if isinstance(error, ContractRevert):
        known = _SENTENCES.get(error.error_name)
        if known is not None:
            is_users, sentence = known
            try:
                return sentence(error.arguments), 2 if is_users else 1
            except (KeyError, TypeError):  # an argument of another shape: keep the decoded form
                pass
        return f"the market contract refused: {error}", 1
    return " ".join(str(error).split()), 1
