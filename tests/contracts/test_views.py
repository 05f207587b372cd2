"""Views a client needs: the round schedule, the EIP-712 domain, totals."""

from proofmarket.chain.market import deploy_market
from proofmarket.chain.typed_data import DOMAIN_NAME, DOMAIN_VERSION

from .helpers import ROUND_LENGTH_BLOCKS, reverts


def test_round_schedule_follows_genesis_and_length(market, config, rounds):
    genesis = config.genesis_block
    assert market.round_open_block(0) == genesis
    assert market.round_close_block(0) == genesis + ROUND_LENGTH_BLOCKS
    assert market.round_open_block(3) == genesis + 3 * ROUND_LENGTH_BLOCKS
    rounds.mine_to(genesis + 3 * ROUND_LENGTH_BLOCKS + 2)
    assert market.current_round() == 3
    rounds.mine_to(genesis + 4 * ROUND_LENGTH_BLOCKS)
    assert market.current_round() == 4


def test_current_round_reverts_before_genesis(web3, owner, config):
    later = config.replace(genesis_block=web3.eth.block_number + 100)
    market = deploy_market(web3, owner, later)
    with reverts("BeforeGenesis", genesisBlock=later.genesis_block):
        market.current_round()


def test_domain_matches_eip5267_and_the_python_separator(web3, market):
    fields, name, version, chain_id, verifying_contract, salt, extensions = market.contract.functions.eip712Domain().call()
    assert (fields, name, version) == (b"\x0f", DOMAIN_NAME, DOMAIN_VERSION)
    assert (chain_id, verifying_contract, salt, extensions) == (web3.eth.chain_id, market.address, b"\x00" * 32, [])
    assert market.domain_separator() == market.domain.separator


def test_unsettled_round_and_missing_chunk_read_as_zero(market):
    state = market.round(7)
    assert not state.settled and state.price is None and state.revenue == 0
    assert market.chunk(7, 0).prover == "0x" + "00" * 20


def test_totals_start_at_zero(market, ledger):
    totals = market.totals()
    assert (totals.balances, totals.reserved, totals.collateral, totals.burned) == (0, 0, 0, 0)
    assert market.is_solvent()
    ledger.assert_conservation()
