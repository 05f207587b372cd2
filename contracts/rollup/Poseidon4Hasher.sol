// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPoseidonHasher} from "./IPoseidonHasher.sol";
import {FIELD_ORDER, PoseidonField} from "./PoseidonField.sol";
import {
    POSEIDON_WIDE_FULL_ROUNDS,
    POSEIDON_T5_PARTIAL_ROUNDS,
    POSEIDON_T5_ROUND_CONSTANTS,
    POSEIDON_T5_M00,
    POSEIDON_T5_M01,
    POSEIDON_T5_M02,
    POSEIDON_T5_M03,
    POSEIDON_T5_M04,
    POSEIDON_T5_M10,
    POSEIDON_T5_M11,
    POSEIDON_T5_M12,
    POSEIDON_T5_M13,
    POSEIDON_T5_M14,
    POSEIDON_T5_M20,
    POSEIDON_T5_M21,
    POSEIDON_T5_M22,
    POSEIDON_T5_M23,
    POSEIDON_T5_M24,
    POSEIDON_T5_M30,
    POSEIDON_T5_M31,
    POSEIDON_T5_M32,
    POSEIDON_T5_M33,
    POSEIDON_T5_M34,
    POSEIDON_T5_M40,
    POSEIDON_T5_M41,
    POSEIDON_T5_M42,
    POSEIDON_T5_M43,
    POSEIDON_T5_M44
} from "./PoseidonWideConstants.sol";

/// @title Poseidon4Hasher
/// @notice circomlib's Poseidon of four inputs (state width 5), the transfer hash of the rollup
///         (`txHash = Poseidon(sender, recipient, amount, nonce)`).
/// @dev A contract of its own because of the code size limit: its round constants (10.9 KB) and
///      those of two and three inputs (6.2 KB and 8.2 KB) do not fit in one contract's 24,576
///      bytes. `PoseidonHasher` creates it and forwards `hash4` to it. The permutation is the
///      reference schedule (docs/zk.md): state `[0, a, b, c, d]`; each round adds its constants,
///      applies x^5 (every word in the 4 + 4 full rounds, word 0 in the 60 partial ones) and
///      multiplies by the MDS matrix; the hash is word 0. Words stay below 2r before the S-box
///      and the matrix sums five products below r each (5r < 2^256), so `add` never overflows.
contract Poseidon4Hasher {
    /// @notice `Poseidon([a, b, c, d])`; reverts `InputNotInField(index, value)` for an input >= r.
    function hash4(uint256 a, uint256 b, uint256 c, uint256 d) external pure returns (uint256 hash) {
        PoseidonField.requireElement(0, a);
        PoseidonField.requireElement(1, b);
        PoseidonField.requireElement(2, c);
        PoseidonField.requireElement(3, d);
        hash = _permute5(a, b, c, d);
    }

    /// @dev Word 0 of the width-5 permutation of `[0, s1, ..., s4]`.
    function _permute5(uint256 s1, uint256 s2, uint256 s3, uint256 s4) private pure returns (uint256 s0) {
        bytes memory roundConstants = POSEIDON_T5_ROUND_CONSTANTS;
        assembly ("memory-safe") {
            // r on the stack: referring to the file-level constant in each mulmod costs twice the gas.
            let r := FIELD_ORDER
            // `roundConstants` becomes the pointer to the next round's constants. The new words 0
            // to 3 wait in memory while word 4 is computed (five words and the temporaries of a
            // five-term row do not fit on the stack): in the four words of this round's constants,
            // read already.
            roundConstants := add(roundConstants, 32)
            for { let round := 0 } lt(round, add(POSEIDON_WIDE_FULL_ROUNDS, POSEIDON_T5_PARTIAL_ROUNDS)) { round := add(round, 1) } {
                s0 := add(s0, mload(roundConstants))
                s1 := add(s1, mload(add(roundConstants, 32)))
                s2 := add(s2, mload(add(roundConstants, 64)))
                s3 := add(s3, mload(add(roundConstants, 96)))
                s4 := add(s4, mload(add(roundConstants, 128)))
                roundConstants := add(roundConstants, 160)
                let square := mulmod(s0, s0, r)
                s0 := mulmod(mulmod(square, square, r), s0, r)
                if or(lt(round, div(POSEIDON_WIDE_FULL_ROUNDS, 2)), iszero(lt(round, add(div(POSEIDON_WIDE_FULL_ROUNDS, 2), POSEIDON_T5_PARTIAL_ROUNDS)))) {
                    square := mulmod(s1, s1, r)
                    s1 := mulmod(mulmod(square, square, r), s1, r)
                    square := mulmod(s2, s2, r)
                    s2 := mulmod(mulmod(square, square, r), s2, r)
                    square := mulmod(s3, s3, r)
                    s3 := mulmod(mulmod(square, square, r), s3, r)
                    square := mulmod(s4, s4, r)
                    s4 := mulmod(mulmod(square, square, r), s4, r)
                }
                mstore(sub(roundConstants, 160), mod(add(add(add(add(mulmod(s0, POSEIDON_T5_M00, r), mulmod(s1, POSEIDON_T5_M01, r)), mulmod(s2, POSEIDON_T5_M02, r)), mulmod(s3, POSEIDON_T5_M03, r)), mulmod(s4, POSEIDON_T5_M04, r)), r))
                mstore(sub(roundConstants, 128), mod(add(add(add(add(mulmod(s0, POSEIDON_T5_M10, r), mulmod(s1, POSEIDON_T5_M11, r)), mulmod(s2, POSEIDON_T5_M12, r)), mulmod(s3, POSEIDON_T5_M13, r)), mulmod(s4, POSEIDON_T5_M14, r)), r))
                mstore(sub(roundConstants, 96), mod(add(add(add(add(mulmod(s0, POSEIDON_T5_M20, r), mulmod(s1, POSEIDON_T5_M21, r)), mulmod(s2, POSEIDON_T5_M22, r)), mulmod(s3, POSEIDON_T5_M23, r)), mulmod(s4, POSEIDON_T5_M24, r)), r))
                mstore(sub(roundConstants, 64), mod(add(add(add(add(mulmod(s0, POSEIDON_T5_M30, r), mulmod(s1, POSEIDON_T5_M31, r)), mulmod(s2, POSEIDON_T5_M32, r)), mulmod(s3, POSEIDON_T5_M33, r)), mulmod(s4, POSEIDON_T5_M34, r)), r))
                s4 := mod(add(add(add(add(mulmod(s0, POSEIDON_T5_M40, r), mulmod(s1, POSEIDON_T5_M41, r)), mulmod(s2, POSEIDON_T5_M42, r)), mulmod(s3, POSEIDON_T5_M43, r)), mulmod(s4, POSEIDON_T5_M44, r)), r)
                s0 := mload(sub(roundConstants, 160))
                s1 := mload(sub(roundConstants, 128))
                s2 := mload(sub(roundConstants, 96))
                s3 := mload(sub(roundConstants, 64))
            }
        }
    }
}
