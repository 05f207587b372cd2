// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPoseidonHasher} from "./IPoseidonHasher.sol";
import {Poseidon4Hasher} from "./Poseidon4Hasher.sol";
import {FIELD_ORDER, PoseidonField} from "./PoseidonField.sol";
import {Poseidon2} from "../libraries/Poseidon2.sol";
import {
    POSEIDON_WIDE_FULL_ROUNDS,
    POSEIDON_T4_PARTIAL_ROUNDS,
    POSEIDON_T4_ROUND_CONSTANTS,
    POSEIDON_T4_M00,
    POSEIDON_T4_M01,
    POSEIDON_T4_M02,
    POSEIDON_T4_M03,
    POSEIDON_T4_M10,
    POSEIDON_T4_M11,
    POSEIDON_T4_M12,
    POSEIDON_T4_M13,
    POSEIDON_T4_M20,
    POSEIDON_T4_M21,
    POSEIDON_T4_M22,
    POSEIDON_T4_M23,
    POSEIDON_T4_M30,
    POSEIDON_T4_M31,
    POSEIDON_T4_M32,
    POSEIDON_T4_M33
} from "./PoseidonWideConstants.sol";

/// @title PoseidonHasher
/// @notice circomlib's Poseidon of 2, 3 and 4 inputs for the rollup contract (docs/rollup.md,
///         "The rollup contract"): Merkle nodes (2), account leaves, the deposit chain and the state
///         root (3), transfer hashes (4).
/// @dev Poseidon of 2 inputs is {Poseidon2}'s (the market's chunk commitment uses it too), 3 runs
///      here; Poseidon of 4 runs in a {Poseidon4Hasher} this
///      contract creates, since the three widths' round constants (25 KB) exceed one contract's
///      code size limit. Each permutation is the reference schedule (docs/zk.md): state
///      `[0, inputs...]`; each round adds its constants, applies x^5 (every word in the 4 + 4 full
///      rounds, word 0 in the partial ones) and multiplies by the MDS matrix; the hash is word 0.
///      Words stay below 2r before the S-box and a matrix row sums at most four products below r
///      (4r < 2^256), so `add` never overflows and `mod` reduces.
contract PoseidonHasher is IPoseidonHasher {
    /// @notice The contract `hash4` forwards to.
    Poseidon4Hasher public immutable fourInputs;

    constructor() {
        fourInputs = new Poseidon4Hasher();
    }

    /// @inheritdoc IPoseidonHasher
    function hash2(uint256 a, uint256 b) external pure returns (uint256 hash) {
        PoseidonField.requireElement(0, a);
        PoseidonField.requireElement(1, b);
        hash = Poseidon2.hash(Poseidon2.roundConstants(), a, b);
    }

    /// @inheritdoc IPoseidonHasher
    function hash3(uint256 a, uint256 b, uint256 c) external pure returns (uint256 hash) {
        PoseidonField.requireElement(0, a);
        PoseidonField.requireElement(1, b);
        PoseidonField.requireElement(2, c);
        hash = _permute4(a, b, c);
    }

    /// @inheritdoc IPoseidonHasher
    function hash4(uint256 a, uint256 b, uint256 c, uint256 d) external view returns (uint256 hash) {
        hash = fourInputs.hash4(a, b, c, d);
    }

    /// @dev Word 0 of the width-4 permutation of `[0, s1, ..., s3]`.
    function _permute4(uint256 s1, uint256 s2, uint256 s3) private pure returns (uint256 s0) {
        bytes memory roundConstants = POSEIDON_T4_ROUND_CONSTANTS;
        assembly ("memory-safe") {
            // r on the stack: referring to the file-level constant in each mulmod costs twice the gas.
            let r := FIELD_ORDER
            let pointer := add(roundConstants, 32)
            for { let round := 0 } lt(round, add(POSEIDON_WIDE_FULL_ROUNDS, POSEIDON_T4_PARTIAL_ROUNDS)) { round := add(round, 1) } {
                s0 := add(s0, mload(pointer))
                s1 := add(s1, mload(add(pointer, 32)))
                s2 := add(s2, mload(add(pointer, 64)))
                s3 := add(s3, mload(add(pointer, 96)))
                pointer := add(pointer, 128)
                let square := mulmod(s0, s0, r)
                s0 := mulmod(mulmod(square, square, r), s0, r)
                if or(lt(round, div(POSEIDON_WIDE_FULL_ROUNDS, 2)), iszero(lt(round, add(div(POSEIDON_WIDE_FULL_ROUNDS, 2), POSEIDON_T4_PARTIAL_ROUNDS)))) {
                    square := mulmod(s1, s1, r)
                    s1 := mulmod(mulmod(square, square, r), s1, r)
                    square := mulmod(s2, s2, r)
                    s2 := mulmod(mulmod(square, square, r), s2, r)
                    square := mulmod(s3, s3, r)
                    s3 := mulmod(mulmod(square, square, r), s3, r)
                }
                let next0 := mod(add(add(add(mulmod(s0, POSEIDON_T4_M00, r), mulmod(s1, POSEIDON_T4_M01, r)), mulmod(s2, POSEIDON_T4_M02, r)), mulmod(s3, POSEIDON_T4_M03, r)), r)
                let next1 := mod(add(add(add(mulmod(s0, POSEIDON_T4_M10, r), mulmod(s1, POSEIDON_T4_M11, r)), mulmod(s2, POSEIDON_T4_M12, r)), mulmod(s3, POSEIDON_T4_M13, r)), r)
                let next2 := mod(add(add(add(mulmod(s0, POSEIDON_T4_M20, r), mulmod(s1, POSEIDON_T4_M21, r)), mulmod(s2, POSEIDON_T4_M22, r)), mulmod(s3, POSEIDON_T4_M23, r)), r)
                s3 := mod(add(add(add(mulmod(s0, POSEIDON_T4_M30, r), mulmod(s1, POSEIDON_T4_M31, r)), mulmod(s2, POSEIDON_T4_M32, r)), mulmod(s3, POSEIDON_T4_M33, r)), r)
                s0 := next0
                s1 := next1
                s2 := next2
            }
        }
    }
}
