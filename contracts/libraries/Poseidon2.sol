// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {
    POSEIDON_FULL_ROUNDS,
    POSEIDON_PARTIAL_ROUNDS,
    POSEIDON_ROUND_CONSTANTS,
    POSEIDON_M00,
    POSEIDON_M01,
    POSEIDON_M02,
    POSEIDON_M10,
    POSEIDON_M11,
    POSEIDON_M12,
    POSEIDON_M20,
    POSEIDON_M21,
    POSEIDON_M22
} from "./PoseidonConstants.sol";

/// @title Poseidon2
/// @notice circomlib's `Poseidon([left, right])` (width 3), shared by the market's
///         `PoseidonChunkCommitment` and the rollup's `PoseidonHasher`.
/// @dev Internal functions only: compiled into each caller. The permutation is the reference
///      schedule (docs/zk.md): state `[0, left, right]`; each round adds its constants, applies
///      x^5 (every word in the 4 + 4 full rounds, word 0 in the 57 partial ones) and multiplies by
///      the MDS matrix; the hash is word 0. Words stay below 2r between reductions, so `add` never
///      overflows and `mulmod` reduces.
library Poseidon2 {
    /// @dev r, the BN254 scalar field order.
    uint256 internal constant FIELD_ORDER =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice The round constants in memory, to pass to {hash} (copy them once for many hashes).
    function roundConstants() internal pure returns (bytes memory) {
        return POSEIDON_ROUND_CONSTANTS;
    }

    /// @notice circomlib's `Poseidon([left, right])` for field elements `left`, `right` < r.
    /// @param constants `roundConstants()`, already in memory.
    function hash(bytes memory constants, uint256 left, uint256 right) internal pure returns (uint256 result) {
        uint256 rounds = POSEIDON_FULL_ROUNDS + POSEIDON_PARTIAL_ROUNDS;
        uint256 firstPartial = POSEIDON_FULL_ROUNDS / 2;
        uint256 lastPartial = firstPartial + POSEIDON_PARTIAL_ROUNDS - 1;
        assembly ("memory-safe") {
            // r on the stack: referring to the constant in each mulmod costs twice the gas.
            let r := FIELD_ORDER
            let s0 := 0
            let s1 := left
            let s2 := right
            let pointer := add(constants, 32)
            // One loop body for every round (no Yul function calls: they cost more than the math).
            for { let round := 0 } lt(round, rounds) { round := add(round, 1) } {
                s0 := add(s0, mload(pointer))
                s1 := add(s1, mload(add(pointer, 32)))
                s2 := add(s2, mload(add(pointer, 64)))
                pointer := add(pointer, 96)
                let square := mulmod(s0, s0, r)
                s0 := mulmod(mulmod(square, square, r), s0, r)
                if or(lt(round, firstPartial), gt(round, lastPartial)) {
                    square := mulmod(s1, s1, r)
                    s1 := mulmod(mulmod(square, square, r), s1, r)
                    square := mulmod(s2, s2, r)
                    s2 := mulmod(mulmod(square, square, r), s2, r)
                }
                let next0 := mod(add(add(mulmod(s0, POSEIDON_M00, r), mulmod(s1, POSEIDON_M01, r)), mulmod(s2, POSEIDON_M02, r)), r)
                let next1 := mod(add(add(mulmod(s0, POSEIDON_M10, r), mulmod(s1, POSEIDON_M11, r)), mulmod(s2, POSEIDON_M12, r)), r)
                s2 := mod(add(add(mulmod(s0, POSEIDON_M20, r), mulmod(s1, POSEIDON_M21, r)), mulmod(s2, POSEIDON_M22, r)), r)
                s0 := next0
                s1 := next1
            }
            result := s0
        }
    }
}
