// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChunkStatement} from "../types/ChunkStatement.sol";

/// @title IProofVerifier
/// @notice Verifies that a prover proved one chunk of a settled round.
/// @dev The proof's public inputs must bind the statement (round, chunk, prover, commitment and
///      statement data; ChunkStatementLib.binding), so a proof copied from the mempool is useless
///      to anyone else and for any other chunk.
interface IProofVerifier {
    /// @notice Checks a chunk proof.
    /// @param statement The chunk's statement as the market recorded it at settlement.
    /// @param statementData The statement data the clearinghouse supplied at settlement; the
    ///        market has checked `keccak256(statementData) == statement.dataHash` (zero hash for
    ///        empty data).
    /// @param proof The proof bytes, in the encoding of the verifier implementation.
    /// @return valid True if and only if the proof is valid for this statement.
    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata statementData, bytes calldata proof)
        external
        view
        returns (bool valid);
}
