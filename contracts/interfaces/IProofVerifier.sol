// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProofVerifier
/// @notice Verifies that a prover proved one chunk of a settled round.
/// @dev The proof's public inputs must bind both the chunk commitment stored at settlement and
///      the prover's address, so a proof copied from the mempool is useless to anyone else.
interface IProofVerifier {
    /// @notice Checks a chunk proof.
    /// @param chunkCommitment The commitment to the chunk's transactions recorded by `settleRound`
    ///        (a BN254 field element for the Groth16 verifier; see docs/zk.md).
    /// @param prover The address of the prover the chunk was assigned to.
    /// @param proof The proof bytes, in the encoding of the verifier implementation.
    /// @return valid True if and only if the proof is valid for this commitment and prover.
    function verifyChunkProof(bytes32 chunkCommitment, address prover, bytes calldata proof)
        external
        view
        returns (bool valid);
}
