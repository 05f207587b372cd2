"""Errors of the clearinghouse: why a bid or ask was refused, why a round step failed.

Each intake error maps to one HTTP status in the API (``status_code``) and keeps the offending
values as attributes.
"""

from __future__ import annotations

from proofmarket.exceptions import ClearinghouseError, UserInputError


class IntakeError(UserInputError, ClearinghouseError):
    """A signed bid or ask was refused. ``status_code`` is the HTTP status the API answers."""

    status_code = 422


class BadSignature(IntakeError):
    def __init__(self, kind: str, claimed: str, recovered: str | None):
        self.kind, self.claimed, self.recovered = kind, claimed, recovered
        super().__init__(f"bad signature: {kind} claims signer {claimed} but the signature recovers {recovered or 'nothing'}")


class WrongRound(IntakeError):
    def __init__(self, kind: str, given: int, open_round: int):
        self.kind, self.given, self.open_round = kind, given, open_round
        super().__init__(f"wrong round: {kind} is for round {given}, the open round is {open_round}")


class RoundClosed(IntakeError):
    """The round closed to intake (the clearinghouse began clearing it) before the bid or ask
    could be stored: nothing of the request was stored, so nothing was acknowledged."""

    def __init__(self, kind: str, round_id: int):
        self.kind, self.round_id = kind, round_id
        super().__init__(
            f"round closed: round {round_id} closed to intake before this {kind} was stored; nothing was stored, "
            f"sign it for the open round"
        )


class NonceTooLarge(IntakeError):
    """A nonce the clearinghouse cannot store: its database keeps nonces as signed 64-bit integers."""

    def __init__(self, kind: str, nonce: int, largest: int):
        self.kind, self.nonce, self.largest = kind, nonce, largest
        super().__init__(f"nonce too large: this {kind}'s nonce {nonce} is over {largest}")


class InsufficientEscrow(IntakeError):
    status_code = 402

    def __init__(self, user: str, max_fee_wei: int, escrow_wei: int):
        self.user, self.max_fee_wei, self.escrow_wei = user, max_fee_wei, escrow_wei
        super().__init__(f"insufficient escrow: {user} bids up to {max_fee_wei} wei but has {escrow_wei} wei in escrow")


class BidOverCapacity(IntakeError):
    def __init__(self, constraints: int, capacity: int):
        self.constraints, self.capacity = constraints, capacity
        super().__init__(f"bid too large: {constraints} constraints exceed the round capacity {capacity}")


class BidBelowReserve(IntakeError):
    def __init__(self, max_fee_wei: int, constraints: int, reserve_wei_per_constraint: int):
        self.max_fee_wei, self.constraints, self.reserve = max_fee_wei, constraints, reserve_wei_per_constraint
        minimum = reserve_wei_per_constraint * constraints
        super().__init__(
            f"bid below reserve: a max fee of {max_fee_wei} wei ({_gwei(max_fee_wei)}) for {constraints} constraints is "
            f"under the reserve of {_gwei(reserve_wei_per_constraint)} per constraint: bid at least {minimum} wei "
            f"({_gwei(minimum)})"
        )


def _gwei(wei: int) -> str:
    """``1500000000`` -> ``1.5 gwei``, exactly."""
    from decimal import Decimal

    return f"{(Decimal(wei) / 10**9).normalize():f} gwei"


class UnknownProver(IntakeError):
    def __init__(self, prover: str):
        self.prover = prover
        super().__init__(f"unknown prover: {prover} is not registered")


class ProverExiting(IntakeError):
    def __init__(self, prover: str):
        self.prover = prover
        super().__init__(f"prover exiting: {prover} requested exit and cannot bid")


class InsufficientCollateral(IntakeError):
    status_code = 402

    def __init__(self, prover: str, free_collateral_wei: int, required_wei: int):
        self.prover, self.free_collateral_wei, self.required_wei = prover, free_collateral_wei, required_wei
        super().__init__(
            f"insufficient collateral: {prover} has {free_collateral_wei} wei free, its capacity needs {required_wei} wei"
        )


class DuplicateSubmission(IntakeError):
    status_code = 409

    def __init__(self, kind: str, digest: str):
        self.kind, self.digest = kind, digest
        super().__init__(f"duplicate: this {kind} ({digest}) was already accepted")


class ConflictingAsk(IntakeError):
    """A prover's ask that is not above its latest ask in the round: the latest ask counts, so a
    new one must carry a higher nonce."""

    status_code = 409

    def __init__(self, prover: str, round_id: int, nonce: int, latest_nonce: int, latest_digest: str):
        self.prover, self.round_id, self.nonce = prover, round_id, nonce
        self.latest_nonce, self.latest_digest = latest_nonce, latest_digest
        relation = "the same nonce as" if nonce == latest_nonce else "a lower nonce than"
        super().__init__(
            f"ask not the latest: prover {prover}'s ask {latest_digest} for round {round_id} has nonce {latest_nonce}, "
            f"and this one has {relation} it ({nonce}); the latest ask counts: sign a new one with a higher nonce"
        )


class RoundNotFound(ClearinghouseError):
    def __init__(self, round_id: int, what: str = "round"):
        self.round_id = round_id
        super().__init__(f"no {what} for round {round_id}")


class SequencerMissing(IntakeError):
    """``POST /v1/transactions`` on a market without a sequencer: its bids carry only hashes."""

    status_code = 404

    def __init__(self):
        super().__init__(
            "this market has no sequencer: there are no transaction bodies to submit, a bid's txHash is all it takes"
        )


class TransactionBodyInvalid(IntakeError):
    """A transaction body the sequencer cannot read; the message says which rule failed."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"transaction body refused: {reason}")


class SettlementFailed(ClearinghouseError):
    def __init__(self, round_id: int, reason: str):
        self.round_id, self.reason = round_id, reason
        super().__init__(f"round {round_id} could not be settled: {reason}")


class DatabaseUnavailable(UserInputError, ClearinghouseError):
    """The database URL is malformed, names a driver that is not installed, or cannot be reached.

    The URL is shown without its password."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"database {url}: {reason}")


class MarketMismatch(UserInputError, ClearinghouseError):
    """The database belongs to another market's clearinghouse (another chain, address or deploy)."""

    def __init__(self, url: str, recorded: str, wanted: str):
        self.url, self.recorded, self.wanted = url, recorded, wanted
        super().__init__(
            f"database {url} belongs to market {recorded}, not to market {wanted}: "
            f"give this market its own database (--database or $PROOFMARKET_HOME)"
        )


class RoundLoopLocked(UserInputError, ClearinghouseError):
    """Another clearinghouse process runs the round loop on this database."""

    def __init__(self, url: str, holder: str):
        self.url, self.holder = url, holder
        super().__init__(
            f"another clearinghouse runs the round loop on database {url} ({holder}); "
            f"two would settle the same rounds: stop it first, or give this one its own database"
        )
