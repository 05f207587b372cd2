// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A registered prover (two storage slots).
/// @dev Registered if and only if `capacity != 0`. NOTE: `locked <= collateral` always: locking
///      requires free collateral, and unlocking or slashing removes exactly what a chunk locked.
///      Slot 0 holds what `submitProof` changes (`locked` and `earnings`) next to `capacity`, so a
///      proof writes one slot of the prover and its payment needs no slot of its own, and the
///      slot is never zero while the prover is registered (a settlement's lock never pays for a
///      new slot). Amounts in slot 0 are uint96: see the NOTE on amounts in ProofMarket.
struct Prover {
    /// Part of `collateral` locked by unresolved chunks.
    uint96 locked;
    /// Payments of proven chunks not yet collected into the prover's escrow balance. Part of
    /// `balanceOf`, and counted in `Totals.reserved` until collected (by the prover's next
    /// `deposit` or `withdraw`, or a settlement its escrow alone does not cover). Survives an exit.
    uint96 earnings;
    /// s_j: constraints the prover can prove per round.
    uint64 capacity;
    /// Collateral held for the prover, in wei.
    uint128 collateral;
    /// Zero if the prover is not exiting; else the first block `withdrawCollateral` succeeds.
    uint64 exitAvailableAt;
}
