"""``proofmarket bench gas`` (``make gas``): the gas table of ``ProofMarket.sol``.

Runs every money-moving operation once through :class:`~proofmarket.chain.market.ProofMarketClient`
on a chain given as a ``web3.Web3`` (the default is an in-process eth-tester chain on the Cancun
fork, the EVM version the contract is compiled for) and reads ``gasUsed`` from the receipts,
which includes the 21,000 base cost and calldata.

Settlement is measured with 1, 10 and 100 included bids and 1 and 4 provers. Every bid comes
from a different user, so each bid pays for a cold escrow slot: the worst case. The marginal
gas per included bid is ``(gas(100 bids) - gas(10 bids)) / 90`` at a fixed number of provers.

:func:`measure_groth16_submit_proof_gas` (the table's ``submitProof gas (groth16)``, also the
last line of ``bench prove``) builds its market with the same accounts, funding, mining, config
and signed rounds; :func:`run_gas_benchmark` takes it as an argument, so the table runs without
snarkjs when the caller passes none (``--no-groth16``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from proofmarket.exceptions import ChainError

from proofmarket.chain.market import (
    MARKET_CONTRACT,
    ChunkAssignment,
    IncludedBid,
    MarketConfig,
    ProofMarketClient,
    ProofSubmission,
    deploy_development_verifier,
    deploy_market,
    development_proof,
    field_commitment,
)
from proofmarket.chain.transactions import deploy_with_libraries, intrinsic_gas, send_transaction
from proofmarket.chain.typed_data import AskMessage, BidMessage

BID_COUNTS = (1, 10, 100)
PROVER_COUNTS = (1, 4)
#: The benchmark market's numbers: each bid is 1,000 constraints at 2,000 wei per constraint.
CONSTRAINTS_PER_BID = 1_000
MAX_FEE_PER_BID = 2_000_000  # wei: 2,000 wei per constraint
UNIT_COST = 1_000  # wei per constraint
COLLATERAL_PER_CONSTRAINT = 10
PROVER_CAPACITY = 200_000

#: Measures ``submitProof`` with a real Groth16 proof on the chain given (:func:`measure_groth16_submit_proof_gas`).
Groth16SubmitProofGas = Callable[[Web3, LocalAccount], int]


@dataclass
class GasReport:
    """Gas used per operation, in table order, and the marginal gas per included bid."""

    rows: list[tuple[str, int | None]] = field(default_factory=list)
    marginal_by_provers: dict[int, int] = field(default_factory=dict)
    #: ``submitProof`` with a real one-segment Groth16 proof, if measured.
    groth16_submit_proof: int | None = None
    #: ``submitProofs`` of eight real one-segment Groth16 proofs, if measured.
    groth16_batched_proofs: BatchedProofGas | None = None

    @property
    def marginal_per_bid(self) -> int:
        """The worst marginal figure over the prover counts measured."""
        return max(self.marginal_by_provers.values())

    def format_table(self) -> str:
        """The table, ``submitProof gas (groth16): N`` if measured, then
        ``marginal gas per included bid: N`` as the last line."""
        width = max(len(name) for name, _ in self.rows)
        lines = [f"{'operation'.ljust(width)}  {'gas':>10}", f"{'-' * width}  {'-' * 10}"]
        for name, gas in self.rows:
            lines.append(f"{name.ljust(width)}  {('n/a' if gas is None else f'{gas:,}'):>10}")
        if self.groth16_submit_proof is not None:
            lines.append(f"submitProof gas (groth16): {self.groth16_submit_proof}")
        batched = self.groth16_batched_proofs
        if batched is not None:
            lines.append(f"gas per chunk proof, batched ({batched.chunks} chunks): {batched.per_chunk}")
            if batched.per_chunk > BATCHED_GOAL_PER_CHUNK:
                lines.append(f"  above the {BATCHED_GOAL_PER_CHUNK:,} goal; per chunk: {batched.breakdown()}")
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


def bench_account(label: str, index: int) -> LocalAccount:
    """The benchmark's account named ``label`` number ``index`` (a key derived from both)."""
    return Account.from_key(keccak(f"proofmarket gas benchmark {label} {index}".encode()))


def fund_accounts(web3: Web3, funder: LocalAccount, accounts: Sequence[LocalAccount], amount: int) -> None:
    """Sends ``amount`` wei from ``funder`` to each of ``accounts``."""
    for account in accounts:
        send_transaction(web3, funder, {"to": account.address, "value": amount, "gas": 21_000})


