// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ask} from "../types/Ask.sol";
import {Bid} from "../types/Bid.sol";
import {Chunk, ChunkStatus} from "../types/Chunk.sol";
import {ChunkAssignment} from "../types/ChunkAssignment.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";
import {CompactSignature} from "../types/CompactSignature.sol";
import {IncludedBid} from "../types/IncludedBid.sol";
import {MarketConfig} from "../types/MarketConfig.sol";
import {ProofSubmission} from "../types/ProofSubmission.sol";
import {Prover} from "../types/Prover.sol";
import {Refund} from "../types/Refund.sol";
import {Round} from "../types/Round.sol";
import {SurplusPolicy} from "../types/SurplusPolicy.sol";
import {Totals} from "../types/Totals.sol";

/// @title IProofMarket
/// @notice Settlement of the Prooφ prover market: escrow, prover registry and collateral, round
///         settlement bounded by on-chain checks, proof verification, slashing, pull withdrawals.
///         See README.md "One round" and docs/contract.md.
interface IProofMarket {
    // ------------------------------------------------------------------ events: owner and config

    /// @notice `newOwner` may now call `acceptOwnership`.
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);

    /// @notice Ownership moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The market's configuration is now `config` (emitted at construction too).
    event ConfigUpdated(MarketConfig config);

    /// @notice The owner paused deposits, registrations, postBid and settlement.
    event Paused(address indexed account);

    /// @notice The owner lifted the pause.
    event Unpaused(address indexed account);

    // ------------------------------------------------------------------ events: escrow and registry

    /// @notice `user` deposited `amount` into escrow; its balance is now `balance`.
    event Deposited(address indexed user, uint256 amount, uint256 balance);

    /// @notice `account` withdrew `amount` of its balance; `balance` is left.
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);

    /// @notice `prover` registered with `capacity` constraints per round and `collateral` wei.
    event ProverRegistered(address indexed prover, uint64 capacity, uint256 collateral);

    /// @notice `prover` added `amount` to its collateral, now `collateral`.
    event CollateralAdded(address indexed prover, uint256 amount, uint256 collateral);

    /// @notice `prover` changed its capacity from `previousCapacity` to `capacity`.
    event CapacityChanged(address indexed prover, uint64 previousCapacity, uint64 capacity);

    /// @notice `prover` asked for `capacity`, below its current one: rounds closing at or after
    ///         `effectiveAt` (the request block plus the exit delay) assign it at most `capacity`.
    event CapacityDecreaseRequested(address indexed prover, uint64 capacity, uint64 effectiveAt);

    /// @notice `prover` takes no new work and may withdraw its collateral from `exitAvailableAt`.
    event ExitRequested(address indexed prover, uint64 exitAvailableAt);

    /// @notice `prover` left the registry with its `amount` of collateral.
    event CollateralWithdrawn(address indexed prover, uint256 amount);

    /// @notice A signed bid posted on-chain (the censorship-resistant path); nothing is stored.
    event BidPosted(
        bytes32 indexed bidDigest, address indexed user, uint64 indexed round, Bid bid, CompactSignature signature
    );

    // ------------------------------------------------------------------ events: rounds

    /// @notice Round `roundId` settled: `revenue` (R) left escrow, `payments` are reserved for
    ///         the chunks, and `surplus` (S = R - payments) went where `surplusPolicy` says.
    /// @dev Per-bid escrow debits are not logged: they are the settlement's calldata.
    event RoundSettled(
        uint64 indexed roundId,
        bytes32 inputHash,
        uint128 priceNum,
        uint128 priceDen,
        uint256 bidCount,
        uint256 chunkCount,
        uint256 revenue,
        uint256 payments,
        uint256 surplus,
        SurplusPolicy surplusPolicy,
        uint64 deadline
    );

    /// @notice Chunk `chunkIndex` of round `roundId` is assigned to `prover`, who locked `collateral`.
    event ChunkAssigned(
        uint64 indexed roundId,
        uint256 indexed chunkIndex,
        address indexed prover,
        uint64 constraints,
        uint128 payment,
        uint128 collateral,
        bytes32 commitment,
        bytes32 refundHash,
        bytes32 statementDataHash
    );

    /// @notice The chunk was proven: `payment` credited to `prover`, its collateral unlocked.
    ///         Its statement is `provenChunk(roundId, chunkIndex)`.
    event ChunkProven(
        uint64 indexed roundId, uint256 indexed chunkIndex, address indexed prover, uint256 payment, address submitter
    );

    /// @notice The configured `consumer`'s callback for a proven chunk reverted, ran out of gas,
    ///         or has no code; the proof and the payment stand.
    event ConsumerCallFailed(uint64 indexed roundId, uint256 indexed chunkIndex, address consumer);

    /// @notice The chunk was slashed after its deadline: `collateralSlashed` taken from `prover`,
    ///         `refunded` to the chunk's users, the rest split `reporterReward` / `treasuryShare`.
    event ChunkSlashed(
        uint64 indexed roundId,
        uint256 indexed chunkIndex,
        address indexed prover,
        address reporter,
        uint256 collateralSlashed,
        uint256 refunded,
        uint256 reporterReward,
        uint256 treasuryShare
    );

    /// @notice The chunk's recorded `commitment` is not the one its transactions give
    ///         (`recomputed`), so no proof could open it: `disputer` showed it. The prover's
    ///         collateral is released, `refunded` went to the chunk's users from its payment, and
    ///         `burned` is what the payment left.
    event ChunkDisputed(
        uint64 indexed roundId,
        uint256 indexed chunkIndex,
        address indexed prover,
        address disputer,
        bytes32 commitment,
        bytes32 recomputed,
        uint256 refunded,
        uint256 burned
    );

    // ------------------------------------------------------------------ errors: access and config

    /// @notice Only the owner may call this; `caller` is not the owner.
    error NotOwner(address caller);

    /// @notice Only the pending owner may accept ownership; `caller` is not it.
    error NotPendingOwner(address caller);

    /// @notice Only the configured clearinghouse may settle rounds; `caller` is not it.
    error NotClearinghouse(address caller);

    /// @notice The market is paused: deposits, registrations, postBid and settlement wait.
    error MarketPaused();

    /// @notice `field` (of the config, or the owner; a short name as bytes32) must not be zero.
    /// @dev bytes32, not string: web3's eth-tester provider decodes any revert payload that parses
    ///      as an ABI string as if it were `Error(string)`, losing the selector.
    error ZeroAddress(bytes32 field);

    /// @notice Config field `field` (its Solidity name as bytes32) is `value`, outside its
    ///         bounds `[min, max]` (see MarketConfig and docs/contract.md "Configuration").
    error ConfigOutOfBounds(bytes32 field, uint256 value, uint256 min, uint256 max);

    /// @notice A call that sends ETH was re-entered.
    error Reentrancy();

    // ------------------------------------------------------------------ errors: escrow

    /// @notice Deposits, withdrawals and collateral top-ups must move a non-zero amount.
    error ZeroAmount();

    /// @notice `account` asked to withdraw `amount` but has only `balance`.
    error InsufficientBalance(address account, uint256 balance, uint256 amount);

    /// @notice Sending `amount` wei to `to` failed (it reverted or refused ETH).
    error EtherTransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ errors: prover registry

    /// @notice A prover's capacity must be at least one constraint.
    error ZeroCapacity();

    /// @notice `prover` is already registered.
    error ProverAlreadyRegistered(address prover);

    /// @notice `prover` is not registered.
    error ProverNotRegistered(address prover);

    /// @notice `prover` would hold `collateral`, below the `required` κ·capacity.
    error InsufficientCollateral(address prover, uint256 collateral, uint256 required);

    /// @notice `prover` has requested its exit, which takes effect at block `exitAvailableAt`:
    ///         it cannot change its capacity, and rounds closing from that block on cannot
    ///         assign it a chunk.
    error ProverExiting(address prover, uint256 exitAvailableAt);

    /// @notice `prover` must call `requestExit` first.
    error ProverNotExiting(address prover);

    /// @notice `prover` may withdraw from block `withdrawableAt` (`exitAvailableAt +
    ///         settlementWindowBlocks`); it is `currentBlock`.
    error ExitDelayNotPassed(address prover, uint256 withdrawableAt, uint256 currentBlock);

    /// @notice `prover` still has `locked` collateral behind unresolved chunks.
    error CollateralLocked(address prover, uint256 locked);

    // ------------------------------------------------------------------ errors: settlement

    /// @notice No round is open before `genesisBlock`; it is `currentBlock`.
    error BeforeGenesis(uint256 genesisBlock, uint256 currentBlock);

    /// @notice Round `roundId` closes at `closeBlock`; it is `currentBlock`.
    error RoundNotClosed(uint64 roundId, uint256 closeBlock, uint256 currentBlock);

    /// @notice Round `roundId` was already settled, in block `settledAt`.
    error RoundAlreadySettled(uint64 roundId, uint256 settledAt);

    /// @notice Round `roundId` could be settled up to block `lastBlock` (its close block plus the
    ///         settlement window); it is `currentBlock`. The round can never be settled now.
    error SettlementWindowPassed(uint64 roundId, uint256 lastBlock, uint256 currentBlock);

    /// @notice The price fraction's denominator is zero.
    error ZeroPriceDenominator();

    /// @notice Chunk `chunkIndex` has no bids.
    error EmptyChunk(uint256 chunkIndex);

    /// @notice The chunks' bid counts add up to `assignedBids`, not the `includedBids` given.
    error ChunkBidCountMismatch(uint256 assignedBids, uint256 includedBids);

    /// @notice The bid was signed for round `bidRound`, not the round `roundId` being settled.
    error BidRoundMismatch(bytes32 bidDigest, uint64 bidRound, uint64 roundId);

    /// @notice A bid must cost at least one constraint.
    error ZeroConstraints(bytes32 bidDigest);

    /// @notice The signature over `digest` has a high `s` (malleable); use the canonical twin.
    error NonCanonicalSignature(bytes32 digest, uint256 s);

    /// @notice The bid's signature recovers to `recovered`, not to its `user` (or to zero).
    error InvalidBidSignature(bytes32 bidDigest, address user, address recovered);

    /// @notice The bid appears twice in this settlement.
    error BidReused(bytes32 bidDigest);

    /// @notice The bid's `charge` exceeds the `maxFee` its user signed.
    error ChargeExceedsMaxFee(bytes32 bidDigest, uint256 charge, uint256 maxFee);

    /// @notice The bid's `charge` is below the reserve `reservePerConstraint * constraints`.
    error ChargeBelowReserve(bytes32 bidDigest, uint256 charge, uint256 constraints, uint256 reservePerConstraint);

    /// @notice `user`'s escrow `balance` does not cover the bid's `charge`.
    error InsufficientEscrow(bytes32 bidDigest, address user, uint256 balance, uint256 charge);

    /// @notice The ask was signed for round `askRound`, not the round `roundId` being settled.
    error AskRoundMismatch(bytes32 askDigest, uint64 askRound, uint64 roundId);

    /// @notice The ask's signature recovers to `recovered`, not to its `prover` (or to zero).
    error InvalidAskSignature(bytes32 askDigest, address prover, address recovered);

    /// @notice `prover` asked for a capacity below the decrease already in force for rounds that
    ///         can still be settled; it may ask again from block `availableAt`.
    error CapacityChangePending(address prover, uint256 availableAt);

    /// @notice `prover` is assigned more than one chunk in the round.
    error ProverAssignedTwice(address prover);

    /// @notice Chunk `chunkIndex` has `constraints`, above its `prover`'s `capacity`.
    error ChunkExceedsProverCapacity(uint256 chunkIndex, address prover, uint256 constraints, uint256 capacity);

    /// @notice `prover` has `free` collateral, less than the κ·x_j `required` for its chunk.
    error InsufficientFreeCollateral(address prover, uint256 free, uint256 required);

    /// @notice Chunk `chunkIndex` pays `payment`, below its prover's ask `unitCost * constraints`.
    error PaymentBelowAsk(uint256 chunkIndex, address prover, uint256 payment, uint256 askTotal);

    /// @notice The round includes `constraints`, above the capacity C = `capacity`.
    error RoundCapacityExceeded(uint256 constraints, uint256 capacity);

    /// @notice Σ `payments` to provers exceed Σ `charges` to users (budget balance).
    error PaymentsExceedCharges(uint256 payments, uint256 charges);

    /// @notice Chunk `chunkIndex` holds `bidCount` bids, above `maxBidsPerChunk`: its `slash`,
    ///         which refunds every bid in one call, might not fit in a block.
    error TooManyBidsInChunk(uint256 chunkIndex, uint256 bidCount, uint256 maxBidsPerChunk);

    /// @notice Chunk `chunkIndex`'s `commitment` is not a BN254 scalar field element (it is
    ///         >= r): no proof could ever open it, so its prover would be slashed for sure.
    error CommitmentNotInField(uint256 chunkIndex, bytes32 commitment);

    // ------------------------------------------------------------------ errors: prove and slash

    /// @notice Round `roundId` has no chunk `chunkIndex`.
    error ChunkNotFound(uint64 roundId, uint256 chunkIndex);

    /// @notice The chunk is already resolved (`status` is Proven, Slashed or Disputed).
    error ChunkNotPending(uint64 roundId, uint256 chunkIndex, ChunkStatus status);

    /// @notice The chunk's proving `deadline` passed; it is `currentBlock`.
    error ProvingDeadlinePassed(uint64 roundId, uint256 chunkIndex, uint256 deadline, uint256 currentBlock);

    /// @notice The statement data given hashes to `actual`, not to the chunk's stored `expected`
    ///         (zero stands for no data).
    error StatementDataMismatch(uint64 roundId, uint256 chunkIndex, bytes32 expected, bytes32 actual);

    /// @notice A consumer is configured and fewer than `needed` gas are left for its callback
    ///         (`left`): send the proof with more gas.
    error InsufficientGasForConsumer(uint256 needed, uint256 left);

    /// @notice `submitProofs` was given no entry.
    error EmptyProofBatch();

    /// @notice The verifier rejected the proof (or reverted) for the chunk and its `prover`.
    error InvalidProof(uint64 roundId, uint256 chunkIndex, address prover);

    /// @notice The chunk may be slashed only after its `deadline`; it is `currentBlock`.
    error ProvingDeadlineNotPassed(uint64 roundId, uint256 chunkIndex, uint256 deadline, uint256 currentBlock);

    /// @notice The refund list hashes to `actual`, not to the chunk's stored `expected`.
    error RefundListMismatch(uint64 roundId, uint256 chunkIndex, bytes32 expected, bytes32 actual);

    /// @notice The chunk's transactions do give its recorded `commitment`: nothing to dispute.
    error CommitmentMatches(uint64 roundId, uint256 chunkIndex, bytes32 commitment);

    // ------------------------------------------------------------------ owner and config

    /// @notice The current owner.
    function owner() external view returns (address);

    /// @notice The address that may accept ownership, or zero.
    function pendingOwner() external view returns (address);

    /// @notice Starts a two-step ownership transfer to `newOwner`. Owner only.
    function transferOwnership(address newOwner) external;

    /// @notice Completes an ownership transfer. Pending owner only.
    function acceptOwnership() external;

    /// @notice Replaces the whole configuration. Owner only; validated like the constructor's.
    /// @dev Takes effect for later calls: settled rounds keep their deadline, locked collateral and
    ///      surplus policy. A new verifier applies to pending chunks too.
    function updateConfig(MarketConfig calldata config) external;

    /// @notice Stops deposits, registrations, postBid and settlement. Owner only.
    /// @dev Never stops withdrawals of free funds, proofs, exits or slashing.
    function pause() external;

    /// @notice Lifts the pause. Owner only.
    function unpause() external;

    /// @notice Whether the market is paused.
    function paused() external view returns (bool);

    /// @notice The current configuration.
    function getConfig() external view returns (MarketConfig memory);

    // ------------------------------------------------------------------ escrow

    /// @notice Adds `msg.value` to the caller's escrow balance.
    function deposit() external payable;

    // ------------------------------------------------------------------ prover registry

    /// @notice Registers the caller as a prover of `capacity` constraints per round, with
    ///         `msg.value` collateral of at least κ·capacity.
    function registerProver(uint64 capacity) external payable;

    /// @notice Adds `msg.value` to the caller's collateral.
    function addCollateral() external payable;

    /// @notice Sets the caller's capacity to `capacity`, which its collateral must back (κ·capacity).
    ///         An increase applies at once, to every round not yet settled. A decrease takes
    ///         effect after the exit delay: rounds closing before `block.number +
    ///         exitDelayBlocks` keep the current capacity (`CapacityDecreaseRequested`).
    /// @dev A second decrease below one already in force for rounds that can still be settled
    ///      reverts `CapacityChangePending` until those rounds' settlement windows have passed.
    function setCapacity(uint64 capacity) external;

    /// @notice Requests the caller's exit. It takes effect after the exit delay: rounds closing
    ///         before `block.number + exitDelayBlocks` may still assign the caller a chunk, later
    ///         ones cannot. Collateral is withdrawable once those rounds' settlement windows have
    ///         passed (`exitAvailableAt + settlementWindowBlocks`).
    function requestExit() external;

    /// @notice From `exitAvailableAt + settlementWindowBlocks` on, with nothing locked, sends the
    ///         caller all its collateral and removes it from the registry.
    function withdrawCollateral() external;

    // ------------------------------------------------------------------ bids

    /// @notice Posts a signed bid as an event (the censorship-resistant path). Stores nothing.
    function postBid(Bid calldata bid, CompactSignature calldata signature) external;

    // ------------------------------------------------------------------ settle

    /// @notice Settles round `roundId`: the included bids, grouped into chunks in order, each
    ///         chunk proven by the winning ask beside it. Clearinghouse only, once per round,
    ///         after the round closed and within its settlement window (`settlementWindowBlocks`
    ///         blocks from its close block, inclusive). Every check of README.md "One round" step 4 reverts
    ///         with its own error.
    /// @param roundId The round being settled; every bid and ask must be signed for it.
    /// @param inputHash Hash of the round's full input set, published by the clearinghouse.
    /// @param priceNum Numerator of the price per constraint (recorded, not enforced).
    /// @param priceDen Denominator of the price per constraint (non-zero).
    /// @param bids The included bids with their signatures and charges, chunk by chunk.
    /// @param chunks The chunk assignments, each taking the next `bidCount` bids.
    function settleRound(
        uint64 roundId,
        bytes32 inputHash,
        uint128 priceNum,
        uint128 priceDen,
        IncludedBid[] calldata bids,
        ChunkAssignment[] calldata chunks
    ) external;

    // ------------------------------------------------------------------ prove

    /// @notice Submits the proof of chunk `chunkIndex` of round `roundId` (by anyone, up to and
    ///         including the deadline block). On success the chunk's prover is credited its payment
    ///         (as `Prover.earnings`, part of its `balanceOf`) and its collateral unlocks; then the
    ///         configured consumer, if any, is called back (`IChunkConsumer`).
    /// @param statementData The chunk's statement data exactly as its settlement supplied it (empty
    ///        if none); checked against the stored hash (`StatementDataMismatch`).
    /// @param proof The proof, for the verifier to check against the chunk's whole statement.
    function submitProof(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external;

    /// @notice Submits the proofs of several chunks (any rounds, any provers) in one transaction,
    ///         by anyone. Each chunk proven is credited to its own prover exactly as by
    ///         `submitProof` (one `ChunkProven` event and one consumer callback per chunk). A
    ///         verifier implementing IBatchProofVerifier checks them all in one call.
    /// @dev Rule (docs/contract.md, "Batched proofs"): an entry whose chunk is already resolved,
    ///      or that repeats a chunk listed before, is skipped; an entry whose chunk does not exist
    ///      (`ChunkNotFound`), whose deadline passed (`ProvingDeadlinePassed`), whose statement
    ///      data does not match (`StatementDataMismatch`) or whose proof is invalid
    ///      (`InvalidProof`) reverts the whole batch. `EmptyProofBatch` if there is no entry.
    /// @param submissions The entries: round, chunk index, statement data, proof.
    function submitProofs(ProofSubmission[] calldata submissions) external;

    // ------------------------------------------------------------------ slash

    /// @notice Slashes an unproven chunk after its deadline (by anyone). Refunds the chunk's users
    ///         their net charges from the chunk's reserved payment, then from the prover's locked
    ///         collateral (pro rata, rounding down, if both fall short); the caller gets the
    ///         reporter share of what is left, the treasury the rest (all of it when the caller
    ///         is the chunk's prover: no reward for reporting one's own default).
    /// @param refunds The chunk's `(user, charge, txHash)` list in settlement order, as the
    ///        settlement's calldata holds it; checked against the stored `refundHash`.
    function slash(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds) external;

    // ------------------------------------------------------------------ dispute

    /// @notice Shows that a pending chunk's recorded commitment is not the commitment of its own
    ///         transactions, so no proof could ever open it (by anyone, at any time while the chunk
    ///         is pending; its prover's agent does it before the deadline). The chunk is resolved
    ///         as Disputed: its prover's collateral is released unslashed, its users are refunded
    ///         their net charges from the chunk's reserved payment (pro rata, rounding down, if it
    ///         falls short), and the rest of the payment is burned. Nobody is rewarded.
    /// @dev Reverts `CommitmentMatches` when the recomputed commitment equals the recorded one.
    /// @param refunds The chunk's `(user, charge, txHash)` list in settlement order; checked
    ///        against the stored `refundHash`, then its `txHash`es hashed with Poseidon as in
    ///        docs/zk.md ("Commitment").
    function disputeCommitment(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds) external;

    // ------------------------------------------------------------------ withdraw

    /// @notice Sends `amount` of the caller's balance (escrow and credits) to the caller; a
    ///         prover's uncollected earnings are first collected into its escrow.
    function withdraw(uint256 amount) external;

    // ------------------------------------------------------------------ views

    /// @notice `account`'s balance: free escrow plus credited payouts, refunds and shares,
    ///         including a prover's uncollected `Prover.earnings`.
    function balanceOf(address account) external view returns (uint256);

    /// @notice The registry entry of `prover` (all zero if never registered; an exited prover
    ///         keeps only its uncollected `earnings`).
    function getProver(address prover) external view returns (Prover memory);

    /// @notice Round `roundId` as settled (all zero if not settled).
    function getRound(uint64 roundId) external view returns (Round memory);

    /// @notice Chunk `chunkIndex` of round `roundId` (all zero if there is none).
    function getChunk(uint64 roundId, uint256 chunkIndex) external view returns (Chunk memory);

    /// @notice For consumers (a rollup contract): whether the chunk is proven, and the statement it
    ///         is (or would be) proven for. A statement's data is checked by its hash: a rollup
    ///         passes the roots it expects and compares `keccak256(data)` with `statement.dataHash`.
    function provenChunk(uint64 roundId, uint256 chunkIndex)
        external
        view
        returns (bool proven, ChunkStatement memory statement);

    /// @notice Whether round `roundId` is settled and every one of its chunks is proven (true for a
    ///         settled round without chunks).
    function roundProven(uint64 roundId) external view returns (bool);

    /// @notice The market's running totals; see {Totals} for the conservation invariant.
    function getTotals() external view returns (Totals memory);

    /// @notice The contract `disputeCommitment` recomputes chunk commitments with (an
    ///         {IChunkCommitment} created by this market's constructor).
    function chunkCommitment() external view returns (address);

    /// @notice The round open at the current block; reverts {BeforeGenesis} before round 0.
    function currentRound() external view returns (uint64);

    /// @notice First block of round `roundId`.
    function roundOpenBlock(uint64 roundId) external view returns (uint256);

    /// @notice First block after round `roundId`: settlement is possible from this block on,
    ///         up to and including this block plus `settlementWindowBlocks`.
    function roundCloseBlock(uint64 roundId) external view returns (uint256);

    /// @notice The EIP-712 domain separator (name "ProofMarket", version "1", chain id, this).
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 domain, as EIP-5267 describes it (no salt, no extensions).
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        );

    /// @notice The EIP-712 digest a user signs for `bid`.
    function bidDigest(Bid calldata bid) external view returns (bytes32);

    /// @notice The EIP-712 digest a prover signs for `ask`.
    function askDigest(Ask calldata ask) external view returns (bytes32);

    /// @notice The chained hash of a refund list, as stored in `Chunk.refundHash`.
    function refundHash(Refund[] calldata refunds) external pure returns (bytes32);
}
