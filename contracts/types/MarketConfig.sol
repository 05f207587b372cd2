// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "../interfaces/IChunkConsumer.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {SurplusPolicy} from "./SurplusPolicy.sol";

/// @notice The market's parameters, set by the owner (field order packs them into six slots).
/// @dev Each field's bounds are stated beside it; the constructor and `updateConfig` revert
///      `ConfigOutOfBounds(field, value, min, max)` (or `ZeroAddress(field)`) outside them.
struct MarketConfig {
    /// The only address that may call `settleRound` (non-zero).
    address clearinghouse;
    /// Round 0 opens at this block; round r opens at `genesisBlock + r * roundLengthBlocks`.
    /// Any uint64 (round arithmetic is done in uint256).
    uint64 genesisBlock;
    /// Reporter's share, in basis points, of what a slash leaves after refunds: [0, 10,000].
    uint16 reporterShareBps;
    /// Where each round's surplus goes, fixed for a round at its settlement (any enum value).
    SurplusPolicy surplusPolicy;
    /// Receives surplus, rebate dust and the non-reporter share of slashes (credited balance;
    /// non-zero).
    address treasury;
    /// Length of a round in blocks: [1, 216,000].
    uint64 roundLengthBlocks;
    /// The most bids one chunk may hold: [1, 256]. Bounds a chunk's `slash` and
    /// `disputeCommitment`, which refund every bid in one call (a dispute also hashes each bid's
    /// txHash): at 256, all into empty escrow slots, a dispute costs about 14.3M gas (docs/contract.md).
    uint32 maxBidsPerChunk;
    /// Checks chunk proofs (non-zero).
    IProofVerifier verifier;
    /// A chunk's deadline is its settlement block plus this many blocks: [2, 216,000].
    uint64 provingWindowBlocks;
    /// The most gas the consumer's callback may use: [0, 1,000,000]; 0 turns the callback off.
    /// (In the verifier's slot, so a proof reads the consumer's own slot only when it is on.)
    uint32 consumerGasLimit;
    /// C: the most constraints one round may include: [1, 2^64 - 1].
    uint64 capacityPerRound;
    /// A prover may withdraw its collateral this many blocks after `requestExit`: [1, 216,000].
    uint64 exitDelayBlocks;
    /// A round can be settled up to and including block `roundCloseBlock + settlementWindowBlocks`
    /// ([1, 216,000]), and never after: signed bids for a round that was never settled expire.
    uint64 settlementWindowBlocks;
    /// ρ: every charge must be at least `reservePerConstraint * constraints` (any uint128).
    uint128 reservePerConstraint;
    /// κ: collateral in wei per constraint of capacity, and locked per assigned constraint (any
    /// uint128; zero means provers post no collateral and a slash refunds only from the payment).
    uint128 collateralPerConstraint;
    /// Called back (`IChunkConsumer.onChunkProven`, with `consumerGasLimit` gas, after the
    /// payment; a failure is caught) when a chunk is proven, or zero for none.
    IChunkConsumer consumer;
}
