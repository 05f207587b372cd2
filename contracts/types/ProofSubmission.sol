// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One entry of `ProofMarket.submitProofs`: a chunk and the arguments `submitProof` takes for it.
struct ProofSubmission {
    /// The round the chunk belongs to.
    uint64 roundId;
    /// The chunk's index in its round's settlement.
    uint256 chunkIndex;
    /// The chunk's statement data exactly as its settlement supplied it (empty if none).
    bytes statementData;
    /// The chunk's proof, in the configured verifier's encoding.
    bytes proof;
}
