// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkCommitment} from "../interfaces/IChunkCommitment.sol";
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
} from "../libraries/PoseidonConstants.sol";

/// @title PoseidonChunkCommitment
/// @notice The chunk commitment on-chain: a chain of circomlib's two-input Poseidon over the
///         transactions' field elements. Used only when a prover disputes the commitment
///         the clearinghouse recorded (`ProofMarket.disputeCommitment`); proofs never need it.
/// @dev A contract of its own, not a library: its round constants (6 KB) would not fit in the
///      market's code. The permutation is the reference schedule (docs/zk.md): state
///      `[0, left, right]`; each round adds its constants, applies x^5 (every word in the 4 + 4 full
///      rounds, word 0 in the 57 partial ones) and multiplies by the MDS matrix; the hash is word 0.
///      Words stay below 2r between reductions, so `add` never overflows and `mulmod` reduces.
contract PoseidonChunkCommitment is IChunkCommitment {
    /// @dev r, the BN254 scalar field order.
    uint256 internal constant FIELD_ORDER =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @inheritdoc IChunkCommitment
    function commitmentOf(bytes32[] calldata transactionHashes) external pure returns (bytes32 commitment) {
        uint256 count = transactionHashes.length;
        if (count == 0) revert NoTransactions();
        bytes memory roundConstants = POSEIDON_ROUND_CONSTANTS;
        uint256 chain;
        for (uint256 i; i < count; ++i) {
            chain = poseidon2(roundConstants, chain, uint256(transactionHashes[i]) % FIELD_ORDER);
        }
        commitment = bytes32(chain);
    }

    /// @notice circomlib's `Poseidon([left, right])` for field elements `left`, `right` < r.
    /// @param roundConstants `POSEIDON_ROUND_CONSTANTS`, already in memory.
    function poseidon2(bytes memory roundConstants, uint256 left, uint256 right) internal pure returns (uint256 hash) {
        uint256 rounds = POSEIDON_FULL_ROUNDS + POSEIDON_PARTIAL_ROUNDS;
        uint256 firstPartial = POSEIDON_FULL_ROUNDS / 2;
        uint256 lastPartial = firstPartial + POSEIDON_PARTIAL_ROUNDS - 1;
        assembly ("memory-safe") {
            let r := FIELD_ORDER
            let s0 := 0
            let s1 := left
            let s2 := right
            let pointer := add(roundConstants, 32)
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
            hash := s0
        }
    }
}
