// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One included bid of a chunk as `slash` and `disputeCommitment` need it: who was
///         charged, how much, and for which transaction.
/// @dev A chunk's refund list is its bids' `(user, charge, txHash)` in settlement order. The chain
///      stores only a hash of it (`Chunk.refundHash`); anyone rebuilds the list from the settlement
///      transaction's calldata. The `txHash`es bind the chunk's transactions, so a dispute can
///      recompute the chunk commitment from them.
struct Refund {
    address user;
    uint128 charge;
    bytes32 txHash;
}

/// @title RefundLib
/// @notice The chained hash committing to a chunk's refund list.
library RefundLib {
    /// @notice Extends the chained hash by one entry:
    ///         `keccak256(abi.encode(previous, user, charge, txHash))`.
    /// @dev The hash of an empty list is zero. Chaining needs no memory array during settlement.
    function chain(bytes32 previous, address user, uint256 charge, bytes32 txHash)
        internal
        pure
        returns (bytes32 next)
    {
        next = keccak256(abi.encode(previous, user, charge, txHash));
    }
}
