// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChunkStatement} from "../types/ChunkStatement.sol";

/// @title IBatchProofVerifier
/// @notice Optional companion of IProofVerifier: checks the proofs of many chunks at once, more
///         cheaply than one `verifyChunkProof` each (e.g. one randomized pairing check for all).
/// @dev `ProofMarket.submitProofs` calls it when the configured verifier implements it; if the
///      call reverts (not implemented, or a malformed proof) or returns false, the market checks
///      every proof alone with `IProofVerifier.verifyChunkProof`, so a verifier without this
///      interface keeps working, and a rejected batch names its first invalid proof.
interface IBatchProofVerifier {
    /// @notice Checks the proofs of several chunks together.
    /// @param statements The chunks' statements as the market recorded them at settlement.
    /// @param statementData Each chunk's statement data, checked by the market against
    ///        `statements[i].dataHash` (empty data for a zero hash).
    /// @param proofs Each chunk's proof, in the encoding of `verifyChunkProof`.
    /// @return valid True if and only if every proof is valid for its statement (a sound verifier
    ///         may, with negligible probability, reject a batch of valid proofs, never accept a
    ///         batch holding an invalid one).
    function verifyChunkProofs(ChunkStatement[] calldata statements, bytes[] calldata statementData, bytes[] calldata proofs)
        external
        view
        returns (bool valid);
}
