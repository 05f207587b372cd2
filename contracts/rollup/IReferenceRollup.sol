// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "../interfaces/IChunkConsumer.sol";
import {ChunkStatus} from "../types/Chunk.sol";
import {Refund} from "../types/Refund.sol";
import {Transfer} from "./RollupTypes.sol";

/// @title IReferenceRollup
/// @notice The L1 contract of the reference ZK rollup (docs/rollup.md, "The rollup contract"):
///         it escrows deposits in a queue, confirms that every transfer of a market chunk was
///         signed by its sender, finalizes a round's state roots once all its chunks are proven on
///         the market (or rescued after their prover missed the deadline), and pays withdrawals
///         against a finalized accounts root.
/// @dev The state root is `Poseidon(accountsRoot, accountCount, depositChain)`; a chunk's market
///      statement data is `abi.encode(uint256 preStateRoot, uint256 postStateRoot)`. Withdrawals
///      use exit addresses: a user withdraws by transferring on L2 to `exitAddressOf(user)`, an
///      address nobody holds a key for, whose L2 balance therefore only grows.
///
///      NOTE (the market's owner is not trusted): a chunk counts as proven only once the rollup
///      has recorded it, either in the market's callback (`onChunkProven`) while the market's
///      verifier is the rollup's own, immutable one, or through `recordChunkProof`, which checks
///      the proof with that verifier. A verifier the market's owner installs (an always-true one,
///      say) can pay provers on the market, but cannot finalize forged roots here.
interface IReferenceRollup is IChunkConsumer {
    // ------------------------------------------------------------------ events

    /// @notice A deposit joined the queue at `position` (1-based); `depositChain` is the chain after it.
    event Deposited(uint256 indexed position, address indexed recipient, uint256 amount, uint256 depositChain);

    /// @notice Every transfer of the chunk was shown to be the bid's transaction and signed by its sender.
    event ChunkConfirmed(uint64 indexed roundId, uint256 indexed chunkIndex, Transfer[] transfers);

    /// @notice The chunk's proof was checked by the rollup's own verifier (on the market, in the
    ///         callback, or here by `recordChunkProof`): the chunk counts as proven for `finalize`.
    event ChunkProofRecorded(uint64 indexed roundId, uint256 indexed chunkIndex, address indexed prover);

    /// @notice The market called back for a chunk proven while its verifier was `marketVerifier`,
    ///         not the rollup's: the proof is not recorded (`recordChunkProof` can still record a
    ///         proof the rollup's verifier accepts).
    event ChunkProofIgnored(uint64 indexed roundId, uint256 indexed chunkIndex, address marketVerifier);

    /// @notice `rescuer` proved a slashed chunk; `reward` was credited to it (pull payment).
    event ChunkRescued(uint64 indexed roundId, uint256 indexed chunkIndex, address indexed rescuer, uint256 reward);

    /// @notice `funder` added `amount` to the rescue reward pool, which now holds `pool`.
    event RescueRewardsFunded(address indexed funder, uint256 amount, uint256 pool);

    /// @notice `rescuer` collected `amount` of rescue rewards.
    event RescueRewardClaimed(address indexed rescuer, uint256 amount);

    /// @notice Round `roundId` is finalized: `stateRoot` is the new state root, `accountsRoot` its
    ///         accounts root, and the deposits up to `depositPosition` are credited on L2.
    event RoundFinalized(uint64 indexed roundId, uint256 stateRoot, uint256 accountsRoot, uint256 depositPosition);

    /// @notice `user` was paid `amount`; it has withdrawn `cumulative` in total.
    event Withdrawn(address indexed user, uint256 amount, uint256 cumulative);

    // ------------------------------------------------------------------ errors

    /// @notice A constructor address is zero; `field` names it.
    error ZeroAddress(bytes32 field);
    /// @notice A deposit must be above 0 and below 2^128 wei.
    error DepositAmountInvalid(uint256 amount);
    /// @notice A deposit needs a recipient.
    error DepositRecipientZero();

    /// @notice The verifier given at deployment is not the market's (`getConfig().verifier`): a
    ///         rescue would be checked by another verifier than the market's proofs.
    error VerifierNotTheMarkets(address verifier, address marketVerifier);