def mine_blocks(web3: Web3, funder: LocalAccount, blocks: int) -> None:
    """Mines ``blocks`` blocks: ``evm_mine`` where the node has it, else empty self-transfers."""
    for _ in range(blocks):
        try:
            response = web3.provider.make_request("evm_mine", [])
            if "error" in response:
                raise ChainError(str(response["error"]))
        except Exception:
            send_transaction(web3, funder, {"to": funder.address, "value": 0, "gas": 21_000})


def benchmark_config(web3: Web3, clearinghouse: str, treasury: str, verifier: str, **changes) -> MarketConfig:
    """The benchmark market's config, round 0 opening at the current block; ``changes`` replace fields."""
    config = MarketConfig(
        clearinghouse=clearinghouse,
        treasury=treasury,
        verifier=verifier,
        genesis_block=web3.eth.block_number,
        round_length_blocks=1,
        proving_window_blocks=2,
        exit_delay_blocks=1,
        capacity_per_round=10**12,
        reserve_per_constraint=1,
        collateral_per_constraint=COLLATERAL_PER_CONSTRAINT,
        reporter_share_bps=1_000,
        settlement_window_blocks=1_000,
    )
    return config.replace(**changes)


def _hash_of_transactions(tx_hashes: Sequence[bytes]) -> bytes:
    return field_commitment(b"".join(tx_hashes))


def signed_round(
    market: ProofMarketClient,
    round_id: int,
    users: Sequence[LocalAccount],
    provers: Sequence[LocalAccount],
    nonce: int,
    commit: Callable[[Sequence[bytes]], bytes] = _hash_of_transactions,
) -> tuple[list[IncludedBid], list[ChunkAssignment]]:
    """One bid per user (its own transaction, charged its max fee) and one ask per prover, split
    into contiguous chunks as evenly as possible; each chunk pays ``UNIT_COST`` per constraint
    and commits to its transactions with ``commit`` (the Groth16 benchmark passes the Poseidon
    chunk commitment)."""
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
        bids.append(IncludedBid(bid, market.sign_bid(user, bid), MAX_FEE_PER_BID))
    chunks = []
    base, extra = divmod(len(users), len(provers))
    start = 0
    for index, prover in enumerate(provers):
        bid_count = base + (1 if index < extra else 0)
        ask = AskMessage(prover=prover.address, unit_cost=UNIT_COST, round=round_id, nonce=nonce)
        chunks.append(
            ChunkAssignment(
                ask=ask,
                ask_signature=market.sign_ask(prover, ask),
                bid_count=bid_count,
                payment=UNIT_COST * CONSTRAINTS_PER_BID * bid_count,
                commitment=commit([included.bid.tx_hash for included in bids[start : start + bid_count]]),
            )
        )
        start += bid_count
    return bids, chunks


def run_gas_benchmark(
    web3: Web3,
    funder: LocalAccount,
    groth16_submit_proof: Groth16SubmitProofGas | None = None,
    groth16_batched_proofs: Callable[[Web3, LocalAccount], BatchedProofGas] | None = None,
) -> GasReport:
    """Measures every operation of the table on ``web3``, paying from ``funder``; with
    ``groth16_submit_proof`` (:func:`measure_groth16_submit_proof_gas`), also ``submitProof`` with
    a real proof, and with ``groth16_batched_proofs`` (:func:`measure_groth16_batched_proof_gas`)
    ``submitProofs`` of eight real proofs."""
    report = GasReport()
    users = [bench_account("user", index) for index in range(max(BID_COUNTS))]
    provers = [bench_account("prover", index) for index in range(max(PROVER_COUNTS))]
    owner, clearinghouse, treasury, reporter = (bench_account(role, 0) for role in ("owner", "clearinghouse", "treasury", "reporter"))
    fund_accounts(web3, funder, [owner, clearinghouse, reporter, *provers], 10**20)
    fund_accounts(web3, funder, users, 10**18)

    verifier = deploy_development_verifier(web3, owner)
    config = benchmark_config(web3, clearinghouse.address, treasury.address, verifier)
    market, deploy_gas = _deploy_market_measured(web3, owner, config)
    report.rows.append(("deploy ProofMarket", deploy_gas))

    deposits = [market.deposit(user, 10**17)["gasUsed"] for user in users]
    report.rows.append(("deposit (first, cold slot)", deposits[0]))
    registrations = [
        market.register_prover(prover, PROVER_CAPACITY, COLLATERAL_PER_CONSTRAINT * PROVER_CAPACITY * 4)["gasUsed"]
        for prover in provers
    ]
    report.rows.append(("registerProver", registrations[0]))

    settle_gas: dict[tuple[int, int], int] = {}
    proof_gas = batch_gas = 0
    slash_rounds: list[int] = []
    nonce = 0
    for prover_count in PROVER_COUNTS:
        for bid_count in BID_COUNTS:
            if bid_count < prover_count:
                continue
            mine_blocks(web3, funder, 1)
            round_id = market.current_round() - 1
            bids, chunks = signed_round(market, round_id, users[:bid_count], provers[:prover_count], nonce)
            nonce += 1
            receipt = market.settle_round(clearinghouse, round_id, keccak(b"inputs"), (2_000, 1), bids, chunks)
            settle_gas[(bid_count, prover_count)] = receipt["gasUsed"]
            if (bid_count, prover_count) == (10, 1):
                proof = development_proof(market.chunk(round_id, 0).statement(round_id, 0))
                proof_gas = market.submit_proof(provers[0], round_id, 0, proof)["gasUsed"]
            if (bid_count, prover_count) == (10, 4):
                batch_gas = market.submit_proofs(provers[0], _development_submissions(market, round_id, prover_count))["gasUsed"]
            if (bid_count, prover_count) in ((1, 1), (100, 4)):
                slash_rounds.append(round_id)
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
    report.rows.append(("submitProofs, 4 chunks (development verifier)", batch_gas))

    mine_blocks(web3, funder, config.proving_window_blocks + 1)
    for round_id in slash_rounds:
        refunds = market.refunds_from_settlement(round_id)[0]
        gas = market.slash(reporter, round_id, 0, refunds)["gasUsed"]
        report.rows.append((f"slash ({len(refunds)} refund(s))", gas))
    report.rows.append(("withdraw", market.withdraw(users[0], 10**15)["gasUsed"]))
    if groth16_submit_proof is not None:
        report.groth16_submit_proof = groth16_submit_proof(web3, funder)
    if groth16_batched_proofs is not None:
        report.groth16_batched_proofs = groth16_batched_proofs(web3, funder)
    return report


