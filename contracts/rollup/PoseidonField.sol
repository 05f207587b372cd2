// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPoseidonHasher} from "./IPoseidonHasher.sol";

/// @dev r, the BN254 scalar field order (a literal, so that inline assembly can read it).
uint256 constant FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

/// @title PoseidonField
/// @notice The input rule shared by the Poseidon hashers: every input is a BN254 scalar field
///         element, below r.
library PoseidonField {
    /// @notice Reverts `InputNotInField(index, value)` unless `value < r`.
    function requireElement(uint256 index, uint256 value) internal pure {
        if (value >= FIELD_ORDER) revert IPoseidonHasher.InputNotInField(index, value);
    }
}
