// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SingleProofVerifier
/// @notice TEST ONLY. A verifier with `verifyChunkProof` alone (no IBatchProofVerifier): it
///         accepts the development verifier's proof, `abi.encode(keccak256(abi.encode(statement)))`,
///         so `submitProofs` must fall back to checking each proof alone. Its statement struct has
///         the market's `ChunkStatement` layout, so its function is the one the market calls.
contract SingleProofVerifier {
    struct ChunkStatement {
        uint64 roundId;
        uint256 chunkIndex;
        address prover;
        bytes32 commitment;
        bytes32 dataHash;
    }

    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata, bytes calldata proof)
        external
        pure
        returns (bool)
    {
        return keccak256(proof) == keccak256(abi.encode(keccak256(abi.encode(statement))));
    }
}
