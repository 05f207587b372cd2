// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBatchProofVerifier} from "../interfaces/IBatchProofVerifier.sol";
import {IProofMarket} from "../interfaces/IProofMarket.sol";
import {Chunk, ChunkStatus} from "../types/Chunk.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";
import {MarketConfig} from "../types/MarketConfig.sol";
import {ProofSubmission} from "../types/ProofSubmission.sol";
import {Prover} from "../types/Prover.sol";
import {ChunkProofs} from "./ChunkProofs.sol";
import {TransientMarks} from "./TransientMarks.sol";

/// @title ProofBatches
/// @notice `ProofMarket.submitProofs`: the proofs of many chunks (any rounds, any provers) in one
///         transaction, checked by one call of the verifier when it implements IBatchProofVerifier.
/// @dev An external library: its public function runs by DELEGATECALL on the market's storage
///      (the market passes its storage references), and is linked into the market's bytecode at
///      deployment. It keeps the market under the code size limit (EIP-170).
///
///      The rule for each entry (docs/contract.md, "Batched proofs"):
///      - a chunk already resolved (proven, slashed, disputed), or listed earlier in the batch, is
///        skipped: a single submission front-running the batch cannot make it revert;
///      - a chunk that does not exist, whose deadline passed, whose statement data does not
///        match, or whose proof is invalid reverts the WHOLE batch: no entry is paid unless every
///        entry's proof was verified.
library ProofBatches {
    /// @dev Domain of the transient marks of a batch's chunks (see TransientMarks: keys are hashes).
    bytes32 private constant BATCH_MARK = keccak256("ProofMarket.submitProofs");

    /// @notice Verifies and records the proofs of `submissions` (the market's `submitProofs`).
    /// @param config The market's configuration (verifier, consumer).
    /// @param chunks The market's chunks, by round and index.
    /// @param provers The market's prover registry.
    /// @param submissions The entries: chunk, statement data and proof.
    function submitProofs(
        MarketConfig storage config,
        mapping(uint64 => mapping(uint256 => Chunk)) storage chunks,
        mapping(address => Prover) storage provers,
        ProofSubmission[] calldata submissions
    ) public {
        if (submissions.length == 0) revert IProofMarket.EmptyProofBatch();
        (ChunkStatement[] memory statements, uint256[] memory entries) = _provableEntries(chunks, submissions);
        if (entries.length == 0) return;
        _requireValidProofs(config, statements, entries, submissions);
        for (uint256 i; i < entries.length; ++i) {
            ChunkStatement memory statement = statements[i];
            ChunkProofs.recordProof(chunks[statement.roundId][statement.chunkIndex], provers[statement.prover], statement);
        }
        // NOTE: the callbacks come after every entry's effects (checks-effects-interactions): a
        // consumer re-entering finds every chunk of the batch already proven.
        for (uint256 i; i < entries.length; ++i) {
            ChunkProofs.notifyConsumer(config, statements[i], submissions[entries[i]].statementData);
        }
    }

    /// @dev The statements of the entries to prove and their indexes in `submissions`: each
    ///      pending chunk once, its deadline and statement data checked (reverting as
    ///      `submitProof` does); resolved and repeated chunks left out.
    function _provableEntries(
        mapping(uint64 => mapping(uint256 => Chunk)) storage chunks,
        ProofSubmission[] calldata submissions
    ) private returns (ChunkStatement[] memory statements, uint256[] memory entries) {
        statements = new ChunkStatement[](submissions.length);
        entries = new uint256[](submissions.length);
        uint256 count;
        for (uint256 i; i < submissions.length; ++i) {
            ProofSubmission calldata submission = submissions[i];
            (uint64 roundId, uint256 chunkIndex) = (submission.roundId, submission.chunkIndex);
            Chunk storage chunk = chunks[roundId][chunkIndex];
            ChunkStatus status = chunk.status;
            if (status == ChunkStatus.None) revert IProofMarket.ChunkNotFound(roundId, chunkIndex);
            if (status != ChunkStatus.Pending) continue;
            if (TransientMarks.markOnce(keccak256(abi.encode(BATCH_MARK, roundId, chunkIndex)))) continue;
            statements[count] = ChunkProofs.provableStatement(roundId, chunkIndex, chunk, submission.statementData);
            entries[count] = i;
            ++count;
        }
        // NOTE: shortens both arrays in place to the `count` entries written (count <= length).
        assembly ("memory-safe") {
            mstore(statements, count)
            mstore(entries, count)
        }
    }

    /// @dev Reverts `InvalidProof` for the first entry whose proof the verifier rejects. One call
    ///      of `verifyChunkProofs` if the verifier accepts the whole batch; otherwise (it rejects
    ///      the batch, reverts, or does not implement IBatchProofVerifier) every proof is checked
    ///      alone, which also names the invalid one.
    function _requireValidProofs(
        MarketConfig storage config,
        ChunkStatement[] memory statements,
        uint256[] memory entries,
        ProofSubmission[] calldata submissions
    ) private view {
        if (entries.length > 1 && _batchAccepted(address(config.verifier), statements, entries, submissions)) return;
        for (uint256 i; i < entries.length; ++i) {
            ProofSubmission calldata submission = submissions[entries[i]];
            ChunkProofs.requireValidProof(config.verifier, statements[i], submission.statementData, submission.proof);
        }
    }

    /// @dev Whether `verifier.verifyChunkProofs` returns exactly true for the entries. A low-level
    ///      STATICCALL, so a verifier without the function (a revert, or a fallback returning
    ///      anything but the word 1) counts as a rejection instead of reverting the batch.
    function _batchAccepted(
        address verifier,
        ChunkStatement[] memory statements,
        uint256[] memory entries,
        ProofSubmission[] calldata submissions
    ) private view returns (bool) {
        bytes[] memory statementData = new bytes[](entries.length);
        bytes[] memory proofs = new bytes[](entries.length);
        for (uint256 i; i < entries.length; ++i) {
            ProofSubmission calldata submission = submissions[entries[i]];
            (statementData[i], proofs[i]) = (submission.statementData, submission.proof);
        }
        (bool success, bytes memory result) = verifier.staticcall(
            abi.encodeCall(IBatchProofVerifier.verifyChunkProofs, (statements, statementData, proofs))
        );
        return success && result.length == 32 && abi.decode(result, (uint256)) == 1;
    }
}
