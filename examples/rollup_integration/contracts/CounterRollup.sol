// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "proofmarket/interfaces/IChunkConsumer.sol";
import {IProofMarket} from "proofmarket/interfaces/IProofMarket.sol";
import {ChunkStatement} from "proofmarket/types/ChunkStatement.sol";

/// @title CounterRollup
/// @notice A minimal rollup on the prover market: its state is one root, advanced chunk by chunk
///         when the market reports a chunk proven. A chunk's statement data is
///         `abi.encode(bytes32 preStateRoot, bytes32 postStateRoot)`; the rollup applies a chunk
///         only if the market has it proven for exactly that statement and its pre-state root is
///         the rollup's current root.
/// @dev An example for the market's testing kit, not a rollup to deploy: it trusts the market's
///      verifier to check the transition, and applies chunks in order only.
contract CounterRollup is IChunkConsumer {
    /// @notice The market whose proven chunks advance the rollup.
    IProofMarket public immutable market;

    /// @notice The rollup's current state root.
    bytes32 public stateRoot;

    /// @notice How many chunks have been applied.
    uint256 public chunksApplied;

    /// @notice Chunk `chunkIndex` of round `roundId` moved the state from `preStateRoot` to `postStateRoot`.
    event StateAdvanced(
        uint64 indexed roundId, uint256 indexed chunkIndex, bytes32 preStateRoot, bytes32 postStateRoot, uint256 chunksApplied
    );

    /// @notice Only the market calls `onChunkProven`.
    error NotTheMarket(address caller);

    /// @notice The market does not have the chunk proven for this statement.
    error ChunkNotProven(uint64 roundId, uint256 chunkIndex);

    /// @notice The statement data is not `abi.encode(preStateRoot, postStateRoot)`.
    error MalformedStatementData(uint256 length);

    /// @notice The chunk starts from another state than the rollup's current one.
    error WrongPreStateRoot(bytes32 expected, bytes32 given);

    /// @param market_ The prover market.
    /// @param genesisStateRoot The state root before the first chunk.
    constructor(IProofMarket market_, bytes32 genesisStateRoot) {
        market = market_;
        stateRoot = genesisStateRoot;
    }

    /// @inheritdoc IChunkConsumer
    function onChunkProven(ChunkStatement calldata statement, bytes calldata statementData) external {
        if (msg.sender != address(market)) revert NotTheMarket(msg.sender);
        (bool proven, ChunkStatement memory recorded) = market.provenChunk(statement.roundId, statement.chunkIndex);
        if (!proven || keccak256(abi.encode(recorded)) != keccak256(abi.encode(statement))) {
            revert ChunkNotProven(statement.roundId, statement.chunkIndex);
        }
        if (statementData.length != 64) revert MalformedStatementData(statementData.length);
        (bytes32 preStateRoot, bytes32 postStateRoot) = abi.decode(statementData, (bytes32, bytes32));
        if (preStateRoot != stateRoot) revert WrongPreStateRoot(stateRoot, preStateRoot);
        stateRoot = postStateRoot;
        chunksApplied += 1;
        emit StateAdvanced(statement.roundId, statement.chunkIndex, preStateRoot, postStateRoot, chunksApplied);
    }
}
