// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPoseidonHasher
/// @notice circomlib's Poseidon hash of 2, 3 and 4 BN254 scalar field elements, on-chain: the
///         function the rollup's state (account leaves, Merkle nodes, the deposit chain, the state
///         root) and its transfer hashes use (docs/rollup.md, "State"). Equal to circomlib's
///         `Poseidon(n)` circuit and to `proofmarket.zk.poseidon.poseidon`.
interface IPoseidonHasher {
    /// @notice Input `index` (0-based) is not below r, the BN254 scalar field order: it is
    ///         refused rather than reduced, as the Python model refuses it.
    error InputNotInField(uint256 index, uint256 value);

    /// @notice `Poseidon([a, b])` (state width 3: 8 full and 57 partial rounds).
    function hash2(uint256 a, uint256 b) external view returns (uint256 hash);

    /// @notice `Poseidon([a, b, c])` (state width 4: 8 full and 56 partial rounds).
    function hash3(uint256 a, uint256 b, uint256 c) external view returns (uint256 hash);

    /// @notice `Poseidon([a, b, c, d])` (state width 5: 8 full and 60 partial rounds).
    function hash4(uint256 a, uint256 b, uint256 c, uint256 d) external view returns (uint256 hash);
}
