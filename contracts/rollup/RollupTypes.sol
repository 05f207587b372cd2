// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice An L2 transfer as the rollup's state and circuit define it (docs/rollup.md,
///         "Transactions"): addresses as integers below 2^160 (an L1 address's `uint160`),
///         `amount < 2^128`. Its hash `Poseidon(sender, recipient, amount, nonce)` is the
///         `txHash` of the market bid that carries it.
struct Transfer {
    uint256 sender;
    uint256 recipient;
    uint256 amount;
    uint256 nonce;
}

/// @notice One entry of the rollup's deposit queue.
struct QueuedDeposit {
    /// Who is credited on L2.
    address recipient;
    /// The amount, in wei (below 2^128).
    uint128 amount;
    /// The deposit chain after this deposit: `Poseidon(chainBefore, uint160(recipient), amount)`.
    uint256 chainAfter;
}
