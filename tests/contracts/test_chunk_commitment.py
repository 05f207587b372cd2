"""The market's on-chain chunk commitment (PoseidonChunkCommitment, used by disputes) equals the
Python commitment the clearinghouse records and the circuit proves (docs/zk.md, "Commitment")."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proofmarket.chain.errors import ErrorDecoder
from proofmarket.chain.transactions import call_function
from proofmarket.zk.commitment import chunk_commitment
from proofmarket.zk.field import SCALAR_FIELD_ORDER

from .helpers import reverts


def commitment_contract(market):
    from proofmarket.chain.compiler import artifact

    compiled = artifact("PoseidonChunkCommitment")
    return market.web3.eth.contract(address=market.contract.functions.chunkCommitment().call(), abi=compiled.abi)


def test_commitment_contract_matches_the_python_commitment_on_edge_hashes(market):
    contract = commitment_contract(market)
    r = SCALAR_FIELD_ORDER
    edges = [b"\x00" * 32, b"\xff" * 32, r.to_bytes(32, "big"), (r - 1).to_bytes(32, "big"), (r + 1).to_bytes(32, "big")]
    for count in (1, 2, len(edges)):
        assert contract.functions.commitmentOf(edges[:count]).call() == chunk_commitment(edges[:count])


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=12))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_commitment_contract_matches_the_python_commitment(market, tx_hashes):
    assert commitment_contract(market).functions.commitmentOf(tx_hashes).call() == chunk_commitment(tx_hashes)


def test_commitment_contract_refuses_no_transactions(market):
    contract = commitment_contract(market)
    with reverts("NoTransactions"):
        call_function(contract.functions.commitmentOf([]), ErrorDecoder([contract.abi]))
