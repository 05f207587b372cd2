// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What a chunk proof proves, as the market records it at settlement.
struct ChunkStatement {
    /// The round the chunk belongs to.
    uint64 roundId;
    /// The chunk's index in its round's settlement.
    uint256 chunkIndex;
    /// The prover the chunk is assigned to (the only one who is paid for it).
    address prover;
    /// The Poseidon commitment to the chunk's transactions (docs/zk.md, "Commitment").
    bytes32 commitment;
    /// keccak256 of the statement data the clearinghouse supplied at settlement, or zero if none.
    bytes32 dataHash;
}

/// @title ChunkStatementLib
/// @notice The binding of a statement: the one field element a proof's public inputs carry so
///         that the proof is valid for this round, chunk, prover and statement data only.
library ChunkStatementLib {
    /// @dev r, the BN254 scalar field order.
    uint256 internal constant SCALAR_FIELD_ORDER =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice `uint256(keccak256(abi.encode(statement))) mod r`.
    function binding(ChunkStatement memory statement) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(statement))) % SCALAR_FIELD_ORDER;
    }
}