    /// @notice `limit` distinct addresses have deposits already: a new recipient would let
    ///         deposits fill the accounts tree (docs/rollup.md, "Sequencing").
    error DepositRecipientsFull(uint256 limit);
    /// @notice The market has no such chunk (status None).
    error ChunkNotFound(uint64 roundId, uint256 chunkIndex);
    /// @notice The refund list given is not the chunk's (its hash differs from the stored one).
    error RefundListMismatch(uint64 roundId, uint256 chunkIndex, bytes32 expected, bytes32 actual);
    /// @notice One transfer per refund entry (that is, per bid) is needed.
    error TransferCountMismatch(uint256 refunds, uint256 transfers);
    /// @notice Transfer `index` does not hash to its bid's `txHash`.
    error TransferHashMismatch(uint256 index, bytes32 txHash, uint256 computed);
    /// @notice Transfer `index`'s sender is not the user who signed its bid.
    error SenderNotBidUser(uint256 index, uint256 sender, address user);
    /// @notice The chunk's recorded commitment is not the chain of its transfers' hashes.
    error ChunkCommitmentMismatch(uint64 roundId, uint256 chunkIndex, bytes32 recorded, uint256 computed);
    /// @notice The chunk is confirmed already.
    error ChunkAlreadyConfirmed(uint64 roundId, uint256 chunkIndex);
    /// @notice Only a chunk the market slashed (its prover missed the deadline) can be rescued.
    error ChunkNotSlashed(uint64 roundId, uint256 chunkIndex, ChunkStatus status);
    /// @notice The chunk is rescued already.
    error ChunkAlreadyRescued(uint64 roundId, uint256 chunkIndex);
    /// @notice `keccak256(statementData)` is not the chunk's recorded data hash.
    error StatementDataMismatch(bytes32 expected, bytes32 actual);
    /// @notice The rollup's verifier refused the proof for the chunk's statement with `prover` as
    ///         its prover (the rescuer in `proveMissedChunk`, the assigned prover in `recordChunkProof`).
    error ProofInvalid(uint64 roundId, uint256 chunkIndex, address prover);
    /// @notice Rounds finalize in increasing order: `roundId` is not after the last finalized round.
    error RoundNotAfterLastFinalized(uint64 roundId, uint64 lastFinalizedRound);
    /// @notice The market has not settled the round.
    error RoundNotSettled(uint64 roundId);
    /// @notice A round without chunks changes nothing and is not finalized.
    error RoundHasNoChunks(uint64 roundId);
    /// @notice `roots` must hold the round's chunk count plus one roots.
    error RootCountMismatch(uint256 expected, uint256 actual);
    /// @notice The round's first pre-state root is not the rollup's current state root.
    error PreStateRootMismatch(uint256 stateRoot, uint256 preStateRoot);
    /// @notice Chunk `chunkIndex` is not confirmed (`confirmChunk`).
    error ChunkNotConfirmed(uint64 roundId, uint256 chunkIndex);
    /// @notice Chunk `chunkIndex` has no recorded proof (`ChunkProofRecorded`) and was not rescued.
    error ChunkNotProven(uint64 roundId, uint256 chunkIndex);
    /// @notice Only the market calls `onChunkProven`.
    error CallerNotMarket(address caller);
    /// @notice `recordChunkProof` records proofs of chunks the market reports Proven; this one is `status`.
    error ChunkNotProvenOnMarket(uint64 roundId, uint256 chunkIndex, ChunkStatus status);
    /// @notice The chunk's proof is recorded already.
    error ChunkProofAlreadyRecorded(uint64 roundId, uint256 chunkIndex);
    /// @notice `abi.encode(roots[k], roots[k + 1])` does not hash to the chunk's recorded data hash.
    error ChunkRootsMismatch(uint64 roundId, uint256 chunkIndex, bytes32 dataHash, bytes32 computed);
    /// @notice `Poseidon(accountsRoot, accountCount, depositChain)` is not the round's post-state root.
    error StateRootOpeningInvalid(uint256 postStateRoot, uint256 computed);
    /// @notice `depositChain` is not a value of the deposit queue's chain.
    error DepositChainUnknown(uint256 depositChain);
    /// @notice `depositChain` is the queue's chain at `position`, before the finalized `finalizedPosition`.
    error DepositChainRewinds(uint256 position, uint256 finalizedPosition);
    /// @notice Round `roundId` is not finalized: its accounts root cannot be paid against.
    error RootNotFinalized(uint64 roundId);
    /// @notice A leaf index must be below 2^8 (the accounts tree has depth 8).
    error LeafIndexOutOfRange(uint256 index);
    /// @notice The leaf and siblings give `computed`, not the round's accounts root.
    error MerkleProofInvalid(uint64 roundId, uint256 accountsRoot, uint256 computed);
    /// @notice The proven exit balance is not above what the user has withdrawn.
    error NothingToWithdraw(uint256 balance, uint256 withdrawn);
    /// @notice Defence in depth: a withdrawal never pays out more than the deposits still held.
    error WithdrawalExceedsDeposits(uint256 amount, uint256 available);
    /// @notice Funding the reward pool needs a non-zero amount.
    error FundingZero();
    /// @notice The caller has no rescue reward to claim.
    error NoRescueReward(address rescuer);
    /// @notice Sending ETH to `to` failed.
    error EtherTransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ deposits

