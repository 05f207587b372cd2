// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {SurplusPolicy} from "./SurplusPolicy.sol";

/// @notice The market's parameters, set by the owner (field order packs them into five slots).
struct MarketConfig {
    /// The only address that may call `settleRound`.
    address clearinghouse;
    /// Round 0 opens at this block; round r opens at `genesisBlock + r * roundLengthBlocks`.
    uint64 genesisBlock;
    /// Reporter's share, in basis points, of what a slash leaves after refunds.
    uint16 reporterShareBps;
    /// Where each round's surplus goes, fixed for a round at its settlement.
    SurplusPolicy surplusPolicy;
    /// Receives surplus, rebate dust and the non-reporter share of slashes (credited balance).
    address treasury;
    /// Length of a round in blocks (>= 1).
    uint64 roundLengthBlocks;
    /// Checks chunk proofs.
    IProofVerifier verifier;
    /// A chunk's deadline is its settlement block plus this many blocks.
    uint64 provingWindowBlocks;
    /// C: the most constraints one round may include (>= 1).
    uint64 capacityPerRound;
    /// A prover may withdraw its collateral this many blocks after `requestExit`.
    uint64 exitDelayBlocks;
    /// A round can be settled up to and including block `roundCloseBlock + settlementWindowBlocks`
    /// (>= 1), and never after: signed bids for a round that was never settled expire with it.
    uint64 settlementWindowBlocks;
    /// ρ: every charge must be at least `reservePerConstraint * constraints`.
    uint128 reservePerConstraint;
    /// κ: collateral in wei per constraint of capacity, and locked per assigned constraint.
    uint128 collateralPerConstraint;
}
