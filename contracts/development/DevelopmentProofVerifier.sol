// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBatchProofVerifier} from "../interfaces/IBatchProofVerifier.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";

/// @title DevelopmentProofVerifier
/// @notice NOT SECURE. A stand-in verifier for tests and local demos only: it proves nothing
///         about the chunk's transactions. Never configure it on a network with real value.
/// @dev A "proof" is the 32 bytes `keccak256(abi.encode(statement))`. Like a real proof it binds
///      the whole statement (round, chunk, prover, commitment, data), so a proof made for one
///      statement is rejected for any other: tests of copied or reused proofs stay meaningful.
///      Anyone can compute it, which is exactly why it is insecure.
contract DevelopmentProofVerifier is IProofVerifier, IBatchProofVerifier {
    /// @notice The only proof this verifier accepts for `statement`.
    function developmentProof(ChunkStatement memory statement) public pure returns (bytes memory proof) {
        proof = abi.encode(keccak256(abi.encode(statement)));
    }

    /// @inheritdoc IProofVerifier
    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata, bytes calldata proof)
        external
        pure
        returns (bool valid)
    {
        valid = _isDevelopmentProof(statement, proof);
    }

    /// @inheritdoc IBatchProofVerifier
    /// @dev Each proof checked as by `verifyChunkProof`; false if the arrays' lengths differ.
    function verifyChunkProofs(ChunkStatement[] calldata statements, bytes[] calldata, bytes[] calldata proofs)
        external
        pure
        returns (bool valid)
    {
        if (proofs.length != statements.length) return false;
        for (uint256 i = 0; i < statements.length; ++i) {
            if (!_isDevelopmentProof(statements[i], proofs[i])) return false;
        }
        return true;
    }

    function _isDevelopmentProof(ChunkStatement calldata statement, bytes calldata proof) private pure returns (bool) {
        return keccak256(proof) == keccak256(developmentProof(statement));
    }
}
