// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title DevelopmentProofVerifier
/// @notice NOT SECURE. A stand-in verifier for tests and local demos only: it proves nothing
///         about the chunk's transactions. Never configure it on a network with real value.
/// @dev A "proof" is the 32 bytes `keccak256(abi.encode(chunkCommitment, prover))`. Like a real
///      proof it binds both the chunk commitment and the prover, so a proof made for one
///      prover or one chunk is rejected for any other: tests of copied proofs stay meaningful.
///      Anyone can compute it, which is exactly why it is insecure.
contract DevelopmentProofVerifier is IProofVerifier {
    /// @notice The only proof this verifier accepts for `chunkCommitment` and `prover`.
    function developmentProof(bytes32 chunkCommitment, address prover) public pure returns (bytes memory proof) {
        proof = abi.encode(keccak256(abi.encode(chunkCommitment, prover)));
    }

    /// @inheritdoc IProofVerifier
    function verifyChunkProof(bytes32 chunkCommitment, address prover, bytes calldata proof)
        external
        pure
        returns (bool valid)
    {
        valid = keccak256(proof) == keccak256(developmentProof(chunkCommitment, prover));
    }
}
