// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Where a round's surplus `S = Σ charges - Σ payments` goes (docs/mechanism.md, "Surplus policies").
enum SurplusPolicy {
    /// Credited to the treasury's balance.
    Treasury,
    /// Held by the contract forever and counted in `totalBurned`: no function can move it.
    Burn,
    /// Back into each included user's escrow, `floor(S * charge_i / R)`; the dust to the treasury.
    Rebate
}
