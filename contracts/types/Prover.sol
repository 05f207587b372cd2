// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A registered prover (two storage slots).
/// @dev Registered if and only if `capacity != 0`. NOTE: `locked <= collateral` always: locking
///      requires free collateral, and unlocking or slashing removes exactly what a chunk locked.
struct Prover {
    /// Collateral held for the prover, in wei.
    uint128 collateral;
    /// Part of `collateral` locked by unresolved chunks.
    uint128 locked;
    /// s_j: constraints the prover can prove per round.
    uint64 capacity;
    /// Zero if the prover is not exiting; else the first block `withdrawCollateral` succeeds.
    uint64 exitAvailableAt;
}
