// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChunkStatement} from "../types/ChunkStatement.sol";

/// @title IProofVerifier
/// @notice Verifies that a chunk of a settled round was proven, for exactly the statement the
///         market recorded: its round, chunk index, prover, transaction commitment and the
///         statement data its deployment defines (for a rollup: the chunk's pre- and post-state roots).
/// @dev A proof must bind the whole statement (e.g. through `ChunkStatementLib.binding` as a
///      public input), so a proof copied from the mempool, or made for another round or chunk,
///      is useless for any other statement.
interface IProofVerifier {
    /// @notice Checks a chunk proof.
    /// @param statement The chunk's statement as the market recorded it at settlement.
    /// @param statementData The statement data supplied at settlement; the market has checked that
    ///        its keccak256 is `statement.dataHash` (empty data for a zero hash).
    /// @param proof The proof bytes, in the encoding of the verifier implementation.
    /// @return valid True if and only if the proof is valid for this statement.
    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata statementData, bytes calldata proof)
        external
        view
        returns (bool valid);
}
