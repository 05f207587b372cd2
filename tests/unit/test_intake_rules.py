"""validate_bid reads the chain (the user's escrow) only after every cheap rule and the signature
passed: a bid refused for its round, nonce, size, fee or signature costs no chain call (a batch of
1,000 such bids once cost 8 s of escrow reads)."""

from __future__ import annotations

import pytest
from eth_account import Account

from proofmarket.chain.typed_data import BidMessage, Domain, sign_bid
from proofmarket.clearinghouse.errors import BadSignature, BidBelowReserve, InsufficientEscrow, WrongRound
from proofmarket.clearinghouse.intake import SignedBid, validate_bid
from proofmarket.clearinghouse.ports import MarketParameters

DOMAIN = Domain(chain_id=31337, verifying_contract="0x5FbDB2315678afecb367f032d93F642f64180aa3")
PARAMETERS = MarketParameters(
    chain_id=31337, market_address=DOMAIN.verifying_contract, capacity=10_000, reserve_wei_per_constraint=2,
    collateral_wei_per_constraint=10, surplus_policy="treasury", genesis_block=0, round_length_blocks=20,
    proving_window_blocks=20, settlement_window_blocks=100,
)
USER = Account.from_key(b"\x11" * 32)


def signed(**changes) -> SignedBid:
    fields = dict(user=USER.address, tx_hash=b"\x22" * 32, constraints=100, max_fee=1_000, round=3, nonce=0) | changes
    message = BidMessage(**fields)
    return SignedBid(message, sign_bid(USER, DOMAIN, message))


class Escrow:
    """Counts the chain reads."""

    def __init__(self, wei: int):
        self.wei, self.reads = wei, []

    def __call__(self, user: str) -> int:
        self.reads.append(user)
        return self.wei


@pytest.mark.parametrize(
    ("bid", "error"),
    [
        (lambda: signed(round=4), WrongRound),
        (lambda: signed(max_fee=199), BidBelowReserve),
        (lambda: SignedBid(signed().message, sign_bid(Account.from_key(b"\x33" * 32), DOMAIN, signed().message)), BadSignature),
    ],
    ids=["wrong round", "below reserve", "bad signature"],
)
def test_a_refused_bid_reads_no_escrow(bid, error):
    escrow = Escrow(10**18)
    with pytest.raises(error):
        validate_bid(bid(), domain=DOMAIN, parameters=PARAMETERS, open_round=3, escrow_of=escrow)
    assert escrow.reads == []


def test_a_valid_bid_reads_its_users_escrow_once_and_needs_its_max_fee():
    escrow = Escrow(1_000)
    digest = validate_bid(signed(), domain=DOMAIN, parameters=PARAMETERS, open_round=3, escrow_of=escrow)
    assert digest.startswith("0x") and escrow.reads == [USER.address]
    with pytest.raises(InsufficientEscrow):
        validate_bid(signed(max_fee=1_001), domain=DOMAIN, parameters=PARAMETERS, open_round=3, escrow_of=Escrow(1_000))