def _development_submissions(market: ProofMarketClient, round_id: int, chunk_count: int) -> list[ProofSubmission]:
    """The development verifier's proof of every chunk of the round, as ``submitProofs`` entries."""
    return [
        ProofSubmission(round_id, index, development_proof(market.chunk(round_id, index).statement(round_id, index)))
        for index in range(chunk_count)
    ]


def _deploy_market_measured(
    web3: Web3, owner: LocalAccount, config: MarketConfig
) -> tuple[ProofMarketClient, int]:
    """Deploys the market as :func:`deploy_market` does, keeping the gas of its deployment and
    of its library's (ProofBatches)."""
    contract, gas_used = deploy_with_libraries(web3, MARKET_CONTRACT, owner, owner.address, config.to_abi())
    return ProofMarketClient(web3, contract), gas_used


# ----------------------------------------------------------------------------- submitProof with Groth16


@dataclass(frozen=True)
class SubmitProofGas:
    """``submitProof``'s gas for a chunk of ``transactions`` proved in ``segments`` segments."""

    transactions: int
    segments: int
    proof_bytes: int
    gas_used: int


def measure_groth16_submit_proof_gas(web3: Web3, funder: LocalAccount, transactions: int = 1) -> SubmitProofGas:
    """Settle a one-chunk round of ``transactions`` bids, prove it for real, submit; return the gas.

    The proof is the prover's first payment (its balance goes from zero to non-zero), as for
    the development verifier's row of the gas table. ``funder`` pays for the accounts the
    benchmark uses (fresh ones on every call: they are derived from the current block number).
    Raises whatever the market, the chain layer or the prover raise if a step fails.
    """
    market, round_id, bids, (prover,) = _settled_groth16_round(web3, funder, chunk_count=1, transactions=transactions)
    proof = _prove_chunk(market, round_id, 0, bids)
    receipt = market.submit_proof(prover, round_id, 0, proof.encoded)
    return SubmitProofGas(
        transactions=transactions,
        segments=len(proof.segments),
        proof_bytes=len(proof.encoded),
        gas_used=int(receipt["gasUsed"]),
    )


#: The batch of the table's ``gas per chunk proof, batched`` line, and its goal.
BATCHED_CHUNKS = 8
BATCHED_GOAL_PER_CHUNK = 60_000
#: EIP-197 and EIP-1108 prices: a pairing check costs 45,000 + 34,000 per pair; an ecMul 6,000.
PAIRING_BASE_GAS = 45_000
PAIRING_PAIR_GAS = 34_000
EC_MUL_GAS = 6_000


