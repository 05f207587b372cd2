// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AcceptingVerifier
/// @notice TEST ONLY. Accepts every proof: the verifier a dishonest market owner could install
///         (`updateConfig`) to have forged chunks proven on the market. Its statement struct has
///         the market's `ChunkStatement` layout, so its function is the one the market calls.
contract AcceptingVerifier {
    struct ChunkStatement {
        uint64 roundId;
        uint256 chunkIndex;
        address prover;
        bytes32 commitment;
        bytes32 dataHash;
    }

    function verifyChunkProof(ChunkStatement calldata, bytes calldata, bytes calldata) external pure returns (bool) {
        return true;
    }
}
