// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "../interfaces/IChunkConsumer.sol";
import {IProofMarket} from "../interfaces/IProofMarket.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {Chunk, ChunkStatus} from "../types/Chunk.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";
import {Refund} from "../types/Refund.sol";
import {Round} from "../types/Round.sol";
import {IPoseidonHasher} from "./IPoseidonHasher.sol";
import {IReferenceRollup} from "./IReferenceRollup.sol";
import {QueuedDeposit, Transfer} from "./RollupTypes.sol";

/// @title ReferenceRollup
/// @notice The L1 contract of the reference ZK rollup built on the proof market (docs/rollup.md,
///         "The rollup contract"): deposits, sender confirmation, finalization of proven rounds,
///         the missed-deadline rescue, and withdrawals through exit addresses.
/// @dev Every external function is either a check on data anyone can recompute (confirm, record,
///      finalize) or moves the caller's own funds; nothing is permissioned but the market's
///      callback (`onChunkProven`, market only). ETH leaves only in `withdraw` and
///      `claimRescueReward`, last, after the state is updated. A chunk counts as proven only
///      once its proof is recorded here, checked by the rollup's own verifier (IReferenceRollup):
///      the market's owner, who can change the market's verifier, is not trusted.
contract ReferenceRollup is IReferenceRollup {
    /// @dev Depth of the accounts tree (docs/rollup.md, "State").
    uint256 internal constant DEPTH = 8;

    /// @dev Deposits and balances are below 2^128.
    uint256 internal constant AMOUNT_LIMIT = 1 << 128;

    /// @dev At most half the accounts tree is created by deposits; the sequencer lets transfers
    ///      create at most the other half (docs/rollup.md, "Sequencing"), so the tree never fills
    ///      up with a deposit still queued: the queue can always be applied.
    uint256 internal constant MAX_DEPOSIT_RECIPIENTS = 128;

    IProofMarket internal immutable _market;
    IProofVerifier internal immutable _verifier;
    IPoseidonHasher internal immutable _hasher;
    uint256 internal immutable _rescueReward;
    uint256 internal immutable _emptyStateRoot;

    uint256 internal _stateRoot;
    bool internal _anyFinalized;
    uint64 internal _lastFinalizedRound;
    uint256 internal _finalizedDepositPosition;
    mapping(uint64 roundId => bool) internal _roundFinalized;
    mapping(uint64 roundId => uint256) internal _accountsRoots;

    uint256 internal _depositCount;
    uint256 internal _depositRecipientCount;
    mapping(address recipient => bool) internal _isDepositRecipient;
    mapping(uint256 position => QueuedDeposit) internal _deposits;
    mapping(uint256 depositChain => uint256 position) internal _positionOfChain;

    mapping(uint64 roundId => mapping(uint256 chunkIndex => bool)) internal _confirmed;
    mapping(uint64 roundId => mapping(uint256 chunkIndex => bool)) internal _rescued;
    mapping(uint64 roundId => mapping(uint256 chunkIndex => bool)) internal _proofRecorded;

    uint256 internal _rewardPool;
    uint256 internal _rewardsOwed;
    mapping(address rescuer => uint256) internal _rewardOf;

    uint256 internal _totalDeposited;
    uint256 internal _totalWithdrawn;
    mapping(address user => uint256) internal _withdrawn;

    /// @param market_ The proof market whose chunks carry the rollup's transfers.
    /// @param verifier_ The rollup's chunk verifier (the market's configured `IProofVerifier`).
    /// @param hasher_ The Poseidon hasher (`PoseidonHasher`).
    /// @param rescueReward_ The reward per rescued chunk, paid from `fundRescueRewards` money.
    constructor(address market_, address verifier_, address hasher_, uint256 rescueReward_) {
        if (market_ == address(0)) revert ZeroAddress("market");
        if (verifier_ == address(0)) revert ZeroAddress("verifier");
        if (hasher_ == address(0)) revert ZeroAddress("hasher");
        address marketVerifier = address(IProofMarket(market_).getConfig().verifier);
        if (marketVerifier != verifier_) revert VerifierNotTheMarkets(verifier_, marketVerifier);
        _market = IProofMarket(market_);
        _verifier = IProofVerifier(verifier_);
        _hasher = IPoseidonHasher(hasher_);
        _rescueReward = rescueReward_;
        uint256 emptyNode = 0;
        for (uint256 level; level < DEPTH; ++level) {
            emptyNode = IPoseidonHasher(hasher_).hash2(emptyNode, emptyNode);
        }
        uint256 emptyRoot = IPoseidonHasher(hasher_).hash3(emptyNode, 0, 0);
        _emptyStateRoot = emptyRoot;
        _stateRoot = emptyRoot;
    }

    // ------------------------------------------------------------------ deposits

    /// @inheritdoc IReferenceRollup
    function deposit(address recipient) external payable {
        if (recipient == address(0)) revert DepositRecipientZero();
        if (msg.value == 0 || msg.value >= AMOUNT_LIMIT) revert DepositAmountInvalid(msg.value);
        if (!_isDepositRecipient[recipient]) {
            if (_depositRecipientCount == MAX_DEPOSIT_RECIPIENTS) revert DepositRecipientsFull(MAX_DEPOSIT_RECIPIENTS);
            _isDepositRecipient[recipient] = true;
            _depositRecipientCount += 1;
        }
        uint256 position = _depositCount + 1;
        // Position 0 is never written: its `chainAfter` is 0, the empty chain.
        uint256 chain = _hasher.hash3(_deposits[position - 1].chainAfter, uint160(recipient), msg.value);
        _depositCount = position;
        _deposits[position] = QueuedDeposit({recipient: recipient, amount: uint128(msg.value), chainAfter: chain});
        _positionOfChain[chain] = position;
        _totalDeposited += msg.value;
        emit Deposited(position, recipient, msg.value, chain);
    }

    // ------------------------------------------------------------------ sender authorization

    /// @inheritdoc IReferenceRollup
    function confirmChunk(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds, Transfer[] calldata transfers)
        external
    {
        if (_confirmed[roundId][chunkIndex]) revert ChunkAlreadyConfirmed(roundId, chunkIndex);
        Chunk memory chunk = _market.getChunk(roundId, chunkIndex);
        if (chunk.status == ChunkStatus.None) revert ChunkNotFound(roundId, chunkIndex);
        bytes32 listHash = _market.refundHash(refunds);
        if (listHash != chunk.refundHash) revert RefundListMismatch(roundId, chunkIndex, chunk.refundHash, listHash);
        if (refunds.length != transfers.length) revert TransferCountMismatch(refunds.length, transfers.length);
        uint256 commitment;
        for (uint256 i; i < transfers.length; ++i) {
            uint256 transactionHash = _checkTransfer(i, refunds[i], transfers[i]);
            commitment = _hasher.hash2(commitment, transactionHash);
        }
        if (bytes32(commitment) != chunk.commitment) {
            revert ChunkCommitmentMismatch(roundId, chunkIndex, chunk.commitment, commitment);
        }
        _confirmed[roundId][chunkIndex] = true;
        emit ChunkConfirmed(roundId, chunkIndex, transfers);
    }

    /// @dev Transfer `index` hashes to its bid's `txHash` and its sender signed the bid; returns the hash.
    function _checkTransfer(uint256 index, Refund calldata refund, Transfer calldata transfer)
        internal
        view
        returns (uint256 transactionHash)
    {
        transactionHash = _hasher.hash4(transfer.sender, transfer.recipient, transfer.amount, transfer.nonce);
        if (transactionHash != uint256(refund.txHash)) revert TransferHashMismatch(index, refund.txHash, transactionHash);
        if (transfer.sender != uint256(uint160(refund.user))) revert SenderNotBidUser(index, transfer.sender, refund.user);
    }

    // ------------------------------------------------------------------ proofs

    /// @inheritdoc IChunkConsumer
    /// @dev Records the chunk only while the market's verifier is the rollup's own: the call
    ///      comes right after the market's verifier accepted the proof, in the same transaction.
    ///      Reverts `CallerNotMarket` for any other caller (the market catches a revert of its
    ///      own call and still pays the prover). About 45,000 gas (docs/rollup.md).
    function onChunkProven(ChunkStatement calldata statement, bytes calldata) external {
        if (msg.sender != address(_market)) revert CallerNotMarket(msg.sender);
        address marketVerifier = address(_market.getConfig().verifier);
        if (marketVerifier != address(_verifier)) {
            emit ChunkProofIgnored(statement.roundId, statement.chunkIndex, marketVerifier);
            return;
        }
        _recordProof(statement.roundId, statement.chunkIndex, statement.prover);
    }

    /// @inheritdoc IReferenceRollup
    function recordChunkProof(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external
    {
        if (_proofRecorded[roundId][chunkIndex]) revert ChunkProofAlreadyRecorded(roundId, chunkIndex);
        (bool proven, ChunkStatement memory statement) = _market.provenChunk(roundId, chunkIndex);
        if (!proven) {
            revert ChunkNotProvenOnMarket(roundId, chunkIndex, _market.getChunk(roundId, chunkIndex).status);
        }
        _requireValidProof(statement, statementData, proof);
        _recordProof(roundId, chunkIndex, statement.prover);
    }

    function _recordProof(uint64 roundId, uint256 chunkIndex, address prover) internal {
        _proofRecorded[roundId][chunkIndex] = true;
        emit ChunkProofRecorded(roundId, chunkIndex, prover);
    }

    /// @dev Reverts `StatementDataMismatch` unless `statementData` hashes to the statement's data
    ///      hash, and `ProofInvalid` unless the rollup's verifier accepts `proof` for `statement`
    ///      (a malformed proof may revert with the verifier's own error instead, e.g.
    ///      `ProofPointNotOnCurve`: either way nothing is recorded).
    function _requireValidProof(ChunkStatement memory statement, bytes calldata statementData, bytes calldata proof)
        internal
        view
    {
        bytes32 dataHash = keccak256(statementData);
        if (dataHash != statement.dataHash) revert StatementDataMismatch(statement.dataHash, dataHash);
        if (!_verifier.verifyChunkProof(statement, statementData, proof)) {
            revert ProofInvalid(statement.roundId, statement.chunkIndex, statement.prover);
        }
    }

    // ------------------------------------------------------------------ the missed-deadline rule

    /// @inheritdoc IReferenceRollup
    function proveMissedChunk(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external
    {
        ChunkStatus status = _market.getChunk(roundId, chunkIndex).status;
        if (status != ChunkStatus.Slashed) revert ChunkNotSlashed(roundId, chunkIndex, status);
        if (_rescued[roundId][chunkIndex]) revert ChunkAlreadyRescued(roundId, chunkIndex);
        // A rescue is paid only where it can help a finalization: the chunk's senders are
        // confirmed and its round is not behind the last finalized one.
        if (!_confirmed[roundId][chunkIndex]) revert ChunkNotConfirmed(roundId, chunkIndex);
        if (_anyFinalized && roundId <= _lastFinalizedRound) {
            revert RoundNotAfterLastFinalized(roundId, _lastFinalizedRound);
        }
        (, ChunkStatement memory statement) = _market.provenChunk(roundId, chunkIndex);
        statement.prover = msg.sender;
        _requireValidProof(statement, statementData, proof);
        uint256 reward = _rescueReward < _rewardPool ? _rescueReward : _rewardPool;
        _rescued[roundId][chunkIndex] = true;
        _rewardPool -= reward;
        _rewardsOwed += reward;
        _rewardOf[msg.sender] += reward;
        emit ChunkRescued(roundId, chunkIndex, msg.sender, reward);
    }

    /// @inheritdoc IReferenceRollup
    function fundRescueRewards() external payable {
        if (msg.value == 0) revert FundingZero();
        _rewardPool += msg.value;
        emit RescueRewardsFunded(msg.sender, msg.value, _rewardPool);
    }

    /// @inheritdoc IReferenceRollup
    function claimRescueReward() external {
        uint256 amount = _rewardOf[msg.sender];
        if (amount == 0) revert NoRescueReward(msg.sender);
        _rewardOf[msg.sender] = 0;
        _rewardsOwed -= amount;
        emit RescueRewardClaimed(msg.sender, amount);
        _sendEther(msg.sender, amount);
    }

    // ------------------------------------------------------------------ finalization

    /// @inheritdoc IReferenceRollup
    function finalize(
        uint64 roundId,
        uint256[] calldata roots,
        uint256 accountsRoot,
        uint256 accountCount,
        uint256 depositChain
    ) external {
        if (_anyFinalized && roundId <= _lastFinalizedRound) {
            revert RoundNotAfterLastFinalized(roundId, _lastFinalizedRound);
        }
        Round memory round = _market.getRound(roundId);
        if (round.settledAt == 0) revert RoundNotSettled(roundId);
        uint256 chunkCount = round.chunkCount;
        if (chunkCount == 0) revert RoundHasNoChunks(roundId);
        if (roots.length != chunkCount + 1) revert RootCountMismatch(chunkCount + 1, roots.length);
        if (roots[0] != _stateRoot) revert PreStateRootMismatch(_stateRoot, roots[0]);
        for (uint256 k; k < chunkCount; ++k) {
            _checkFinalChunk(roundId, k, roots[k], roots[k + 1]);
        }
        uint256 opened = _hasher.hash3(accountsRoot, accountCount, depositChain);
        if (opened != roots[chunkCount]) revert StateRootOpeningInvalid(roots[chunkCount], opened);
        uint256 depositPosition = _checkDepositChain(depositChain);

        _stateRoot = opened;
        _accountsRoots[roundId] = accountsRoot;
        _roundFinalized[roundId] = true;
        _anyFinalized = true;
        _lastFinalizedRound = roundId;
        _finalizedDepositPosition = depositPosition;
        emit RoundFinalized(roundId, opened, accountsRoot, depositPosition);
    }

    /// @dev Chunk `chunkIndex` is confirmed, has a recorded proof or was rescued, and its statement
    ///      data is `abi.encode(preStateRoot, postStateRoot)`.
    function _checkFinalChunk(uint64 roundId, uint256 chunkIndex, uint256 preStateRoot, uint256 postStateRoot)
        internal
        view
    {
        if (!_confirmed[roundId][chunkIndex]) revert ChunkNotConfirmed(roundId, chunkIndex);
        if (!_proofRecorded[roundId][chunkIndex] && !_rescued[roundId][chunkIndex]) {
            revert ChunkNotProven(roundId, chunkIndex);
        }
        (, ChunkStatement memory statement) = _market.provenChunk(roundId, chunkIndex);
        bytes32 computed = keccak256(abi.encode(preStateRoot, postStateRoot));
        if (computed != statement.dataHash) revert ChunkRootsMismatch(roundId, chunkIndex, statement.dataHash, computed);
    }

    /// @dev The queue position of `depositChain`: 0 for the empty chain when no deposit is
    ///      finalized yet, else a position at or after the last finalized one.
    function _checkDepositChain(uint256 depositChain) internal view returns (uint256 position) {
        if (depositChain != 0) {
            position = _positionOfChain[depositChain];
            if (position == 0) revert DepositChainUnknown(depositChain);
        }
        if (position < _finalizedDepositPosition) revert DepositChainRewinds(position, _finalizedDepositPosition);
    }

    // ------------------------------------------------------------------ withdrawals

    /// @inheritdoc IReferenceRollup
    function withdraw(uint64 finalizedRound, uint256 balance, uint256 nonce, uint256 index, uint256[8] calldata siblings)
        external
    {
        if (!_roundFinalized[finalizedRound]) revert RootNotFinalized(finalizedRound);
        if (index >> DEPTH != 0) revert LeafIndexOutOfRange(index);
        uint256 node = _hasher.hash3(uint160(exitAddressOf(msg.sender)), balance, nonce);
        for (uint256 level; level < DEPTH; ++level) {
            node = (index >> level) & 1 == 0 ? _hasher.hash2(node, siblings[level]) : _hasher.hash2(siblings[level], node);
        }
        uint256 accountsRoot = _accountsRoots[finalizedRound];
        if (node != accountsRoot) revert MerkleProofInvalid(finalizedRound, accountsRoot, node);
        uint256 already = _withdrawn[msg.sender];
        if (balance <= already) revert NothingToWithdraw(balance, already);
        uint256 amount = balance - already;
        uint256 available = _totalDeposited - _totalWithdrawn;
        if (amount > available) revert WithdrawalExceedsDeposits(amount, available);

        _withdrawn[msg.sender] = balance;
        _totalWithdrawn += amount;
        emit Withdrawn(msg.sender, amount, balance);
        _sendEther(msg.sender, amount);
    }

    /// @dev Sends `amount` wei to `to` with all gas left; reverts `EtherTransferFailed` on failure.
    function _sendEther(address to, uint256 amount) internal {
        (bool sent,) = to.call{value: amount}("");
        if (!sent) revert EtherTransferFailed(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IReferenceRollup
    function stateRoot() external view returns (uint256) {
        return _stateRoot;
    }

    /// @inheritdoc IReferenceRollup
    function emptyStateRoot() external view returns (uint256) {
        return _emptyStateRoot;
    }

    /// @inheritdoc IReferenceRollup
    function lastFinalizedRound() external view returns (bool any, uint64 roundId) {
        return (_anyFinalized, _lastFinalizedRound);
    }

    /// @inheritdoc IReferenceRollup
    function finalizedAccountsRoot(uint64 roundId) external view returns (uint256) {
        if (!_roundFinalized[roundId]) revert RootNotFinalized(roundId);
        return _accountsRoots[roundId];
    }

    /// @inheritdoc IReferenceRollup
    function finalizedDepositPosition() external view returns (uint256) {
        return _finalizedDepositPosition;
    }

    /// @inheritdoc IReferenceRollup
    function depositRecipientCount() external view returns (uint256) {
        return _depositRecipientCount;
    }

    /// @inheritdoc IReferenceRollup
    function depositCount() external view returns (uint256) {
        return _depositCount;
    }

    /// @inheritdoc IReferenceRollup
    function depositAt(uint256 position) external view returns (address recipient, uint256 amount, uint256 chainAfter) {
        QueuedDeposit storage queued = _deposits[position];
        return (queued.recipient, queued.amount, queued.chainAfter);
    }

    /// @inheritdoc IReferenceRollup
    function positionOfChain(uint256 depositChain) external view returns (uint256) {
        return _positionOfChain[depositChain];
    }

    /// @inheritdoc IReferenceRollup
    function isChunkConfirmed(uint64 roundId, uint256 chunkIndex) external view returns (bool) {
        return _confirmed[roundId][chunkIndex];
    }

    /// @inheritdoc IReferenceRollup
    function isChunkProofRecorded(uint64 roundId, uint256 chunkIndex) external view returns (bool) {
        return _proofRecorded[roundId][chunkIndex];
    }

    /// @inheritdoc IReferenceRollup
    function isChunkRescued(uint64 roundId, uint256 chunkIndex) external view returns (bool) {
        return _rescued[roundId][chunkIndex];
    }

    /// @inheritdoc IReferenceRollup
    function withdrawnOf(address user) external view returns (uint256) {
        return _withdrawn[user];
    }

    /// @inheritdoc IReferenceRollup
    function exitAddressOf(address user) public pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("proofmarket.rollup.exit", user)))));
    }

    /// @inheritdoc IReferenceRollup
    function rescueRewardOf(address rescuer) external view returns (uint256) {
        return _rewardOf[rescuer];
    }

    /// @inheritdoc IReferenceRollup
    function rescueRewardPool() external view returns (uint256) {
        return _rewardPool;
    }

    /// @inheritdoc IReferenceRollup
    function totals() external view returns (uint256 deposited, uint256 withdrawn, uint256 rewardsOwed) {
        return (_totalDeposited, _totalWithdrawn, _rewardsOwed);
    }

    /// @inheritdoc IReferenceRollup
    function market() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc IReferenceRollup
    function verifier() external view returns (address) {
        return address(_verifier);
    }

    /// @inheritdoc IReferenceRollup
    function hasher() external view returns (address) {
        return address(_hasher);
    }

    /// @inheritdoc IReferenceRollup
    function rescueReward() external view returns (uint256) {
        return _rescueReward;
    }
}
