// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A prover's ask for one round, signed as EIP-712 typed data (README.md "One round", step 2).
/// @dev The field order and types are the EIP-712 type
///      `Ask(address prover,uint256 unitCost,uint64 round,uint64 nonce)`.
struct Ask {
    /// The registered prover who asks, and who must have signed the ask.
    address prover;
    /// The prover's cost per constraint, in wei: it is never paid less than `unitCost * x_j`.
    uint256 unitCost;
    /// The only round the ask may be settled in.
    uint64 round;
    /// Lets a prover sign several distinct asks for the same round.
    uint64 nonce;
}

/// @title AskLib
/// @notice EIP-712 hashing of an {Ask}.
library AskLib {
    /// @notice keccak256 of the EIP-712 type string of {Ask}.
    bytes32 internal constant TYPEHASH = keccak256("Ask(address prover,uint256 unitCost,uint64 round,uint64 nonce)");

    /// @notice The EIP-712 `hashStruct` of `ask`.
    function hashStruct(Ask calldata ask) internal pure returns (bytes32 structHash) {
        structHash = keccak256(abi.encode(TYPEHASH, ask.prover, ask.unitCost, ask.round, ask.nonce));
    }
}
