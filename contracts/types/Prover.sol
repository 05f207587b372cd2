// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A registered prover (three storage slots; settlement reads the third only when a
///         capacity decrease is in force for the round).
/// @dev Registered if and only if `capacity != 0`. NOTE: `locked <= collateral` always: locking
///      requires free collateral, and unlocking or slashing removes exactly what a chunk locked.
///      Slot 0 holds what `submitProof` changes (`locked` and `earnings`) next to `capacity`, so a
///      proof writes one slot of the prover and its payment needs no slot of its own, and the
///      slot is never zero while the prover is registered (a settlement's lock never pays for a
///      new slot). Amounts in slot 0 are uint96: see the NOTE on amounts in ProofMarket.
///
///      NOTE (fixed capacity across rounds): what a round may assign a prover depends only on the
///      round's close block, never on when it is settled. A decrease or an exit requested in
///      block t takes effect at `t + exitDelayBlocks` (>= t + 1): rounds closing before that
///      block keep the old capacity and may still assign the prover. So nothing a prover does
///      after a round closed can make that round's settlement revert; increases apply at once.
struct Prover {
    /// Part of `collateral` locked by unresolved chunks.
    uint96 locked;
    /// Payments of proven chunks not yet collected into the prover's escrow balance. Part of
    /// `balanceOf`, and counted in `Totals.reserved` until collected (by the prover's next
    /// `deposit` or `withdraw`, or a settlement its escrow alone does not cover). Survives an exit.
    uint96 earnings;
    /// s_j: constraints the prover can prove per round, for rounds closing before
    /// `capacityChangeAt` (for every round if no decrease is pending).
    uint64 capacity;
    /// Collateral held for the prover, in wei.
    uint128 collateral;
    /// Zero if the prover is not exiting; else the block its exit takes effect: rounds closing
    /// at or after it cannot assign the prover (`ProverExiting`), earlier ones still can.
    /// `withdrawCollateral` succeeds from `exitAvailableAt + settlementWindowBlocks` on, when no
    /// round closing before it can be settled any more.
    uint64 exitAvailableAt;
    /// Zero if no capacity decrease is pending; else the block it takes effect: rounds closing at
    /// or after it assign at most `nextCapacity` constraints.
    uint64 capacityChangeAt;
    /// The decreased capacity in force from `capacityChangeAt` on (zero if none is pending).
    uint64 nextCapacity;
}
