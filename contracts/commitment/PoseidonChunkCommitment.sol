// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkCommitment} from "../interfaces/IChunkCommitment.sol";
import {Poseidon2} from "../libraries/Poseidon2.sol";

/// @title PoseidonChunkCommitment
/// @notice The chunk commitment on-chain: a chain of circomlib's two-input Poseidon over the
///         transactions' field elements. Used only when a prover disputes the commitment
///         the clearinghouse recorded (`ProofMarket.disputeCommitment`); proofs never need it.
/// @dev A contract of its own, not a library: its round constants (6 KB) would not fit in the
///      market's code. The hash is {Poseidon2}'s, the rollup's `PoseidonHasher.hash2` too.
contract PoseidonChunkCommitment is IChunkCommitment {
    /// @inheritdoc IChunkCommitment
    function commitmentOf(bytes32[] calldata transactionHashes) external pure returns (bytes32 commitment) {
        uint256 count = transactionHashes.length;
        if (count == 0) revert NoTransactions();
        bytes memory roundConstants = Poseidon2.roundConstants();
        uint256 chain;
        for (uint256 i; i < count; ++i) {
            chain = Poseidon2.hash(roundConstants, chain, uint256(transactionHashes[i]) % Poseidon2.FIELD_ORDER);
        }
        commitment = bytes32(chain);
    }
}
