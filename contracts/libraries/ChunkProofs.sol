// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "../interfaces/IChunkConsumer.sol";
import {IProofMarket} from "../interfaces/IProofMarket.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {Chunk, ChunkStatus} from "../types/Chunk.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";
import {MarketConfig} from "../types/MarketConfig.sol";
import {Prover} from "../types/Prover.sol";

/// @title ChunkProofs
/// @notice The steps of proving a chunk that `ProofMarket.submitProof` and
///         `ProofBatches.submitProofs` share: check the chunk can be proven with this statement
///         data, ask the verifier, record the proof, call the consumer back.
/// @dev Internal functions only: compiled into each caller, they run on the market's storage.
///      Errors and events are the market's (IProofMarket).
library ChunkProofs {
    /// @dev Gas the callback's own call costs besides its limit (a cold account, the calldata
    ///      copy, the event on failure), so the check before it leaves the limit whole.
    uint256 internal constant CONSUMER_CALL_OVERHEAD = 10_000;

    /// @notice keccak256 of the statement data, or zero for none (`ChunkStatement.dataHash`).
    function statementDataHash(bytes calldata statementData) internal pure returns (bytes32) {
        return statementData.length == 0 ? bytes32(0) : keccak256(statementData);
    }

    /// @notice The chunk's statement, once the deadline and `statementData` are checked: reverts
    ///         `ProvingDeadlinePassed` after the chunk's deadline block, `StatementDataMismatch`
    ///         unless `statementData` hashes to the chunk's stored hash.
    function provableStatement(uint64 roundId, uint256 chunkIndex, Chunk storage chunk, bytes calldata statementData)
        internal
        view
        returns (ChunkStatement memory statement)
    {
        uint256 deadline = chunk.deadline;
        if (block.number > deadline) {
            revert IProofMarket.ProvingDeadlinePassed(roundId, chunkIndex, deadline, block.number);
        }
        // NOTE (gas): the fifth slot is read only for a chunk that has statement data (its flag
        // shares the first slot, which the proof reads anyway).
        bytes32 expected = chunk.hasStatementData ? chunk.statementDataHash : bytes32(0);
        bytes32 actual = statementDataHash(statementData);
        if (actual != expected) revert IProofMarket.StatementDataMismatch(roundId, chunkIndex, expected, actual);
        statement = ChunkStatement({
            roundId: roundId,
            chunkIndex: chunkIndex,
            prover: chunk.prover,
            commitment: chunk.commitment,
            dataHash: expected
        });
    }

    /// @notice Reverts `InvalidProof` unless `verifier` accepts `proof` for `statement`; a
    ///         verifier that reverts counts as a rejection.
    /// @dev NOTE: verifyChunkProof is `view`, so this is a STATICCALL: the verifier cannot
    ///      re-enter to change state.
    function requireValidProof(
        IProofVerifier verifier,
        ChunkStatement memory statement,
        bytes calldata statementData,
        bytes calldata proof
    ) internal view {
        bool valid;
        try verifier.verifyChunkProof(statement, statementData, proof) returns (bool accepted) {
            valid = accepted;
        } catch {
            valid = false;
        }
        if (!valid) revert IProofMarket.InvalidProof(statement.roundId, statement.chunkIndex, statement.prover);
    }

    /// @notice Records a verified proof: the chunk is Proven, its collateral unlocks and its
    ///         payment becomes the prover's `earnings`; emits `ChunkProven`.
    /// @dev NOTE (gas): a proof touches one slot of the prover, none of its own. The payment moves
    ///      from the chunk to the prover's `earnings`, in the registry slot whose `locked` it
    ///      unlocks anyway; it stays in `Totals.reserved` until collected, so the totals need no
    ///      write either.
    function recordProof(Chunk storage chunk, Prover storage prover, ChunkStatement memory statement) internal {
        uint96 payment = chunk.payment;
        uint96 collateral = chunk.collateral;
        chunk.status = ChunkStatus.Proven;
        // NOTE: the prover's locked collateral includes this chunk's, locked at settlement.
        (prover.locked, prover.earnings) = (prover.locked - collateral, prover.earnings + payment);
        emit IProofMarket.ChunkProven(statement.roundId, statement.chunkIndex, statement.prover, payment, msg.sender);
    }

    /// @notice Calls the configured consumer back with at most `consumerGasLimit` gas, after every
    ///         effect of the proof (checks-effects-interactions). A revert, an out-of-gas or a
    ///         malformed return in the callback is caught and reported; it never undoes the payment.
    /// @dev NOTE: the submitter must leave the callback its whole limit (EIP-150 keeps 1/64
    ///      back), else the proof reverts `InsufficientGasForConsumer`: a submitter cannot starve
    ///      the consumer on purpose and still have the proof count.
    function notifyConsumer(MarketConfig storage config, ChunkStatement memory statement, bytes calldata statementData)
        internal
    {
        // NOTE (gas): the limit shares the verifier's slot, warm by now; the consumer's own slot is
        // read only when the callback is on.
        uint256 gasLimit = config.consumerGasLimit;
        if (gasLimit == 0) return;
        IChunkConsumer consumer = config.consumer;
        if (address(consumer) == address(0)) return;
        uint256 needed = gasLimit + gasLimit / 63 + CONSUMER_CALL_OVERHEAD;
        if (gasleft() < needed) revert IProofMarket.InsufficientGasForConsumer(needed, gasleft());
        // NOTE: a call to an account without code would revert outside the try (Solidity checks
        // the code size first), and with it the payment: such a consumer is reported instead.
        if (address(consumer).code.length == 0) {
            emit IProofMarket.ConsumerCallFailed(statement.roundId, statement.chunkIndex, address(consumer));
            return;
        }
        try consumer.onChunkProven{gas: gasLimit}(statement, statementData) {}
        catch {
            emit IProofMarket.ConsumerCallFailed(statement.roundId, statement.chunkIndex, address(consumer));
        }
    }
}