    /// @notice Escrows `msg.value` (0 < value < 2^128) and appends `(recipient, value)` to the
    ///         deposit queue: `chain = Poseidon(chain, uint160(recipient), value)`. The sequencer
    ///         credits queued deposits on L2, in queue order. At most 128 distinct recipients
    ///         ever (`DepositRecipientsFull`): deposits can never fill the accounts tree.
    /// @param recipient The L2 account (an L1 address) credited.
    function deposit(address recipient) external payable;

    // ------------------------------------------------------------------ sender authorization

    /// @notice Confirms a market chunk's transfers (anyone may call): the refund list is the
    ///         chunk's (`market.refundHash`), each transfer `i` hashes to its bid's `txHash`, its
    ///         sender is the bid's `user` (whose EIP-712 signature the market checked at
    ///         settlement), and the chunk's commitment is the Poseidon chain of those hashes.
    /// @param refunds The chunk's `(user, charge, txHash)` list in settlement order.
    /// @param transfers The chunk's transfers, one per bid, in the same order.
    function confirmChunk(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds, Transfer[] calldata transfers)
        external;

    // ------------------------------------------------------------------ proofs

    // `onChunkProven` (IChunkConsumer), the market's callback: records the chunk as proven if the
    // market's verifier is the rollup's own (`ChunkProofRecorded`), else records nothing
    // (`ChunkProofIgnored`); reverts `CallerNotMarket` for any caller but the market. It needs
    // about 45,000 gas: with a lower `consumerGasLimit`, proofs are recorded by `recordChunkProof`.

