// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TransientMarks
/// @notice A set of `bytes32` keys in transient storage (EIP-1153): free of charge after the
///         transaction, 100 gas per read or write.
/// @dev Solidity 0.8.28 has transient state variables of value types only, not mappings, so
///      the set is addressed by key directly. NOTE: keys must be hashes (EIP-712 digests,
///      keccak of a tuple): the low transient slots belong to the contract's transient state
///      variables, and a keccak output never lands on them in practice.
library TransientMarks {
    /// @notice Marks `key` and says whether it was already marked in this transaction.
    function markOnce(bytes32 key) internal returns (bool wasMarked) {
        assembly ("memory-safe") {
            wasMarked := tload(key)
            tstore(key, 1)
        }
    }
}
