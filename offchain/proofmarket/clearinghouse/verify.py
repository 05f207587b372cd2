"""``verify-round``: re-clear a round from its published input and compare with what settled.

Anyone can run it: the input file is published by the clearinghouse, its hash is stored
on-chain by ``settleRound``, and the settled allocation is in the settlement transaction. The
clearinghouse can choose a different allocation than the mechanism's and the contract would not
notice (README.md, "What the contract cannot check, and who does"); this comparison does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import input_hash, parse_round


@dataclass(frozen=True)
class SettledChunk:
    ask_digest: str
    prover: str
    bid_digests: tuple[str, ...]
    payment_wei: int


@dataclass(frozen=True)
class SettledRound:
    """A round's settlement as the chain recorded it (decoded from the ``settleRound`` call)."""

    round_id: int
    input_hash: bytes
    price_numerator: int
    price_denominator: int
    charges_wei: tuple[tuple[str, int], ...]  # (bid digest, charge) in settlement order
    chunks: tuple[SettledChunk, ...]


@dataclass
class Verification:
    round_id: int
    differences: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.differences


def verify_round(input_document: str | bytes, settled: SettledRound) -> Verification:
    """Compare the settled round with the mechanism's outcome for the published input.

    Checks, in order: the input file's canonical hash equals the hash stored on-chain; the
    included bids (in order) and each charge; each chunk's ask, bids and payment; the price
    (as a fraction, compared exactly). Every difference found is listed, not just the first.
    """
    report = Verification(settled.round_id)
    round_input = parse_round(input_document)
    published_hash = input_hash(round_input)
    if published_hash != settled.input_hash:
        report.differences.append(
            f"input hash: the published file hashes to 0x{published_hash.hex()}, "
            f"the chain stores 0x{settled.input_hash.hex()}"
        )
    outcome = clear_round(round_input)
    expected_charges = [(bid_id, outcome.charges_wei[bid_id]) for bid_id in outcome.included_bid_ids]
    actual_charges = [(digest.lower(), charge) for digest, charge in settled.charges_wei]
    if [bid_id.lower() for bid_id, _ in expected_charges] != [digest for digest, _ in actual_charges]:
        report.differences.append(
            f"included bids: the mechanism includes {len(expected_charges)} bids, "
            f"the settlement {len(actual_charges)}, or in another order"
        )
    else:
        for (bid_id, expected), (_, actual) in zip(expected_charges, actual_charges):
            if expected != actual:
                report.differences.append(f"charge of bid {bid_id}: mechanism {expected} wei, settled {actual} wei")
    if len(outcome.chunks) != len(settled.chunks):
        report.differences.append(f"chunks: mechanism {len(outcome.chunks)}, settled {len(settled.chunks)}")
    for index, (expected, actual) in enumerate(zip(outcome.chunks, settled.chunks)):
        if expected.prover_id.lower() != actual.ask_digest.lower():
            report.differences.append(f"chunk {index}: mechanism assigns ask {expected.prover_id}, settled {actual.ask_digest}")
        if [b.lower() for b in expected.bid_ids] != [b.lower() for b in actual.bid_digests]:
            report.differences.append(f"chunk {index}: different bids")
        if expected.payment_wei != actual.payment_wei:
            report.differences.append(
                f"chunk {index}: mechanism pays {expected.payment_wei} wei, settled {actual.payment_wei} wei"
            )
    if outcome.price.num * settled.price_denominator != settled.price_numerator * outcome.price.den:
        report.differences.append(
            f"price: mechanism {outcome.price.num}/{outcome.price.den}, "
            f"settled {settled.price_numerator}/{settled.price_denominator}"
        )
    return report
