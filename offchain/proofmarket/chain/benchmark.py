"""Gas benchmark of ``ProofMarket.sol`` (the issue's "Gas report"; ``make gas``).

Runs every money-moving operation once through :class:`~proofmarket.chain.market.ProofMarketClient`
on a chain given as a ``web3.Web3`` (the default is an in-process eth-tester chain on the Cancun
fork, the EVM version the contract is compiled for) and reads ``gasUsed`` from the receipts,
which includes the 21,000 base cost and calldata.

Settlement is measured with 1, 10 and 100 included bids and 1 and 4 provers. Every bid comes
from a different user, so each bid pays for a cold escrow slot: the worst case. The marginal
gas per included bid is ``(gas(100 bids) - gas(10 bids)) / 90`` at a fixed number of provers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from proofmarket.exceptions import ChainError

from .compiler import artifact
from .market import (
    MARKET_CONTRACT,
    ChunkAssignment,
    IncludedBid,
    MarketConfig,
    ProofMarketClient,
    deploy_development_verifier,
    development_proof,
)
from .transactions import send_transaction
from .typed_data import AskMessage, BidMessage

BID_COUNTS = (1, 10, 100)
PROVER_COUNTS = (1, 4)
CONSTRAINTS_PER_BID = 1_000
MAX_FEE_PER_BID = 2_000_000  # wei: 2,000 wei per constraint
UNIT_COST = 1_000  # wei per constraint
COLLATERAL_PER_CONSTRAINT = 10
PROVER_CAPACITY = 200_000


@dataclass
class GasReport:
    """Gas used per operation, in table order, and the marginal gas per included bid."""

    rows: list[tuple[str, int | None]] = field(default_factory=list)
    marginal_by_provers: dict[int, int] = field(default_factory=dict)

    @property
    def marginal_per_bid(self) -> int:
        """The worst marginal figure over the prover counts measured."""
        return max(self.marginal_by_provers.values())

    def format_table(self) -> str:
        """The table, then ``marginal gas per included bid: N`` as the last line."""
        width = max(len(name) for name, _ in self.rows)
        lines = [f"{'operation'.ljust(width)}  {'gas':>10}", f"{'-' * width}  {'-' * 10}"]
        for name, gas in self.rows:
            lines.append(f"{name.ljust(width)}  {('n/a' if gas is None else f'{gas:,}'):>10}")
        for provers, marginal in sorted(self.marginal_by_provers.items()):
            lines.append(f"marginal gas per included bid, {provers} prover(s), 10->100 bids: {marginal:,}")
        lines.append(f"marginal gas per included bid: {self.marginal_per_bid}")
        return "\n".join(lines)


def embedded_cancun_web3() -> tuple[Web3, LocalAccount]:
    """An in-process eth-tester chain on the Cancun fork, and a funded account on it."""
    from eth.vm.forks import CancunVM
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider

    backend = PyEVMBackend(vm_configuration=((0, CancunVM),))
    web3 = Web3(EthereumTesterProvider(EthereumTester(backend)))
    funder = Account.from_key(backend.account_keys[0].to_bytes())
    return web3, funder


def _bench_account(label: str, index: int) -> LocalAccount:
    return Account.from_key(keccak(f"proofmarket gas benchmark {label} {index}".encode()))


def _fund(web3: Web3, funder: LocalAccount, accounts: list[LocalAccount], amount: int) -> None:
    for account in accounts:
        send_transaction(web3, funder, {"to": account.address, "value": amount, "gas": 21_000})


def _advance(web3: Web3, funder: LocalAccount, blocks: int) -> None:
    """Mines ``blocks`` blocks: ``evm_mine`` where the node has it, else empty self-transfers."""
    for _ in range(blocks):
        try:
            response = web3.provider.make_request("evm_mine", [])
            if "error" in response:
                raise ChainError(str(response["error"]))
        except Exception:
            send_transaction(web3, funder, {"to": funder.address, "value": 0, "gas": 21_000})


def run_gas_benchmark(web3: Web3, funder: LocalAccount) -> GasReport:
    """Measures every operation of the table on ``web3``, paying from ``funder``."""
    report = GasReport()
    users = [_bench_account("user", index) for index in range(max(BID_COUNTS))]
    provers = [_bench_account("prover", index) for index in range(max(PROVER_COUNTS))]
    owner, clearinghouse, treasury, reporter = (_bench_account(role, 0) for role in ("owner", "clearinghouse", "treasury", "reporter"))
    _fund(web3, funder, [owner, clearinghouse, reporter, *provers], 10**20)
    _fund(web3, funder, users, 10**18)

    verifier = deploy_development_verifier(web3, owner)
    config = MarketConfig(
        clearinghouse=clearinghouse.address,
        treasury=treasury.address,
        verifier=verifier,
        genesis_block=web3.eth.block_number,
        round_length_blocks=1,
        proving_window_blocks=2,
        exit_delay_blocks=1,
        capacity_per_round=10**12,
        reserve_per_constraint=1,
        collateral_per_constraint=COLLATERAL_PER_CONSTRAINT,
        reporter_share_bps=1_000,
    )
    market, deploy_gas = _deploy_market_measured(web3, owner, config)
    report.rows.append(("deploy ProofMarket", deploy_gas))

    deposits = [market.deposit(user, 10**17)["gasUsed"] for user in users]
    report.rows.append(("deposit (first, cold slot)", deposits[0]))
    registrations = [
        market.register_prover(prover, PROVER_CAPACITY, COLLATERAL_PER_CONSTRAINT * PROVER_CAPACITY * 4)["gasUsed"]
        for prover in provers
    ]
    report.rows.append(("registerProver", registrations[0]))

    signed = _Signer(market)
    settle_gas: dict[tuple[int, int], int] = {}
    proof_gas = 0
    slash_rounds: list[tuple[int, list[ChunkAssignment]]] = []
    nonce = 0
    for prover_count in PROVER_COUNTS:
        for bid_count in BID_COUNTS:
            if bid_count < prover_count:
                continue
            _advance(web3, funder, 1)
            round_id = market.current_round() - 1
            bids, chunks = signed.round(round_id, users[:bid_count], provers[:prover_count], nonce)
            nonce += 1
            receipt = market.settle_round(clearinghouse, round_id, keccak(b"inputs"), (2_000, 1), bids, chunks)
            settle_gas[(bid_count, prover_count)] = receipt["gasUsed"]
            if (bid_count, prover_count) == (10, 1):
                proof = development_proof(chunks[0].commitment, provers[0].address)
                proof_gas = market.submit_proof(provers[0], round_id, 0, proof)["gasUsed"]
            if prover_count == 4 and bid_count == 100:
                slash_rounds.append((round_id, chunks))
            if (bid_count, prover_count) == (1, 1):
                slash_rounds.append((round_id, chunks))
    for prover_count in PROVER_COUNTS:
        for bid_count in BID_COUNTS:
            report.rows.append(
                (f"settleRound {bid_count} bid(s), {prover_count} prover(s)", settle_gas.get((bid_count, prover_count)))
            )
    for prover_count in PROVER_COUNTS:
        report.marginal_by_provers[prover_count] = round(
            (settle_gas[(100, prover_count)] - settle_gas[(10, prover_count)]) / 90
        )

    report.rows.append(("submitProof (development verifier)", proof_gas))

    _advance(web3, funder, config.proving_window_blocks + 1)
    for round_id, chunks in slash_rounds:
        refunds = market.refunds_from_settlement(round_id)[0]
        gas = market.slash(reporter, round_id, 0, refunds)["gasUsed"]
        report.rows.append((f"slash ({len(refunds)} refund(s))", gas))
    report.rows.append(("withdraw", market.withdraw(users[0], 10**15)["gasUsed"]))
    return report


def _deploy_market_measured(
    web3: Web3, owner: LocalAccount, config: MarketConfig
) -> tuple[ProofMarketClient, int]:
    """Deploys the market as :func:`deploy_market` does, keeping the receipt's gas."""
    compiled = artifact(MARKET_CONTRACT)
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    transaction = {"data": factory.constructor(owner.address, config.to_abi()).data_in_transaction}
    receipt = send_transaction(web3, owner, transaction)
    contract = web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
    return ProofMarketClient(web3, contract), receipt["gasUsed"]


