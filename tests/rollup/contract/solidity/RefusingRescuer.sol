// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev The two ReferenceRollup functions the test contract calls.
interface IRescueEntry {
    function proveMissedChunk(uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external;
    function claimRescueReward() external;
}

/// @title RefusingRescuer
/// @notice TEST ONLY: a rescuer contract that refuses ETH (no receive or fallback function), to
///         check that a failed reward transfer reverts the claim and keeps the reward credited.
contract RefusingRescuer {
    /// @notice Rescues a slashed chunk with this contract as the rescuer.
    function rescue(address rollup, uint64 roundId, uint256 chunkIndex, bytes calldata statementData, bytes calldata proof)
        external
    {
        IRescueEntry(rollup).proveMissedChunk(roundId, chunkIndex, statementData, proof);
    }

    /// @notice Claims this contract's rescue reward (its ETH transfer fails).
    function claim(address rollup) external {
        IRescueEntry(rollup).claimRescueReward();
    }
}
