"""CounterRollup on the prover market: users bid to have their transactions proven, the market's
provers prove each chunk, and the market calls the rollup back, which advances its state root.

The market runs in this process (proofmarket's pytest plugin): its contract with the development
verifier (NOT SECURE: instant test proofs that still bind the whole statement), its
clearinghouse behind the bid API, and its prover agents.
"""

import dataclasses

import pytest
from eth_utils import keccak

from proofmarket.chain.market import development_proof, statement_data_hash

GWEI = 10**9
GENESIS_ROOT = bytes(32)


class RollupModel:
    """The rollup's state off-chain: a chunk moves the root to keccak256(root ++ its transactions).

    ``statement_data`` is what the sequencer attaches to each settled chunk (the market calls it
    once per chunk, in chunk order): ``abi.encode(preStateRoot, postStateRoot)``."""

    def __init__(self, root: bytes = GENESIS_ROOT):
        self.root = root

    def statement_data(self, chunk) -> bytes:
        pre_state_root = self.root
        self.root = keccak(pre_state_root + b"".join(chunk.tx_hashes))
        return pre_state_root + self.root


@pytest.fixture
def deploy_rollup(proofmarket_contracts):
    """Deploys CounterRollup (contracts/CounterRollup.sol) for a market, at the genesis root."""

    def deploy(market_address):
        return proofmarket_contracts.deploy("CounterRollup", market_address, GENESIS_ROOT)

    return deploy


def bid_for_transactions(market, count: int) -> None:
    """``count`` bids of two users, 100 constraints each, at up to 5 gwei a constraint."""
    users = [market.new_user(), market.new_user()]
    for index in range(count):
        market.bid(users[index % 2], tx_hash=keccak(b"transfer %d" % index), max_fee=100 * 5 * GWEI, constraints=100)


def test_a_proven_round_advances_the_rollup(proofmarket_market, deploy_rollup):
    model = RollupModel()
    market = proofmarket_market(consumer=deploy_rollup, statement_data=model.statement_data, provers=3)
    bid_for_transactions(market, 10)

    result = market.run_round()

    assert len(result.chunks) == 2 and result.all_proven
    rollup = market.consumer
    assert rollup.functions.chunksApplied().call() == len(result.chunks)
    assert rollup.functions.stateRoot().call() == model.root
    assert market.client.round_proven(result.round_id)
    for chunk in result.chunks:
        assert market.client.proven_chunk(result.round_id, chunk.index) == (True, chunk.statement)


def test_a_proof_for_another_statement_is_refused(proofmarket_market, deploy_rollup):
    """A prover that proves a forged transition (another post-state root) is never accepted:
    its chunk is slashed at the deadline, its users refunded, and the rollup does not move."""
    model = RollupModel()

    def prove_forged_transition(request):
        forged_data = GENESIS_ROOT + keccak(b"a state the transactions do not lead to")
        forged = dataclasses.replace(request.statement, data_hash=statement_data_hash(forged_data))
        return development_proof(forged)

    market = proofmarket_market(consumer=deploy_rollup, statement_data=model.statement_data, prove=prove_forged_transition)
    bid_for_transactions(market, 2)

    result = market.run_round()

    assert [chunk.state for chunk in result.chunks] == ["slashed"]
    assert market.consumer.functions.chunksApplied().call() == 0
    assert market.consumer.functions.stateRoot().call() == GENESIS_ROOT
    for user in market.users:
        assert result.balances_after[user.address] == result.balances_before[user.address]


def test_a_failing_rollup_does_not_block_the_provers_payment(proofmarket_market, deploy_rollup):
    """The rollup refuses chunks that start from another root than its own; the proofs count and
    the provers are paid all the same."""
    model = RollupModel(root=keccak(b"a root the rollup is not at"))
    market = proofmarket_market(consumer=deploy_rollup, statement_data=model.statement_data)
    bid_for_transactions(market, 2)

    result = market.run_round()

    assert result.all_proven
    assert result.payments and all(paid > 0 for paid in result.payments.values())
    for prover, paid in result.payments.items():
        assert result.balances_after[prover] - result.balances_before[prover] == paid
    assert market.consumer.functions.chunksApplied().call() == 0
    failed = market.client.contract.events.ConsumerCallFailed.get_logs(from_block=market.deployment.deploy_block)
    assert len(failed) == len(result.chunks)