@dataclass(frozen=True)
class BatchedProofGas:
    """``submitProofs`` of ``chunks`` one-segment Groth16 chunk proofs (one transaction each
    chunk, of different provers), and where its gas goes."""

    chunks: int
    gas_used: int
    #: 21,000 plus the transaction's calldata (EIP-2028).
    intrinsic_gas: int

    @property
    def per_chunk(self) -> int:
        return round(self.gas_used / self.chunks)

    @property
    def pairing_gas(self) -> int:
        """One pairing check of one pair per chunk (its segment) and three shared pairs."""
        return PAIRING_BASE_GAS + PAIRING_PAIR_GAS * (self.chunks + 3)

    @property
    def ec_mul_gas(self) -> int:
        """Two ecMul per segment but the first (w_0 = 1), then W·alpha, W·IC0, the next
        commitments' and the bindings' sums (the previous commitments are all 0)."""
        return EC_MUL_GAS * (2 * (self.chunks - 1) + 4)

    def breakdown(self) -> str:
        """Where the gas per chunk goes: pairings, ecMul, the transaction's intrinsic cost, and
        the rest (storage, the calls, the market's and the verifier's code)."""
        rest = self.gas_used - self.pairing_gas - self.ec_mul_gas - self.intrinsic_gas
        parts = {
            "pairings": self.pairing_gas,
            "ecMul": self.ec_mul_gas,
            "base + calldata": self.intrinsic_gas,
            "storage, calls, code": rest,
        }
        return ", ".join(f"{name} {round(gas / self.chunks):,}" for name, gas in parts.items())


def measure_groth16_batched_proof_gas(web3: Web3, funder: LocalAccount, chunks: int = BATCHED_CHUNKS) -> BatchedProofGas:
    """Settle a round of ``chunks`` one-transaction chunks (one prover each), prove every chunk
    for real (one segment each) and submit all the proofs in one ``submitProofs``; return its gas.

    Raises whatever the market, the chain layer or the prover raise if a step fails.
    """
    market, round_id, bids, provers = _settled_groth16_round(web3, funder, chunk_count=chunks, transactions=chunks)
    submissions = [
        ProofSubmission(round_id, index, _prove_chunk(market, round_id, index, bids[index : index + 1]).encoded)
        for index in range(chunks)
    ]
    receipt = market.submit_proofs(provers[0], submissions)
    transaction = web3.eth.get_transaction(receipt["transactionHash"])
    intrinsic = intrinsic_gas(bytes(transaction["input"]))
    return BatchedProofGas(chunks=chunks, gas_used=int(receipt["gasUsed"]), intrinsic_gas=intrinsic)


def _settled_groth16_round(
    web3: Web3, funder: LocalAccount, chunk_count: int, transactions: int
) -> tuple[ProofMarketClient, int, list[IncludedBid], list[LocalAccount]]:
    """A market with the real Groth16 verifier and a settled round of ``transactions`` bids in
    ``chunk_count`` chunks, one prover each, committed with the Poseidon chunk commitment.
    Returns the market, the round, its bids and the provers (fresh accounts, derived from the
    current block number and funded by ``funder``)."""
    from proofmarket.zk.commitment import chunk_commitment
    from proofmarket.zk.verifier import deploy_chunk_verifier

    salt = web3.eth.block_number
    owner, clearinghouse, treasury = (bench_account(f"groth16 {role}", salt) for role in ("owner", "clearinghouse", "treasury"))
    provers = [bench_account(f"groth16 prover {index}", salt) for index in range(chunk_count)]
    users = [bench_account(f"groth16 user {index}", salt) for index in range(transactions)]
    fund_accounts(web3, funder, [owner, clearinghouse, *provers, *users], 10**19)

    verifier = deploy_chunk_verifier(web3, owner)
    config = benchmark_config(web3, clearinghouse.address, treasury.address, verifier.address, proving_window_blocks=1_000)
    market = deploy_market(web3, owner, config)
    for user in users:
        market.deposit(user, MAX_FEE_PER_BID)
    capacity = CONSTRAINTS_PER_BID * transactions
    for prover in provers:
        market.register_prover(prover, capacity, COLLATERAL_PER_CONSTRAINT * capacity)

    mine_blocks(web3, funder, 1)
    round_id = market.current_round() - 1
    bids, chunks = signed_round(market, round_id, users, provers, nonce=0, commit=chunk_commitment)
    market.settle_round(clearinghouse, round_id, keccak(b"groth16 gas benchmark inputs"), (UNIT_COST, 1), bids, chunks)
    return market, round_id, bids, provers


def _prove_chunk(market: ProofMarketClient, round_id: int, chunk_index: int, bids: Sequence[IncludedBid]):
    """A real proof of the chunk's transactions (its ``bids``) for its recorded statement."""
    from proofmarket.zk.prover import prove_chunk_segments

    statement = market.chunk(round_id, chunk_index).statement(round_id, chunk_index)
    return prove_chunk_segments([included.bid.tx_hash for included in bids], statement.binding())
