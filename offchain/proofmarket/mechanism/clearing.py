"""The one entry point that clears a round with the mechanism it names (docs/mechanism.md, all)."""

from __future__ import annotations

from typing import Callable

from proofmarket.mechanism.eip1559 import clear_eip1559
from proofmarket.mechanism.pay_as_bid import clear_pay_as_bid
from proofmarket.mechanism.proofphi import clear_proofphi
from proofmarket.mechanism.proofphi_v1 import clear_proofphi_v1
from proofmarket.mechanism.trade_reduction import clear_trade_reduction
from proofmarket.mechanism.types import MECHANISM_NAMES, InvalidRoundInputError, Outcome, RoundInput

MECHANISMS: dict[str, Callable[[RoundInput], Outcome]] = {
    "proofphi": clear_proofphi,
    "proofphi-v1": clear_proofphi_v1,
    "trade-reduction": clear_trade_reduction,
    "pay-as-bid": clear_pay_as_bid,
    "eip1559": clear_eip1559,
}


def clear_round(round_input: RoundInput) -> Outcome:
    """Clear ``round_input`` with ``round_input.mechanism``; a pure function of its input.

    Raises :class:`InvalidRoundInputError` on an unknown mechanism name.
    """
    clear = MECHANISMS.get(round_input.mechanism)
    if clear is None:
        raise InvalidRoundInputError("round", f"mechanism must be one of {', '.join(MECHANISM_NAMES)}", round_input.mechanism)
    return clear(round_input)
