// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IChunkCommitment
/// @notice Computes the commitment to a chunk's transactions that a chunk proof binds, so the market
///         can check a disputed commitment on-chain (docs/zk.md, "Commitment").
interface IChunkCommitment {
    /// @notice A commitment needs at least one transaction.
    error NoTransactions();

    /// @notice The chunk commitment of `transactionHashes`, in order:
    ///         `c_0 = 0`, `c_i = Poseidon2(c_{i-1}, uint256(txHash_i) mod r)`, commitment = `c_n`.
    /// @param transactionHashes The chunk's bids' `txHash`es, in settlement order (at least one).
    /// @return commitment `c_n` as bytes32 (big-endian), a BN254 scalar field element.
    function commitmentOf(bytes32[] calldata transactionHashes) external pure returns (bytes32 commitment);
}
