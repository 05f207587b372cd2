// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChunkStatement} from "../types/ChunkStatement.sol";

/// @title IChunkConsumer
/// @notice A contract that acts on the market's proven chunks (a rollup advancing its state),
///         named in the market's config and called back when a chunk is proven.
/// @dev The callback is a notification, run with at most `consumerGasLimit` gas after the
///      prover is paid; a revert or an out-of-gas in it is caught and never undoes or delays the
///      payment. The market's views (`provenChunk`, `roundProven`) stay the source of truth.
interface IChunkConsumer {
    /// @notice Chunk `statement.chunkIndex` of round `statement.roundId` was proven.
    /// @param statement The chunk's statement, as verified.
    /// @param statementData The statement data the proof was verified with.
    function onChunkProven(ChunkStatement calldata statement, bytes calldata statementData) external;
}