    /// @notice Records the proof of a chunk the market reports Proven but whose callback did not
    ///         record it (the callback was off, ran out of gas, or came from another verifier):
    ///         `proof` must be accepted by the rollup's own verifier for the market's statement
    ///         (the assigned prover as its prover). Anyone may call; the market's proof can be
    ///         copied from its transaction, or anyone can prove the chunk anew for that statement.
    /// @param statementData The chunk's statement data, `abi.encode(preStateRoot, postStateRoot)`.
    /// @param proof The proof bytes for the verifier.
    function recordChunkProof(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external;

    // ------------------------------------------------------------------ the missed-deadline rule

    /// @notice Proves a chunk the market slashed (its prover missed the deadline), for the rescue
    ///         reward. The proof must be for the market's statement with the caller as prover, so
    ///         a proof copied from another rescuer's transaction pays nobody else. Credits
    ///         `rescueReward` (or what is left of the pool) to the caller, to claim with
    ///         `claimRescueReward`. Only a chunk whose senders are confirmed (`confirmChunk`), of a
    ///         round after the last finalized one, can be rescued: a rescue that cannot help a
    ///         finalization is not paid. NOTE: the reward must stay below what a prover loses by
    ///         missing its deadline (its slashed collateral net of the reporter share, and the
    ///         payment), or a prover gains by defaulting and rescuing its own chunk.
    /// @param statementData The chunk's statement data, `abi.encode(preStateRoot, postStateRoot)`.
    /// @param proof The proof bytes for the verifier.
    function proveMissedChunk(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external;

    /// @notice Adds `msg.value` to the rescue reward pool (kept apart from deposits).
    function fundRescueRewards() external payable;

    /// @notice Sends the caller its credited rescue rewards.
    function claimRescueReward() external;

    // ------------------------------------------------------------------ finalization

    /// @notice Finalizes round `roundId` (anyone may call): every chunk is confirmed and has a
    ///         recorded proof (or was rescued) for the roots given, the roots chain from the current state root, and
    ///         the last root opens to `(accountsRoot, accountCount, depositChain)` with a deposit
    ///         chain of the queue at or after the last finalized position. A round with a Disputed
    ///         chunk can never finalize: it is skipped, and a later round sequenced from the last
    ///         finalized root finalizes instead.
    /// @param roots `roots[k]` is chunk k's pre-state root and `roots[k + 1]` its post-state root.
    function finalize(
        uint64 roundId,
        uint256[] calldata roots,
        uint256 accountsRoot,
        uint256 accountCount,
        uint256 depositChain
    ) external;

    // ------------------------------------------------------------------ withdrawals

    /// @notice Pays the caller what its exit account holds in the accounts tree of finalized
    ///         round `finalizedRound`, less what it has withdrawn already.
    /// @param balance The exit account's balance in that tree.
    /// @param nonce The exit account's nonce (0: nobody can sign for it).
    /// @param index The exit account's leaf index; bit i is 0 when the node is a left child at level i.
    /// @param siblings The siblings from the leaf level up.
    function withdraw(uint64 finalizedRound, uint256 balance, uint256 nonce, uint256 index, uint256[8] calldata siblings)
        external;

    // ------------------------------------------------------------------ views

    /// @notice The last finalized state root (the empty state's root before any finalization).
    function stateRoot() external view returns (uint256);

    /// @notice `Poseidon(Z_8, 0, 0)`: the root of the empty state.
    function emptyStateRoot() external view returns (uint256);

    /// @notice Whether any round is finalized, and the last one.
    function lastFinalizedRound() external view returns (bool any, uint64 roundId);

    /// @notice The accounts root of finalized round `roundId`; reverts `RootNotFinalized` otherwise.
    function finalizedAccountsRoot(uint64 roundId) external view returns (uint256);

    /// @notice The queue position up to which deposits are credited by finalized rounds (0: none).
    function finalizedDepositPosition() external view returns (uint256);

    /// @notice How many deposits the queue holds (the last position).
    function depositCount() external view returns (uint256);

    /// @notice How many distinct addresses have deposits (at most 128: half the accounts tree).
    function depositRecipientCount() external view returns (uint256);

    /// @notice The queued deposit at `position` (1-based; all zero outside the queue).
    function depositAt(uint256 position)
        external
        view
        returns (address recipient, uint256 amount, uint256 chainAfter);

    /// @notice The queue position whose running chain is `depositChain` (0: none).
    function positionOfChain(uint256 depositChain) external view returns (uint256);

    /// @notice Whether `confirmChunk` confirmed the chunk.
    function isChunkConfirmed(uint64 roundId, uint256 chunkIndex) external view returns (bool);

    /// @notice Whether the chunk's proof is recorded (`ChunkProofRecorded`).
    function isChunkProofRecorded(uint64 roundId, uint256 chunkIndex) external view returns (bool);

    /// @notice Whether `proveMissedChunk` rescued the chunk.
    function isChunkRescued(uint64 roundId, uint256 chunkIndex) external view returns (bool);

    /// @notice What `user` has withdrawn in total.
    function withdrawnOf(address user) external view returns (uint256);

    /// @notice `user`'s exit address: `address(uint160(uint256(keccak256(abi.encode("proofmarket.rollup.exit", user)))))`.
    function exitAddressOf(address user) external pure returns (address);

    /// @notice Rescue rewards credited to `rescuer` and not claimed yet.
    function rescueRewardOf(address rescuer) external view returns (uint256);

    /// @notice The unallocated rescue reward pool.
    function rescueRewardPool() external view returns (uint256);

    /// @notice Σ deposits and Σ withdrawals: the contract holds at least their difference plus the
    ///         pool and the unclaimed rewards.
    function totals() external view returns (uint256 deposited, uint256 withdrawn, uint256 rewardsOwed);

    /// @notice The market whose chunks carry the rollup's transfers.
    function market() external view returns (address);

    /// @notice The verifier `proveMissedChunk` checks proofs with (the market's rollup verifier).
    function verifier() external view returns (address);

    /// @notice The Poseidon hasher.
    function hasher() external view returns (address);

    /// @notice The reward a rescuer is credited per slashed chunk proven (if the pool holds it).
    function rescueReward() external view returns (uint256);
}
