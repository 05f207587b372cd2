"""EIP-712 typed data: the Python digests equal eth-account's and the contract's, byte for byte;
signing, recovery and the compact form; recovery is fast enough for the bid API."""

import time

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.chain.typed_data import (
    MAX_S,
    SECP256K1_N,
    TYPED_DATA_TYPES,
    AskMessage,
    BidMessage,
    Domain,
    InvalidSignature,
    InvalidTypedData,
    ask_digest,
    bid_digest,
    domain_data,
    recover_ask_signer,
    recover_bid_signer,
    recover_signer,
    sign_ask,
    sign_bid,
    to_compact,
)

UINT64 = st.integers(0, 2**64 - 1)
ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
BIDS = st.builds(
    BidMessage,
    user=ADDRESSES,
    tx_hash=st.binary(min_size=32, max_size=32),
    constraints=UINT64,
    max_fee=st.integers(0, 2**256 - 1),
    round=UINT64,
    nonce=UINT64,
)
ASKS = st.builds(AskMessage, prover=ADDRESSES, unit_cost=st.integers(0, 2**256 - 1), round=UINT64, nonce=UINT64)
DOMAINS = st.builds(Domain, chain_id=st.integers(1, 2**64), verifying_contract=ADDRESSES)


def _eth_account_digest(domain: Domain, primary_type: str, message: dict) -> bytes:
    types = {primary_type: TYPED_DATA_TYPES[primary_type]}
    signable = encode_typed_data(domain_data(domain), types, message)
    from eth_hash.auto import keccak

    return keccak(b"\x19" + signable.version + signable.header + signable.body)


@settings(max_examples=60, deadline=None)
@given(domain=DOMAINS, bid=BIDS)
def test_bid_digest_equals_eth_account(domain, bid):
    assert bid_digest(domain, bid) == _eth_account_digest(domain, "Bid", bid.to_typed_data())


@settings(max_examples=60, deadline=None)
@given(domain=DOMAINS, ask=ASKS)
def test_ask_digest_equals_eth_account(domain, ask):
    assert ask_digest(domain, ask) == _eth_account_digest(domain, "Ask", ask.to_typed_data())


def test_digests_equal_the_contracts(market, alice, prover_fast):
    extremes = [0, 1, 2**64 - 1]
    for value in extremes:
        bid = BidMessage(alice.address, bytes([value % 256]) * 32, value, value * 3 + 7, value, value)
        assert market.bid_digest(bid) == bid_digest(market.domain, bid)
        ask = AskMessage(prover_fast.address, 2**256 - 1 - value, value, value)
        assert market.ask_digest(ask) == ask_digest(market.domain, ask)


def test_sign_and_recover_bid_and_ask(alice, prover_fast):
    domain = Domain(chain_id=1337, verifying_contract="0x" + "11" * 20)
    bid = BidMessage(alice.address, b"\x01" * 32, 100, 5_000, 3, 0)
    signature = sign_bid(alice, domain, bid)
    assert len(signature) == 65 and signature[64] in (27, 28)
    assert recover_bid_signer(domain, bid, signature) == alice.address
    assert recover_bid_signer(domain, bid, b"".join(to_compact(signature))) == alice.address
    ask = AskMessage(prover_fast.address, 9, 3, 1)
    assert recover_ask_signer(domain, ask, sign_ask(prover_fast, domain, ask)) == prover_fast.address


def test_signature_equals_eth_account_sign_typed_data(alice):
    domain = Domain(chain_id=31337, verifying_contract="0x" + "22" * 20)
    bid = BidMessage(alice.address, b"\x02" * 32, 7, 70, 1, 2)
    theirs = Account.sign_typed_data(alice.key, domain_data(domain), {"Bid": TYPED_DATA_TYPES["Bid"]}, bid.to_typed_data())
    assert recover_bid_signer(domain, bid, bytes(theirs.signature)) == alice.address
    assert sign_bid(alice, domain, bid) == bytes(theirs.signature)


def test_recovery_rejects_high_s(alice):
    digest = b"\x03" * 32
    signature = Account._sign_hash(digest, alice.key).signature if hasattr(Account, "_sign_hash") else None
    from proofmarket.chain.typed_data import sign_digest

    signature = sign_digest(alice, digest)
    s = int.from_bytes(signature[32:64], "big")
    twin = signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    with pytest.raises(InvalidSignature, match="malleable"):
        recover_signer(digest, twin)
    assert SECP256K1_N - s > MAX_S


@pytest.mark.parametrize(
    "signature",
    [b"\x01" * 63, b"\x01" * 66, b"\x01" * 64 + b"\x05", b"\x00" * 32 + b"\x01" * 32 + b"\x1b"],
)
def test_recovery_rejects_malformed_signatures(signature):
    with pytest.raises(InvalidSignature):
        recover_signer(b"\x04" * 32, signature)


@pytest.mark.parametrize(
    ("field", "value"),
    [("user", "0x1234"), ("tx_hash", b"\x00" * 31), ("constraints", -1), ("max_fee", 2**256), ("round", 2**64), ("nonce", 1.0)],
)
def test_bid_message_rejects_out_of_range_fields(field, value):
    fields = {"user": "0x" + "aa" * 20, "tx_hash": b"\x00" * 32, "constraints": 1, "max_fee": 1, "round": 0, "nonce": 0}
    fields[field] = value
    with pytest.raises(InvalidTypedData, match=field):
        BidMessage(**fields)


def test_recovery_is_fast_enough_for_the_bid_api(alice):
    """The bid API must accept >= 2,000 signed bids per second on 2 cores: recovery (digest and
    signature) must take well under 1 ms on one core. Best of three batches of 500."""
    domain = Domain(chain_id=1, verifying_contract="0x" + "33" * 20)
    bids = [BidMessage(alice.address, index.to_bytes(32, "big"), 100, 10_000, 5, index) for index in range(500)]
    signed = [(bid, sign_bid(alice, domain, bid)) for bid in bids]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for bid, signature in signed:
            assert recover_bid_signer(domain, bid, signature) == alice.address
        best = min(best, time.perf_counter() - start)
    assert len(signed) / best >= 2_000, f"{len(signed) / best:.0f} recoveries per second"
