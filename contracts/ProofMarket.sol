// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PoseidonChunkCommitment} from "./commitment/PoseidonChunkCommitment.sol";
import {IChunkCommitment} from "./interfaces/IChunkCommitment.sol";
import {IProofMarket} from "./interfaces/IProofMarket.sol";
import {ChunkProofs} from "./libraries/ChunkProofs.sol";
import {ProofBatches} from "./libraries/ProofBatches.sol";
import {Signatures} from "./libraries/Signatures.sol";
import {TransientMarks} from "./libraries/TransientMarks.sol";
import {Ask, AskLib} from "./types/Ask.sol";
import {Bid, BidLib} from "./types/Bid.sol";
import {Chunk, ChunkStatus} from "./types/Chunk.sol";
import {ChunkAssignment} from "./types/ChunkAssignment.sol";
import {ChunkStatement} from "./types/ChunkStatement.sol";
import {CompactSignature} from "./types/CompactSignature.sol";
import {IncludedBid} from "./types/IncludedBid.sol";
import {MarketConfig} from "./types/MarketConfig.sol";
import {ProofSubmission} from "./types/ProofSubmission.sol";
import {Prover} from "./types/Prover.sol";
import {Refund, RefundLib} from "./types/Refund.sol";
import {Round} from "./types/Round.sol";
import {SurplusPolicy} from "./types/SurplusPolicy.sol";
import {Totals} from "./types/Totals.sol";

