// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RecordingConsumer
/// @notice TEST ONLY. An `IChunkConsumer` of the market that records each callback, or reverts,
///         or burns all the gas it is given, on demand. Its statement struct has the market's
///         `ChunkStatement` layout, so its function is the one the market calls.
contract RecordingConsumer {
    struct ChunkStatement {
        uint64 roundId;
        uint256 chunkIndex;
        address prover;
        bytes32 commitment;
        bytes32 dataHash;
    }

    enum Mode {
        Record,
        Revert,
        BurnGas
    }

    Mode public mode;
    uint256 public calls;
    ChunkStatement public last;
    bytes public lastData;

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function onChunkProven(ChunkStatement calldata statement, bytes calldata statementData) external {
        if (mode == Mode.Revert) revert("the consumer refuses");
        if (mode == Mode.BurnGas) {
            uint256 spin;
            while (true) {
                spin += 1;
            }
        }
        calls += 1;
        last = statement;
        lastData = statementData;
    }
}
