"""ContractRevert: the contract's custom errors decoded into readable messages on both devnets,
from gas estimation, from a mined failed transaction, and from a view call."""

import pytest
from eth_abi import encode

from proofmarket.chain.errors import ContractRevert, ErrorDecoder, revert_from_exception
from proofmarket.chain.transactions import TransactionFailed

from .helpers import reverts


@pytest.fixture
def greedy_settlement(rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    greedy = rounds.bid(alice, round_id, 300, 3_000, charge=3_001)
    rounds.close(round_id)
    return round_id, [greedy], [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)]


def test_revert_found_by_gas_estimation_is_decoded(market, rounds, greedy_settlement):
    round_id, bids, chunks = greedy_settlement
    digest = market.bid_digest(bids[0].bid)
    with pytest.raises(ContractRevert) as info:
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks)
    assert info.value.error_name == "ChargeExceedsMaxFee"
    assert info.value.arguments == {"bidDigest": digest, "charge": 3_001, "maxFee": 3_000}
    assert str(info.value) == f"ChargeExceedsMaxFee(bidDigest=0x{digest.hex()}, charge=3001, maxFee=3000)"
    assert info.value.transaction_hash is None


def test_revert_of_a_mined_transaction_is_decoded(web3, market, rounds, greedy_settlement):
    round_id, bids, chunks = greedy_settlement
    with reverts("ChargeExceedsMaxFee", charge=3_001) as info:
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks, gas=1_000_000)
    receipt = web3.eth.get_transaction_receipt(info.value.transaction_hash)
    assert receipt["status"] == 0


def test_out_of_gas_is_a_plain_transaction_failure(market, rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    rounds.close(round_id)
    bids = [rounds.bid(alice, round_id, 300, 3_000)]
    with pytest.raises(TransactionFailed, match="reverted"):
        market.settle_round(
            rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)], gas=60_000
        )


def test_revert_of_a_view_is_decoded(web3, owner, config):
    from proofmarket.chain.market import deploy_market

    genesis = web3.eth.block_number + 50
    market = deploy_market(web3, owner, config.replace(genesis_block=genesis))
    with reverts("BeforeGenesis", genesisBlock=genesis, currentBlock=web3.eth.block_number) as info:
        market.current_round()
    assert str(info.value) == f"BeforeGenesis(genesisBlock={genesis}, currentBlock={web3.eth.block_number})"


def test_decoder_names_enums_and_panics():
    decoder = ErrorDecoder(
        [[{"type": "error", "name": "ChunkNotPending", "inputs": [
            {"name": "roundId", "type": "uint64"},
            {"name": "chunkIndex", "type": "uint256"},
            {"name": "status", "type": "uint8", "internalType": "enum ChunkStatus"},
        ]}]]
    )
    from eth_hash.auto import keccak

    data = keccak(b"ChunkNotPending(uint64,uint256,uint8)")[:4] + encode(["uint64", "uint256", "uint8"], [3, 1, 2])
    assert str(decoder.decode(data)) == "ChunkNotPending(roundId=3, chunkIndex=1, status=Proven)"
    panic = keccak(b"Panic(uint256)")[:4] + encode(["uint256"], [0x11])
    assert str(decoder.decode(panic)) == "Panic(code=17): arithmetic overflow or underflow"
    assert decoder.decode(b"\xde\xad\xbe\xef").error_name == "UnknownError"
    assert decoder.decode(b"").error_name == "UnknownError"


def test_eth_tester_and_node_exceptions_decode_alike():
    from eth_tester.exceptions import TransactionFailed as TesterFailed
    from web3.exceptions import ContractCustomError

    decoder = ErrorDecoder([[{"type": "error", "name": "ZeroAmount", "inputs": []}]])
    from eth_hash.auto import keccak

    data = keccak(b"ZeroAmount()")[:4]
    from_tester = revert_from_exception(TesterFailed(f"execution reverted: {data!r}"), decoder)
    from_node = revert_from_exception(ContractCustomError("0x" + data.hex(), data="0x" + data.hex()), decoder)
    assert from_tester.error_name == from_node.error_name == "ZeroAmount"
    reason = revert_from_exception(TesterFailed("execution reverted: not allowed"), decoder)
    assert (reason.error_name, reason.arguments) == ("Error", {"message": "not allowed"})
    assert revert_from_exception(ValueError("unrelated"), decoder) is None