/// @title ProofMarket
/// @notice Settlement contract of the Prooφ prover market (README.md "One round", steps 1-7).
/// @dev Ordered by the round's lifecycle: config, escrow, registry, bids, settle, prove, slash,
///      withdraw, views. docs/contract.md explains the decisions and the solvency argument.
///
///      NOTE (amounts fit in 128 bits): every wei amount the contract stores is bounded by the ETH
///      it holds, and all ETH in existence is far below 2^128 wei, so the uint128 casts of
///      deposits, charges, payments and collateral below cannot truncate. Sums of calldata
///      amounts are taken in checked uint256 before any such cast. A chunk stores its payment
///      and locked collateral as uint96 (2^96 wei is about 7.9e10 ETH, hundreds of times all ETH
///      in existence): both are bounded by ETH the contract holds (Σ payments <= Σ charges, each
///      charge covered by escrow; κ·x_j <= the prover's free collateral), and a settlement that
///      breaks either bound reverts as a whole.
contract ProofMarket is IProofMarket {
    // ================================================================ constants and state

    uint256 internal constant BPS = 10_000;

    /// @dev The longest round, proving window, exit delay and settlement window: 216,000 blocks
    ///      (30 days of 12-second blocks). Far below 2^64, so block arithmetic cannot overflow.
    uint256 internal constant MAX_WINDOW_BLOCKS = 216_000;
    /// @dev The shortest proving window: a chunk settled in block b can be proven in b, b+1 and
    ///      b+2, and slashed from b+3 on. The owner sets a realistic window; this floor only
    ///      rules out the degenerate 0 and 1 (a chunk slashable in the very next block).
    uint256 internal constant MIN_PROVING_WINDOW_BLOCKS = 2;
    /// @dev The most gas a consumer's callback may be given (`consumerGasLimit`).
    uint256 internal constant MAX_CONSUMER_GAS_LIMIT = 1_000_000;
    /// @dev The largest `maxBidsPerChunk`. A chunk's `slash` and `disputeCommitment` each resolve
    ///      all its bids in one call. A refund into an empty escrow slot costs ~24,500 gas (a new
    ///      slot, 22,100), twice a settled bid, and a dispute adds one on-chain Poseidon hash per
    ///      bid (~31,000 gas): at 256 bids, all refunds cold and empty, a dispute costs ~14.6M gas
    ///      and a slash ~6.5M (measured; docs/contract.md "Gas"), within half a 30M block.
    uint256 internal constant MAX_BIDS_PER_CHUNK = 256;

    /// @dev r, the order of the BN254 scalar field: a chunk commitment is a field element below it.
    uint256 internal constant SCALAR_FIELD_ORDER =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    string internal constant DOMAIN_NAME = "ProofMarket";
    string internal constant DOMAIN_VERSION = "1";

    /// @dev Recomputes a disputed chunk commitment (created by the constructor: its Poseidon
    ///      constants would not fit in this contract's code).
    IChunkCommitment private immutable _chunkCommitment;
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    MarketConfig internal _config;

    /// @inheritdoc IProofMarket
    address public owner;
    /// @inheritdoc IProofMarket
    bool public paused;
    /// @inheritdoc IProofMarket
    address public pendingOwner;

    Totals internal _totals;

    /// @dev Escrow balances; `balanceOf` adds a prover's uncollected `Prover.earnings`.
    mapping(address account => uint256) internal _balances;

    mapping(address prover => Prover) internal _provers;
    mapping(uint64 roundId => Round) internal _rounds;
    mapping(uint64 roundId => mapping(uint256 chunkIndex => Chunk)) internal _chunks;

    /// @dev Reentrancy lock of the functions that send ETH (transient: free after the call).
    bool private transient _entered;

    /// @dev Scratch state of one `settleRound` call, kept in memory to stay clear of stack limits.
    struct Settlement {
        uint64 roundId;
        bytes32 inputHash;
        uint128 priceNum;
        uint128 priceDen;
        uint256 bidCount;
        uint256 chunkCount;
        bytes32 domainSeparator;
        uint256 reservePerConstraint;
        uint256 collateralPerConstraint;
        /// The round's close block: what a prover may take is fixed by it (see Prover).
        uint256 closeBlock;
        /// The round's proving deadline, recorded in the round and in each chunk.
        uint64 deadline;
        /// S under the Rebate policy (known before the bid loop), else zero.
        uint256 rebatePool;
        /// R under the Rebate policy, else zero.
        uint256 rebateBase;
        uint256 charges;
        uint256 rebates;
        uint256 payments;
        uint256 constraints;
    }

    // ================================================================ modifiers

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert MarketPaused();
        _;
    }

    modifier nonReentrant() {
        if (_entered) revert Reentrancy();
        _entered = true;
        _;
        _entered = false;
    }

    // ================================================================ config

    /// @param initialOwner Owner of the market (config, pause).
    /// @param config The initial configuration, validated as in {updateConfig}.
    constructor(address initialOwner, MarketConfig memory config) {
        if (initialOwner == address(0)) revert ZeroAddress("owner");
        _setConfig(config);
        owner = initialOwner;
        _chunkCommitment = new PoseidonChunkCommitment();
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
        emit OwnershipTransferred(address(0), initialOwner);
    }

    /// @inheritdoc IProofMarket
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @inheritdoc IProofMarket
    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// @inheritdoc IProofMarket
    function updateConfig(MarketConfig calldata config) external onlyOwner {
        _setConfig(config);
    }

    /// @inheritdoc IProofMarket
    function pause() external onlyOwner {
        paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IProofMarket
    function unpause() external onlyOwner {
        paused = false;
        emit Unpaused(msg.sender);
    }

    /// @dev Every field's bounds (MarketConfig's NatSpec, docs/contract.md "Configuration").
    ///      NOTE: with these bounds no block arithmetic of the market can overflow its uint64
    ///      (`block.number + provingWindowBlocks`, `block.number + exitDelayBlocks`), no chunk is
    ///      slashable in the block after its settlement, and no exit or capacity decrease takes
    ///      effect for a round that has already closed (exitDelayBlocks >= 1).
    function _setConfig(MarketConfig memory config) internal {
        if (config.clearinghouse == address(0)) revert ZeroAddress("clearinghouse");
        if (config.treasury == address(0)) revert ZeroAddress("treasury");
        if (address(config.verifier) == address(0)) revert ZeroAddress("verifier");
        _checkBounds("reporterShareBps", config.reporterShareBps, 0, BPS);
        _checkBounds("roundLengthBlocks", config.roundLengthBlocks, 1, MAX_WINDOW_BLOCKS);
        _checkBounds("provingWindowBlocks", config.provingWindowBlocks, MIN_PROVING_WINDOW_BLOCKS, MAX_WINDOW_BLOCKS);
        _checkBounds("exitDelayBlocks", config.exitDelayBlocks, 1, MAX_WINDOW_BLOCKS);
        _checkBounds("settlementWindowBlocks", config.settlementWindowBlocks, 1, MAX_WINDOW_BLOCKS);
        _checkBounds("capacityPerRound", config.capacityPerRound, 1, type(uint64).max);
        _checkBounds("maxBidsPerChunk", config.maxBidsPerChunk, 1, MAX_BIDS_PER_CHUNK);
        _checkBounds("consumerGasLimit", config.consumerGasLimit, 0, MAX_CONSUMER_GAS_LIMIT);
        _config = config;
        emit ConfigUpdated(config);
    }

    function _checkBounds(bytes32 field, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ConfigOutOfBounds(field, value, min, max);
    }

    // ================================================================ escrow

    /// @inheritdoc IProofMarket
    function deposit() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        uint256 balance = _balances[msg.sender] + _collectEarnings(msg.sender) + msg.value;
        _balances[msg.sender] = balance;
        _totals.balances += uint128(msg.value);
        emit Deposited(msg.sender, msg.value, balance);
    }

    /// @dev Moves `account`'s uncollected prover earnings into its escrow: zeroes them, moves
    ///      them from `reserved` to `balances` in the totals, and returns them for the caller to
    ///      add to `_balances[account]`, which it writes anyway. `balanceOf` is unchanged.
    function _collectEarnings(address account) internal returns (uint256 earnings) {
        Prover storage prover = _provers[account];
        uint96 amount = prover.earnings;
        if (amount != 0) {
            prover.earnings = 0;
            Totals storage totals = _totals;
            (totals.balances, totals.reserved) = (totals.balances + amount, totals.reserved - amount);
        }
        return amount;
    }

    // ================================================================ prover registry

    /// @inheritdoc IProofMarket
    function registerProver(uint64 capacity) external payable whenNotPaused {
        if (capacity == 0) revert ZeroCapacity();
        Prover storage prover = _provers[msg.sender];
        if (prover.capacity != 0) revert ProverAlreadyRegistered(msg.sender);
        uint256 required = uint256(_config.collateralPerConstraint) * capacity;
        if (msg.value < required) revert InsufficientCollateral(msg.sender, msg.value, required);
        // NOTE: collateral, capacity, exit and locked are all zero here (never registered, or
        // cleared by withdrawCollateral, which requires nothing locked); earnings may remain.
        prover.collateral = uint128(msg.value);
        prover.capacity = capacity;
        _totals.collateral += uint128(msg.value);
        emit ProverRegistered(msg.sender, capacity, msg.value);
    }

    /// @inheritdoc IProofMarket
    function addCollateral() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        Prover storage prover = _registeredProver(msg.sender);
        uint128 collateral = prover.collateral + uint128(msg.value);
        prover.collateral = collateral;
        _totals.collateral += uint128(msg.value);
        emit CollateralAdded(msg.sender, msg.value, collateral);
    }

    /// @inheritdoc IProofMarket
    /// @dev NOTE (no prover action reverts a settlement): the capacity a round may assign is
    ///      fixed by the round's close block (see Prover). Every branch below leaves the capacity
    ///      of every round already closed (close block <= block.number) at least what it was:
    ///      an increase raises it, a decrease only reaches rounds closing from
    ///      `block.number + exitDelayBlocks` (> block.number) on.
    function setCapacity(uint64 capacity) external whenNotPaused {
        if (capacity == 0) revert ZeroCapacity();
        Prover storage prover = _registeredProver(msg.sender);
        if (prover.exitAvailableAt != 0) revert ProverExiting(msg.sender, prover.exitAvailableAt);
        uint256 required = uint256(_config.collateralPerConstraint) * capacity;
        if (prover.collateral < required) revert InsufficientCollateral(msg.sender, prover.collateral, required);
        uint64 current = prover.capacity;
        uint64 changeAt = prover.capacityChangeAt;
        if (changeAt != 0 && block.number >= uint256(changeAt) + _config.settlementWindowBlocks) {
            // No round closing before the decrease can be settled any more: the decreased
            // capacity is now the only one in force.
            current = prover.nextCapacity;
            (prover.capacity, prover.capacityChangeAt, prover.nextCapacity) = (current, 0, 0);
            changeAt = 0;
        }
        if (capacity >= current) {
            // An increase (over every capacity in force) applies at once, to every round.
            (prover.capacity, prover.capacityChangeAt, prover.nextCapacity) = (capacity, 0, 0);
            emit CapacityChanged(msg.sender, current, capacity);
        } else if (changeAt == 0 || block.number < changeAt) {
            // A decrease: rounds closing before `effectiveAt` keep `current`. A pending decrease
            // not yet in force for any closed round is replaced (and re-timed).
            uint64 effectiveAt = uint64(block.number) + _config.exitDelayBlocks;
            (prover.capacityChangeAt, prover.nextCapacity) = (effectiveAt, capacity);
            emit CapacityDecreaseRequested(msg.sender, capacity, effectiveAt);
        } else if (capacity >= prover.nextCapacity) {
            // A decrease already in force for some closed rounds: raising its value is an increase
            // for those rounds, applied at once.
            prover.nextCapacity = capacity;
            emit CapacityDecreaseRequested(msg.sender, capacity, changeAt);
        } else {
            // A second decrease would need a third capacity in force: it waits until the rounds
            // closing before the first one can no longer be settled.
            revert CapacityChangePending(msg.sender, uint256(changeAt) + _config.settlementWindowBlocks);
        }
    }

    /// @inheritdoc IProofMarket
    function requestExit() external {
        Prover storage prover = _registeredProver(msg.sender);
        if (prover.exitAvailableAt != 0) revert ProverExiting(msg.sender, prover.exitAvailableAt);
        // NOTE: exitDelayBlocks >= 1 (config bounds), so the exit takes effect after this block:
        // every round already closed may still assign the prover, whose settlement cannot revert
        // for it (`_lockCollateral`).
        uint64 exitAvailableAt = uint64(block.number) + _config.exitDelayBlocks;
        prover.exitAvailableAt = exitAvailableAt;
        emit ExitRequested(msg.sender, exitAvailableAt);
    }

    /// @inheritdoc IProofMarket
    function withdrawCollateral() external nonReentrant {
        Prover storage prover = _registeredProver(msg.sender);
        uint256 exitAvailableAt = prover.exitAvailableAt;
        if (exitAvailableAt == 0) revert ProverNotExiting(msg.sender);
        // NOTE: a round closing before the exit took effect (close <= exitAvailableAt - 1) can be
        // settled up to its close block plus the settlement window, so before this block; a
        // settlement assigning the prover a chunk after it left would revert.
        uint256 withdrawableAt = exitAvailableAt + _config.settlementWindowBlocks;
        if (block.number < withdrawableAt) revert ExitDelayNotPassed(msg.sender, withdrawableAt, block.number);
        // NOTE: no one escapes a pending slash: collateral stays locked until every chunk of the
        // prover is proven or slashed, and no round can assign it new chunks any more.
        if (prover.locked != 0) revert CollateralLocked(msg.sender, prover.locked);
        uint128 amount = prover.collateral;
        // The registry data goes; uncollected earnings stay (they are part of the balance).
        prover.collateral = 0;
        prover.capacity = 0;
        prover.exitAvailableAt = 0;
        prover.capacityChangeAt = 0;
        prover.nextCapacity = 0;
        _totals.collateral -= amount;
        emit CollateralWithdrawn(msg.sender, amount);
        // NOTE: the ETH goes last, after every effect (checks-effects-interactions).
        _sendEther(msg.sender, amount);
    }

    function _registeredProver(address account) internal view returns (Prover storage prover) {
        prover = _provers[account];
        if (prover.capacity == 0) revert ProverNotRegistered(account);
    }

    // ================================================================ bids

    /// @inheritdoc IProofMarket
    function postBid(Bid calldata bid, CompactSignature calldata signature) external whenNotPaused {
        bytes32 digest = _hashTypedData(_domainSeparator(), BidLib.hashStruct(bid));
        _checkSigner(digest, signature, bid.user, true);
        emit BidPosted(digest, bid.user, bid.round, bid, signature);
    }

    // ================================================================ settle

    /// @inheritdoc IProofMarket
    /// @dev NOTE (no bid is used twice, with no per-bid storage): a bid names its round and is
    ///      accepted only in that round's settlement (BidRoundMismatch); a round settles once
    ///      (RoundAlreadySettled); and within the one settlement each bid digest is marked in
    ///      transient storage (EIP-1153), so a second occurrence reverts BidReused. Marks of a
    ///      reverted call vanish with it; marks left by a successful call can only match bids of
    ///      the same round, which can never settle again. Asks are bound the same way, and each
    ///      prover is marked per round, so it gets at most one chunk.
    function settleRound(
        uint64 roundId,
        bytes32 inputHash,
        uint128 priceNum,
        uint128 priceDen,
        IncludedBid[] calldata bids,
        ChunkAssignment[] calldata chunks
    ) external whenNotPaused {
        MarketConfig memory config = _config;
        if (msg.sender != config.clearinghouse) revert NotClearinghouse(msg.sender);
        Round storage round = _rounds[roundId];
        if (round.settledAt != 0) revert RoundAlreadySettled(roundId, round.settledAt);
        uint256 closeBlock = _roundCloseBlock(config, roundId);
        if (block.number < closeBlock) revert RoundNotClosed(roundId, closeBlock, block.number);
        // NOTE: a bid is usable only in its round's settlement, so once this window is over,
        // every bid signed for a round that was never settled is dead.
        uint256 lastBlock = closeBlock + config.settlementWindowBlocks;
        if (block.number > lastBlock) revert SettlementWindowPassed(roundId, lastBlock, block.number);
        if (priceDen == 0) revert ZeroPriceDenominator();

        Settlement memory settlement = _openSettlement(config, roundId, bids, chunks);
        settlement.closeBlock = closeBlock;
        settlement.inputHash = inputHash;
        settlement.priceNum = priceNum;
        settlement.priceDen = priceDen;
        uint256 cursor;
        for (uint256 chunkIndex; chunkIndex < chunks.length; ++chunkIndex) {
            cursor = _settleChunk(settlement, bids, chunks[chunkIndex], chunkIndex, cursor);
        }
        if (settlement.constraints > config.capacityPerRound) {
            revert RoundCapacityExceeded(settlement.constraints, config.capacityPerRound);
        }
        if (settlement.payments > settlement.charges) {
            revert PaymentsExceedCharges(settlement.payments, settlement.charges);
        }
        _closeSettlement(config, settlement, round);
    }

    /// @dev Checks the chunk layout and sums the payments; under the Rebate policy also sums the
    ///      charges, so each bid's rebate is known when its escrow is debited.
    function _openSettlement(
        MarketConfig memory config,
        uint64 roundId,
        IncludedBid[] calldata bids,
        ChunkAssignment[] calldata chunks
    ) internal view returns (Settlement memory settlement) {
        uint256 assignedBids;
        uint256 payments;
        for (uint256 chunkIndex; chunkIndex < chunks.length; ++chunkIndex) {
            uint256 bidCount = chunks[chunkIndex].bidCount;
            if (bidCount == 0) revert EmptyChunk(chunkIndex);
            // NOTE (every chunk can be slashed): slash refunds all of a chunk's bids in one call,
            // each up to a new escrow slot; bounding the bids bounds that call's gas.
            if (bidCount > config.maxBidsPerChunk) {
                revert TooManyBidsInChunk(chunkIndex, bidCount, config.maxBidsPerChunk);
            }
            bytes32 commitment = chunks[chunkIndex].commitment;
            // NOTE: a commitment >= r names no field element: the circuit's public input could
            // never equal it, so the chunk would be unprovable and its prover slashed for sure.
            if (uint256(commitment) >= SCALAR_FIELD_ORDER) revert CommitmentNotInField(chunkIndex, commitment);
            assignedBids += bidCount;
            payments += chunks[chunkIndex].payment;
        }
        if (assignedBids != bids.length) revert ChunkBidCountMismatch(assignedBids, bids.length);

        settlement.roundId = roundId;
        settlement.bidCount = bids.length;
        settlement.chunkCount = chunks.length;
        settlement.domainSeparator = _domainSeparator();
        settlement.reservePerConstraint = config.reservePerConstraint;
        settlement.collateralPerConstraint = config.collateralPerConstraint;
        settlement.deadline = uint64(block.number) + config.provingWindowBlocks;
        if (config.surplusPolicy == SurplusPolicy.Rebate) {
            uint256 revenue;
            for (uint256 i; i < bids.length; ++i) {
                revenue += bids[i].charge;
            }
            if (payments > revenue) revert PaymentsExceedCharges(payments, revenue);
            settlement.rebatePool = revenue - payments;
            settlement.rebateBase = revenue;
        }
    }

    /// @dev Settles the bids `[start, start + bidCount)` of one chunk, then its ask. Returns the end.
    function _settleChunk(
        Settlement memory settlement,
        IncludedBid[] calldata bids,
        ChunkAssignment calldata assignment,
        uint256 chunkIndex,
        uint256 start
    ) internal returns (uint256 end) {
        end = start + assignment.bidCount;
        uint256 constraints;
        bytes32 refundHash_;
        for (uint256 i = start; i < end; ++i) {
            IncludedBid calldata included = bids[i];
            constraints += _settleBid(settlement, included);
            refundHash_ = RefundLib.chain(refundHash_, included.bid.user, included.charge, included.bid.txHash);
        }
        _assignChunk(settlement, assignment, chunkIndex, constraints, refundHash_);
    }

    /// @dev Every check of one included bid, then its escrow debit (net of its rebate).
    function _settleBid(Settlement memory settlement, IncludedBid calldata included)
        internal
        returns (uint256 constraints)
    {
        Bid calldata bid = included.bid;
        bytes32 digest = _hashTypedData(settlement.domainSeparator, BidLib.hashStruct(bid));
        if (bid.round != settlement.roundId) revert BidRoundMismatch(digest, bid.round, settlement.roundId);
        constraints = bid.constraints;
        if (constraints == 0) revert ZeroConstraints(digest);
        uint256 charge = included.charge;
        if (charge > bid.maxFee) revert ChargeExceedsMaxFee(digest, charge, bid.maxFee);
        if (charge < settlement.reservePerConstraint * constraints) {
            revert ChargeBelowReserve(digest, charge, constraints, settlement.reservePerConstraint);
        }
        _checkSigner(digest, included.signature, bid.user, true);
        if (TransientMarks.markOnce(digest)) revert BidReused(digest);

        address user = bid.user;
        uint256 balance = _balances[user];
        // A prover's uncollected earnings count too: collected only when needed, to spare every
        // other bid the read of a registry entry.
        if (balance < charge) balance += _collectEarnings(user);
        if (balance < charge) revert InsufficientEscrow(digest, user, balance, charge);
        uint256 rebate;
        if (settlement.rebatePool != 0) {
            // NOTE: rebate <= charge because rebatePool = R - Σ payments <= R = rebateBase (> 0).
            rebate = settlement.rebatePool * charge / settlement.rebateBase;
            settlement.rebates += rebate;
        }
        // NOTE: cannot underflow: balance >= charge >= rebate, checked above.
        unchecked {
            _balances[user] = balance - charge + rebate;
        }
        settlement.charges += charge;
    }

    /// @dev Every check of one winning ask against its chunk, then the collateral lock and the
    ///      chunk's record.
    function _assignChunk(
        Settlement memory settlement,
        ChunkAssignment calldata assignment,
        uint256 chunkIndex,
        uint256 constraints,
        bytes32 refundHash_
    ) internal {
        address prover = _checkAsk(settlement, assignment.ask, assignment.askSignature);
        uint256 collateral = _lockCollateral(settlement, prover, chunkIndex, constraints);
        uint256 payment = assignment.payment;
        uint256 askTotal = assignment.ask.unitCost * constraints;
        if (payment < askTotal) revert PaymentBelowAsk(chunkIndex, prover, payment, askTotal);
        settlement.constraints += constraints;
        settlement.payments += payment;

        // NOTE: constraints <= the prover's capacity, a uint64, so the cast cannot truncate.
        Chunk storage chunk = _chunks[settlement.roundId][chunkIndex];
        chunk.prover = prover;
        chunk.constraints = uint64(constraints);
        chunk.status = ChunkStatus.Pending;
        chunk.payment = uint96(payment);
        chunk.collateral = uint96(collateral);
        chunk.deadline = settlement.deadline;
        chunk.commitment = assignment.commitment;
        chunk.refundHash = refundHash_;
        bytes32 dataHash = ChunkProofs.statementDataHash(assignment.statementData);
        // NOTE (gas): a chunk without statement data leaves its fifth slot zero, unwritten.
        if (dataHash != bytes32(0)) (chunk.hasStatementData, chunk.statementDataHash) = (true, dataHash);
        _emitChunkAssigned(settlement.roundId, chunkIndex, chunk, dataHash);
    }

    /// @dev ChunkAssigned from the chunk just written (warm slots: a stack of locals would not fit).
    function _emitChunkAssigned(uint64 roundId, uint256 chunkIndex, Chunk storage chunk, bytes32 dataHash) private {
        emit ChunkAssigned(
            roundId,
            chunkIndex,
            chunk.prover,
            chunk.constraints,
            chunk.payment,
            chunk.collateral,
            chunk.commitment,
            chunk.refundHash,
            dataHash
        );
    }

    /// @dev `ChunkStatement.dataHash` of `statementData`: its keccak256, or zero when it is empty.
    /// @dev The ask is for this round and signed by its prover; returns the prover.
    function _checkAsk(Settlement memory settlement, Ask calldata ask, CompactSignature calldata signature)
        internal
        pure
        returns (address prover)
    {
        bytes32 digest = _hashTypedData(settlement.domainSeparator, AskLib.hashStruct(ask));
        if (ask.round != settlement.roundId) revert AskRoundMismatch(digest, ask.round, settlement.roundId);
        prover = ask.prover;
        _checkSigner(digest, signature, prover, false);
    }

    /// @dev The prover may take this chunk (registered, not exiting, once per round, within its
    ///      capacity and free collateral); locks and returns κ·x_j.
    function _lockCollateral(Settlement memory settlement, address proverAddress, uint256 chunkIndex, uint256 constraints)
        internal
        returns (uint256 collateral)
    {
        Prover storage prover = _registeredProver(proverAddress);
        // NOTE: eligibility and capacity are those in force for the round's close block, never the
        // settlement's: an exit or a decrease requested after the close takes effect later.
        uint256 closeBlock = settlement.closeBlock;
        uint256 exitAvailableAt = prover.exitAvailableAt;
        if (exitAvailableAt != 0 && closeBlock >= exitAvailableAt) revert ProverExiting(proverAddress, exitAvailableAt);
        if (TransientMarks.markOnce(keccak256(abi.encode(settlement.roundId, proverAddress)))) {
            revert ProverAssignedTwice(proverAddress);
        }
        uint256 capacity = prover.capacity;
        uint256 changeAt = prover.capacityChangeAt;
        if (changeAt != 0 && closeBlock >= changeAt) capacity = prover.nextCapacity;
        if (constraints > capacity) {
            revert ChunkExceedsProverCapacity(chunkIndex, proverAddress, constraints, capacity);
        }
        collateral = settlement.collateralPerConstraint * constraints;
        uint256 locked = prover.locked;
        // NOTE: cannot underflow: locked <= collateral (see Prover).
        uint256 free = prover.collateral - locked;
        if (free < collateral) revert InsufficientFreeCollateral(proverAddress, free, collateral);
        prover.locked = uint96(locked + collateral);
    }

    /// @dev Distributes the surplus, updates the totals and records the round.
    function _closeSettlement(MarketConfig memory config, Settlement memory settlement, Round storage round)
        internal
    {
        // NOTE: cannot underflow: payments <= charges was checked by the caller.
        uint256 surplus = settlement.charges - settlement.payments;
        uint256 toTreasury;
        uint256 burned;
        if (config.surplusPolicy == SurplusPolicy.Treasury) {
            toTreasury = surplus;
        } else if (config.surplusPolicy == SurplusPolicy.Burn) {
            burned = surplus;
        } else {
            // NOTE: Σ floor(S·c_i/R) <= S, so the dust cannot underflow.
            toTreasury = surplus - settlement.rebates;
        }
        if (toTreasury != 0) _balances[config.treasury] += toTreasury;

        // Charges left the balances; rebates and the treasury's part came back; payments are
        // reserved for the chunks; a burned surplus is held. The sum of the buckets is unchanged.
        // NOTE: what comes back is added before the charges are taken out: a rebate credited
        // earlier in this settlement may have paid a later charge, so Σ charges can exceed the
        // balances held before it, never the balances plus what came back.
        Totals memory totals = _totals;
        totals.balances = uint128(uint256(totals.balances) + settlement.rebates + toTreasury - settlement.charges);
        totals.reserved += uint128(settlement.payments);
        totals.burned += uint128(burned);
        _totals = totals;

        // NOTE: counts of calldata arrays are far below 2^32 within any block's gas limit.
        Round memory record = Round({
            inputHash: settlement.inputHash,
            priceNum: settlement.priceNum,
            priceDen: settlement.priceDen,
            revenue: uint128(settlement.charges),
            surplus: uint128(surplus),
            settledAt: uint64(block.number),
            deadline: settlement.deadline,
            bidCount: uint32(settlement.bidCount),
            chunkCount: uint32(settlement.chunkCount),
            surplusPolicy: config.surplusPolicy
        });
        // Storage layout is written slot by slot from the memory record.
        _storeRound(round, record);
        _emitRoundSettled(settlement, record);
    }

    function _storeRound(Round storage round, Round memory record) private {
        round.inputHash = record.inputHash;
        round.priceNum = record.priceNum;
        round.priceDen = record.priceDen;
        round.revenue = record.revenue;
        round.surplus = record.surplus;
        round.settledAt = record.settledAt;
        round.deadline = record.deadline;
        round.bidCount = record.bidCount;
        round.chunkCount = record.chunkCount;
        round.surplusPolicy = record.surplusPolicy;
    }

    function _emitRoundSettled(Settlement memory settlement, Round memory record) private {
        emit RoundSettled(
            settlement.roundId,
            record.inputHash,
            record.priceNum,
            record.priceDen,
            record.bidCount,
            record.chunkCount,
            record.revenue,
            settlement.payments,
            record.surplus,
            record.surplusPolicy,
            record.deadline
        );
    }

    // ================================================================ prove

    /// @inheritdoc IProofMarket
    /// @dev Anyone may submit (a relayer, a watchtower): the payment always goes to the chunk's
    ///      prover, and the proof binds the whole statement (prover, round, chunk, commitment,
    ///      data), so copying or reusing a proof gains nothing. The steps are ChunkProofs', shared
    ///      with `submitProofs`.
    function submitProof(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external
    {
        Chunk storage chunk = _pendingChunk(roundId, chunkIndex);
        ChunkStatement memory statement = ChunkProofs.provableStatement(roundId, chunkIndex, chunk, statementData);
        MarketConfig storage config = _config;
        ChunkProofs.requireValidProof(config.verifier, statement, statementData, proof);
        ChunkProofs.recordProof(chunk, _provers[statement.prover], statement);
        ChunkProofs.notifyConsumer(config, statement, statementData);
    }

    /// @inheritdoc IProofMarket
    /// @dev The work is done by the linked library ProofBatches (a DELEGATECALL, on this
    ///      contract's storage), which keeps this contract under the code size limit (EIP-170).
    ///      The call is built by hand: `ProofBatches.submitProofs(_config, _chunks, _provers,
    ///      submissions)` in Solidity would re-encode the submissions, and its encoder alone is
    ///      about 400 bytes of code this contract has no room for. The arguments are the three
    ///      storage slots and the submissions' ABI encoding copied as it is (its offsets are
    ///      relative to its own start, so they stay valid); the library decodes and checks it.
    function submitProofs(ProofSubmission[] calldata submissions) external {
        address batches = address(ProofBatches);
        bytes4 selector = ProofBatches.submitProofs.selector;
        uint256 configSlot;
        uint256 chunksSlot;
        uint256 proversSlot;
        assembly ("memory-safe") {
            configSlot := _config.slot
            chunksSlot := _chunks.slot
            proversSlot := _provers.slot
        }
        assembly ("memory-safe") {
            // The array's encoding: its length word (at submissions.offset - 32) to the calldata's end.
            let start := sub(submissions.offset, 0x20)
            let size := sub(calldatasize(), start)
            let input := mload(0x40)
            mstore(input, selector)
            mstore(add(input, 0x04), configSlot)
            mstore(add(input, 0x24), chunksSlot)
            mstore(add(input, 0x44), proversSlot)
            mstore(add(input, 0x64), 0x80)
            calldatacopy(add(input, 0x84), start, size)
            let success := delegatecall(gas(), batches, input, add(0x84, size), 0, 0)
            // NOTE: the library's revert (a market error) is passed on as it is.
            returndatacopy(input, 0, returndatasize())
            if iszero(success) { revert(input, returndatasize()) }
        }
    }

    function _pendingChunk(uint64 roundId, uint256 chunkIndex) internal view returns (Chunk storage chunk) {
        chunk = _chunks[roundId][chunkIndex];
        ChunkStatus status = chunk.status;
        if (status == ChunkStatus.None) revert ChunkNotFound(roundId, chunkIndex);
        if (status != ChunkStatus.Pending) revert ChunkNotPending(roundId, chunkIndex, status);
    }

    // ================================================================ slash

    /// @inheritdoc IProofMarket
    /// @dev Deliberate deviation from the original design's `slash(round, chunk)`: the refund list comes as
    ///      calldata, checked against the chunk's stored hash, so settlement stores nothing per bid.
    ///
    ///      NOTE (never insolvent): the pool is exactly the chunk's reserved payment P_j plus the
    ///      prover's locked κ·x_j, both held by the contract. Refunds are the users' net charges
    ///      if the pool covers them, else floor(net_i·pool/owed), whose sum is at most the pool;
    ///      the reporter and the treasury split the rest. Everything credited is exactly the pool,
    ///      taken out of `reserved` and `collateral` and added to `balances`.
    function slash(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds) external {
        Chunk storage chunk = _pendingChunk(roundId, chunkIndex);
        Round storage round = _rounds[roundId];
        uint256 deadline = chunk.deadline;
        if (block.number <= deadline) revert ProvingDeadlineNotPassed(roundId, chunkIndex, deadline, block.number);
        RefundTerms memory terms = _checkRefundList(roundId, chunkIndex, chunk, round, refunds);
        uint256 refunded = _payRefunds(refunds, terms, uint256(chunk.payment) + chunk.collateral);
        _resolveSlash(roundId, chunkIndex, chunk, refunded);
    }

    /// @dev How a chunk's refunds are computed: the round's rebate terms and Σ net charges owed.
    struct RefundTerms {
        uint256 rebatePool;
        uint256 rebateBase;
        uint256 owed;
    }

    /// @dev Checks the refund list against the chunk's stored hash; returns its refund terms.
    function _checkRefundList(
        uint64 roundId,
        uint256 chunkIndex,
        Chunk storage chunk,
        Round storage round,
        Refund[] calldata refunds
    ) internal view returns (RefundTerms memory terms) {
        if (round.surplusPolicy == SurplusPolicy.Rebate) {
            (terms.rebatePool, terms.rebateBase) = (round.surplus, round.revenue);
        }
        bytes32 actualHash;
        (actualHash, terms.owed) = _refundListTotals(refunds, terms.rebatePool, terms.rebateBase);
        bytes32 expectedHash = chunk.refundHash;
        if (actualHash != expectedHash) revert RefundListMismatch(roundId, chunkIndex, expectedHash, actualHash);
    }

    /// @dev Splits what the refunds left of the pool, slashes the prover, marks the chunk.
    function _resolveSlash(uint64 roundId, uint256 chunkIndex, Chunk storage chunk, uint256 refunded) internal {
        uint96 payment = chunk.payment;
        uint96 collateral = chunk.collateral;
        uint256 pool = uint256(payment) + collateral;
        // NOTE: cannot underflow: refunded <= pool (see the solvency note on `slash`).
        uint256 remainder = pool - refunded;
        address proverAddress = chunk.prover;
        // NOTE: a prover reporting its own default gets no reporter share (it goes to the
        // treasury), so it cannot take back part of its penalty that way.
        uint256 reporterReward = msg.sender == proverAddress ? 0 : remainder * _config.reporterShareBps / BPS;
        uint256 treasuryShare = remainder - reporterReward;

        chunk.status = ChunkStatus.Slashed;
        Prover storage prover = _provers[proverAddress];
        // NOTE: the prover is still registered: its locked collateral blocks withdrawCollateral,
        // and its locked amount includes this chunk's.
        prover.collateral -= collateral;
        prover.locked -= collateral;
        if (reporterReward != 0) _balances[msg.sender] += reporterReward;
        if (treasuryShare != 0) _balances[_config.treasury] += treasuryShare;
        Totals memory totals = _totals;
        totals.reserved -= payment;
        totals.collateral -= collateral;
        totals.balances += uint128(pool);
        _totals = totals;
        emit ChunkSlashed(
            roundId, chunkIndex, proverAddress, msg.sender, collateral, refunded, reporterReward, treasuryShare
        );
    }

    /// @dev The chained hash of `refunds` and Σ net charges owed to them.
    function _refundListTotals(Refund[] calldata refunds, uint256 rebatePool, uint256 rebateBase)
        internal
        pure
        returns (bytes32 hash, uint256 owed)
    {
        for (uint256 i; i < refunds.length; ++i) {
            Refund calldata refund = refunds[i];
            hash = RefundLib.chain(hash, refund.user, refund.charge, refund.txHash);
            owed += _netCharge(refund.charge, rebatePool, rebateBase);
        }
    }

    /// @dev Credits each refund: in full if `pool` covers what is owed, else pro rata rounding down.
    function _payRefunds(Refund[] calldata refunds, RefundTerms memory terms, uint256 pool)
        internal
        returns (uint256 refunded)
    {
        (uint256 rebatePool, uint256 rebateBase, uint256 owed) = (terms.rebatePool, terms.rebateBase, terms.owed);
        bool inFull = owed <= pool;
        for (uint256 i; i < refunds.length; ++i) {
            uint256 net = _netCharge(refunds[i].charge, rebatePool, rebateBase);
            // NOTE: owed > pool >= 0 in the pro-rata branch, so the division is safe.
            uint256 amount = inFull ? net : net * pool / owed;
            if (amount != 0) _balances[refunds[i].user] += amount;
            refunded += amount;
        }
    }

    /// @dev What the user actually paid for a bid: its charge less the rebate it got at settlement.
    function _netCharge(uint256 charge, uint256 rebatePool, uint256 rebateBase) internal pure returns (uint256) {
        // NOTE: rebateBase is R > 0 whenever rebatePool is non-zero, and the rebate <= charge.
        return rebatePool == 0 ? charge : charge - rebatePool * charge / rebateBase;
    }

    // ================================================================ dispute

    /// @inheritdoc IProofMarket
    /// @dev NOTE (nobody profits): the prover's collateral is released, not taken; the users are
    ///      refunded from the chunk's reserved payment P_j alone (pro rata if it falls short), and
    ///      what P_j leaves is burned. The caller, the treasury and the clearinghouse get nothing.
    ///      NOTE (gas): one Poseidon hash per bid (~31k gas) on top of the refunds; bounded by
    ///      MAX_BIDS_PER_CHUNK. The commitment contract is this market's own, created by its
    ///      constructor, and its function is `pure` (a STATICCALL): it cannot re-enter.
    function disputeCommitment(uint64 roundId, uint256 chunkIndex, Refund[] calldata refunds) external {
        Chunk storage chunk = _pendingChunk(roundId, chunkIndex);
        RefundTerms memory terms = _checkRefundList(roundId, chunkIndex, chunk, _rounds[roundId], refunds);
        bytes32[] memory transactionHashes = new bytes32[](refunds.length);
        for (uint256 i; i < refunds.length; ++i) {
            transactionHashes[i] = refunds[i].txHash;
        }
        bytes32 recorded = chunk.commitment;
        bytes32 recomputed = _chunkCommitment.commitmentOf(transactionHashes);
        if (recomputed == recorded) revert CommitmentMatches(roundId, chunkIndex, recorded);

        uint256 refunded = _payRefunds(refunds, terms, chunk.payment);
        _resolveDispute(roundId, chunkIndex, chunk, recorded, recomputed, refunded);
    }

    /// @dev Releases the prover's collateral, burns what the refunds left of the payment, marks
    ///      the chunk.
    function _resolveDispute(
        uint64 roundId,
        uint256 chunkIndex,
        Chunk storage chunk,
        bytes32 recorded,
        bytes32 recomputed,
        uint256 refunded
    ) internal {
        uint96 payment = chunk.payment;
        // NOTE: cannot underflow: refunded <= payment, the pool `_payRefunds` was given.
        uint256 burned = payment - refunded;
        address proverAddress = chunk.prover;
        chunk.status = ChunkStatus.Disputed;
        // NOTE: the prover's locked amount includes this chunk's collateral, locked at settlement.
        _provers[proverAddress].locked -= chunk.collateral;
        Totals memory totals = _totals;
        totals.reserved -= payment;
        totals.balances += uint128(refunded);
        totals.burned += uint128(burned);
        _totals = totals;
        emit ChunkDisputed(roundId, chunkIndex, proverAddress, msg.sender, recorded, recomputed, refunded, burned);
    }

    // ================================================================ withdraw

    /// @inheritdoc IProofMarket
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = _balances[msg.sender] + _collectEarnings(msg.sender);
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        // NOTE: cannot underflow: checked just above.
        unchecked {
            _balances[msg.sender] = balance - amount;
        }
        _totals.balances -= uint128(amount);
        emit Withdrawn(msg.sender, amount, balance - amount);
        // NOTE: the ETH goes last, after every effect (checks-effects-interactions).
        _sendEther(msg.sender, amount);
    }

    function _sendEther(address to, uint256 amount) internal {
        (bool sent,) = to.call{value: amount}("");
        if (!sent) revert EtherTransferFailed(to, amount);
    }

    // ================================================================ views

    /// @inheritdoc IProofMarket
    function getConfig() external view returns (MarketConfig memory) {
        return _config;
    }

    /// @inheritdoc IProofMarket
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account] + _provers[account].earnings;
    }

    /// @inheritdoc IProofMarket
    function getProver(address prover) external view returns (Prover memory) {
        return _provers[prover];
    }

    /// @inheritdoc IProofMarket
    function getRound(uint64 roundId) external view returns (Round memory) {
        return _rounds[roundId];
    }

    /// @inheritdoc IProofMarket
    function getChunk(uint64 roundId, uint256 chunkIndex) external view returns (Chunk memory) {
        return _chunks[roundId][chunkIndex];
    }

    /// @inheritdoc IProofMarket
    function provenChunk(uint64 roundId, uint256 chunkIndex)
        external
        view
        returns (bool proven, ChunkStatement memory statement)
    {
        Chunk storage chunk = _chunks[roundId][chunkIndex];
        proven = chunk.status == ChunkStatus.Proven;
        statement = ChunkStatement({
            roundId: roundId,
            chunkIndex: chunkIndex,
            prover: chunk.prover,
            commitment: chunk.commitment,
            dataHash: chunk.statementDataHash
        });
    }

    /// @inheritdoc IProofMarket
    function roundProven(uint64 roundId) external view returns (bool) {
        Round storage round = _rounds[roundId];
        if (round.settledAt == 0) return false;
        uint256 count = round.chunkCount;
        for (uint256 i; i < count; ++i) {
            if (_chunks[roundId][i].status != ChunkStatus.Proven) return false;
        }
        return true;
    }

    /// @inheritdoc IProofMarket
    function chunkCommitment() external view returns (address) {
        return address(_chunkCommitment);
    }

    /// @inheritdoc IProofMarket
    function getTotals() external view returns (Totals memory) {
        return _totals;
    }

    /// @inheritdoc IProofMarket
    function currentRound() external view returns (uint64) {
        uint256 genesisBlock = _config.genesisBlock;
        if (block.number < genesisBlock) revert BeforeGenesis(genesisBlock, block.number);
        return uint64((block.number - genesisBlock) / _config.roundLengthBlocks);
    }

    /// @inheritdoc IProofMarket
    function roundOpenBlock(uint64 roundId) external view returns (uint256) {
        return uint256(_config.genesisBlock) + uint256(roundId) * _config.roundLengthBlocks;
    }

    /// @inheritdoc IProofMarket
    function roundCloseBlock(uint64 roundId) external view returns (uint256) {
        return _roundCloseBlock(_config, roundId);
    }

    function _roundCloseBlock(MarketConfig memory config, uint64 roundId) internal pure returns (uint256) {
        return uint256(config.genesisBlock) + (uint256(roundId) + 1) * config.roundLengthBlocks;
    }

    /// @inheritdoc IProofMarket
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IProofMarket
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
        )
    {
        return (hex"0f", DOMAIN_NAME, DOMAIN_VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /// @inheritdoc IProofMarket
    function bidDigest(Bid calldata bid) external view returns (bytes32) {
        return _hashTypedData(_domainSeparator(), BidLib.hashStruct(bid));
    }

    /// @inheritdoc IProofMarket
    function askDigest(Ask calldata ask) external view returns (bytes32) {
        return _hashTypedData(_domainSeparator(), AskLib.hashStruct(ask));
    }

    /// @inheritdoc IProofMarket
    function refundHash(Refund[] calldata refunds) external pure returns (bytes32 hash) {
        (hash,) = _refundListTotals(refunds, 0, 0);
    }

    // ================================================================ EIP-712 internals

    function _domainSeparator() internal view returns (bytes32) {
        // NOTE: recomputed after a chain split, so signatures never replay across chain ids.
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256(bytes(DOMAIN_NAME)),
                keccak256(bytes(DOMAIN_VERSION)),
                block.chainid,
                address(this)
            )
        );
    }

    function _hashTypedData(bytes32 separator, bytes32 structHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", separator, structHash));
    }

    /// @dev Reverts unless `signature` over `digest` is canonical and recovers to `expected` != 0.
    function _checkSigner(bytes32 digest, CompactSignature calldata signature, address expected, bool isBid)
        internal
        pure
    {
        (address signer, uint256 s, bool canonical) = Signatures.recover(digest, signature);
        if (!canonical) revert NonCanonicalSignature(digest, s);
        if (signer == address(0) || signer != expected) {
            if (isBid) revert InvalidBidSignature(digest, expected, signer);
            revert InvalidAskSignature(digest, expected, signer);
        }
    }
}