class _Signer:
    """Builds signed bids and asks of one round, split into contiguous chunks."""

    def __init__(self, market: ProofMarketClient):
        self.market = market

    def round(
        self, round_id: int, users: list[LocalAccount], provers: list[LocalAccount], nonce: int
    ) -> tuple[list[IncludedBid], list[ChunkAssignment]]:
        bids = []
        for index, user in enumerate(users):
            bid = BidMessage(
                user=user.address,
                tx_hash=keccak(f"tx {round_id} {index}".encode()),
                constraints=CONSTRAINTS_PER_BID,
                max_fee=MAX_FEE_PER_BID,
                round=round_id,
                nonce=nonce,
            )
            bids.append(IncludedBid(bid, self.market.sign_bid(user, bid), MAX_FEE_PER_BID))
        chunks = []
        base, extra = divmod(len(users), len(provers))
        for index, prover in enumerate(provers):
            bid_count = base + (1 if index < extra else 0)
            ask = AskMessage(prover=prover.address, unit_cost=UNIT_COST, round=round_id, nonce=nonce)
            chunks.append(
                ChunkAssignment(
                    ask=ask,
                    ask_signature=self.market.sign_ask(prover, ask),
                    bid_count=bid_count,
                    payment=UNIT_COST * CONSTRAINTS_PER_BID * bid_count,
                    commitment=keccak(f"chunk {round_id} {index}".encode()),
                )
            )
        return bids, chunks
