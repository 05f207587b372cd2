// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ask} from "./Ask.sol";
import {CompactSignature} from "./CompactSignature.sol";

/// @notice One chunk of a settlement: a winning ask, and the run of included bids it proves.
/// @dev Chunks are contiguous runs of the settlement's bid array, in order: chunk 0 takes the
///      first `bidCount` bids, chunk 1 the next `bidCount`, and so on. The contract computes the
///      chunk's constraints from those bids; it never trusts a supplied total.
struct ChunkAssignment {
    /// The winning ask, exactly as the prover signed it.
    Ask ask;
    /// The prover's signature over the ask's EIP-712 digest.
    CompactSignature askSignature;
    /// How many consecutive included bids form this chunk (>= 1).
    uint32 bidCount;
    /// What the prover is paid for proving the chunk, in wei (>= unitCost * constraints).
    uint128 payment;
    /// Commitment to the chunk's transactions that the proof must bind (see IProofVerifier).
    bytes32 commitment;
    /// The statement data the deployment's verifier defines (for a rollup: the chunk's pre- and
    /// post-state roots), or empty. The chunk stores its keccak256; the proof must bind it.
    bytes statementData;
}
