// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Running totals of every kind of ETH the market holds (two storage slots).
/// @dev NOTE (conservation): `address(market).balance == balances + reserved + collateral + burned`
///      after every call, up to ETH forced in without a call (selfdestruct, coinbase), which can
///      only make the left side larger. Each money-moving function moves an amount between
///      these buckets, or between one bucket and the outside together with exactly that ETH.
///      `Σ balanceOf == balances + Σ Prover.earnings`: a prover's earned but uncollected
///      payments stay in `reserved` until collected into its escrow balance.
struct Totals {
    /// Σ escrow balances: free escrow, collected prover earnings, rebates, refunds, treasury and
    /// reporter shares (Σ balanceOf less the provers' uncollected earnings).
    uint128 balances;
    /// What the market owes provers: Σ payment of unresolved chunks, plus Σ `Prover.earnings`
    /// (payments of proven chunks not yet collected).
    uint128 reserved;
    /// Σ prover collateral (free and locked).
    uint128 collateral;
    /// Surplus burned under the Burn policy: held forever, no function moves it.
    uint128 burned;
}
