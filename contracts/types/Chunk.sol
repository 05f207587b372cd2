// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Lifecycle of a chunk: assigned at settlement, then resolved exactly once: proven,
///         slashed (missed its deadline), or disputed (its recorded commitment is not the one
///         its transactions give, so no proof could open it).
enum ChunkStatus {
    None,
    Pending,
    Proven,
    Slashed,
    Disputed
}

/// @notice One prover's share of a settled round (five storage slots; `submitProof` reads the
///         first three, and the fifth only when the chunk has statement data, and writes the
///         first; the fifth is written only when the chunk has statement data).
struct Chunk {
    /// The prover the chunk is assigned to.
    address prover;
    /// x_j: Σ constraints of the chunk's bids, computed on-chain.
    uint64 constraints;
    ChunkStatus status;
    /// Whether settlement supplied statement data (then `statementDataHash` holds its hash).
    bool hasStatementData;
    /// P_j: the prover's pay, reserved in the contract until the chunk resolves (uint96: see the
    /// NOTE on amounts in ProofMarket).
    uint96 payment;
    /// κ·x_j locked from the prover's collateral at settlement.
    uint96 collateral;
    /// Last block in which the chunk may be proven: its round's deadline, copied here so that
    /// `submitProof` reads no round slot.
    uint64 deadline;
    /// Commitment to the chunk's transactions that the proof must bind.
    bytes32 commitment;
    /// Chained hash of the chunk's `(user, charge, txHash)` list (RefundLib).
    bytes32 refundHash;
    /// keccak256 of the chunk's statement data, or zero if it has none (`ChunkStatement.dataHash`).
    bytes32 statementDataHash;
}
