// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {ChunkStatement, ChunkStatementLib} from "../types/ChunkStatement.sol";
import {Bn254} from "../libraries/Bn254.sol";
import {
    VK_ALPHA_X,
    VK_ALPHA_Y,
    VK_BETA_X_IMAG,
    VK_BETA_X_REAL,
    VK_BETA_Y_IMAG,
    VK_BETA_Y_REAL,
    VK_GAMMA_X_IMAG,
    VK_GAMMA_X_REAL,
    VK_GAMMA_Y_IMAG,
    VK_GAMMA_Y_REAL,
    VK_DELTA_X_IMAG,
    VK_DELTA_X_REAL,
    VK_DELTA_Y_IMAG,
    VK_DELTA_Y_REAL,
    VK_IC0_X,
    VK_IC0_Y,
    VK_IC1_X,
    VK_IC1_Y,
    VK_IC2_X,
    VK_IC2_Y,
    VK_IC3_X,
    VK_IC3_Y,
    VK_IC4_X,
    VK_IC4_Y
} from "./RollupChunkVerifyingKey.sol";

/// @title RollupChunkVerifier
/// @notice Verifies a proof of the reference rollup's chunk circuit (circuits/rollup_chunk.circom):
///         applying the chunk's transfers and deposits to the state of `preStateRoot` gives the
///         state of `postStateRoot`, and the chunk's transfers are the transactions of the
///         statement's commitment. docs/rollup.md specifies the state, the circuit and the data.
/// @dev `statementData` is `abi.encode(uint256 preStateRoot, uint256 postStateRoot)`; `proof` is
///      `abi.encode(uint256[8])`: A.x, A.y, B.x_imag, B.x_real, B.y_imag, B.y_real, C.x, C.y.
///      The Groth16 public inputs are [preStateRoot, postStateRoot, commitment, binding] with
///      `binding = ChunkStatementLib.binding(statement)`, so a proof is valid for one round, chunk,
///      prover and statement data only. Outcomes: true; false for a well-formed proof of another
///      statement; a revert naming the rule for malformed data or proof bytes.
///      DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION: the verifying key comes from a public,
///      deterministic setup (docs/rollup.md, "Ceremony").
contract RollupChunkVerifier is IProofVerifier {
    /// @notice A point of the Groth16 proof.
    enum ProofPoint {
        A,
        B,
        C
    }

    /// @dev Encodings: the statement data is two words, the proof eight.
    uint256 private constant STATEMENT_DATA_BYTES = 64;
    uint256 private constant PROOF_BYTES = 256;

    /// @notice The statement data's `length` is not 64 bytes (two words).
    error StatementDataLengthInvalid(uint256 length);

    /// @notice keccak256 of the statement data is not the statement's `dataHash`.
    error StatementDataHashMismatch(bytes32 dataHash, bytes32 computed);

    /// @notice A state root of the statement data (`index` 0: pre, 1: post) is not below r.
    error StateRootNotInField(uint256 index, uint256 root);

    /// @notice The statement's commitment is not below r: no proof can reach it.
    error ChunkCommitmentNotInField(bytes32 commitment);

    /// @notice The proof's `length` is not 256 bytes.
    error ProofLengthInvalid(uint256 length);

    /// @notice Word `word` (0-7) of the proof, `value`, is not below the base field order.
    error ProofCoordinateNotInField(uint256 word, uint256 value);

    /// @notice Point `point` of the proof is not on its curve (the point at infinity is not accepted).
    error ProofPointNotOnCurve(ProofPoint point);

    /// @notice The pairing precompile refused its input: B is on the twist but outside the order-r subgroup.
    error PairingInputRejected();

    /// @notice An ecMul or ecAdd call failed on valid points: the call ran out of gas.
    error PrecompileFailed();

    /// @inheritdoc IProofVerifier
    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata statementData, bytes calldata proof)
        external
        view
        returns (bool valid)
    {
        uint256[4] memory inputs;
        (inputs[0], inputs[1]) = decodeStatementData(statement, statementData);
        if (uint256(statement.commitment) >= Bn254.SCALAR_FIELD) revert ChunkCommitmentNotInField(statement.commitment);
        inputs[2] = uint256(statement.commitment);
        inputs[3] = ChunkStatementLib.binding(statement);
        return _pairingCheck(_decodeProof(proof), _publicInputPoint(inputs));
    }

    /// @dev vk_x = IC0 + preStateRoot IC1 + postStateRoot IC2 + commitment IC3 + binding IC4.
    function _publicInputPoint(uint256[4] memory inputs) private view returns (uint256[2] memory point) {
        point = [VK_IC0_X, VK_IC0_Y];
        bool ok1;
        bool ok2;
        bool ok3;
        bool ok4;
        (point, ok1) = Bn254.mulAdd(point, VK_IC1_X, VK_IC1_Y, inputs[0]);
        (point, ok2) = Bn254.mulAdd(point, VK_IC2_X, VK_IC2_Y, inputs[1]);
        (point, ok3) = Bn254.mulAdd(point, VK_IC3_X, VK_IC3_Y, inputs[2]);
        (point, ok4) = Bn254.mulAdd(point, VK_IC4_X, VK_IC4_Y, inputs[3]);
        if (!(ok1 && ok2 && ok3 && ok4)) revert PrecompileFailed();
    }

    /// @dev Groth16's equation as one pairing check: e(-A, B) e(alpha, beta) e(vk_x, gamma) e(C, delta) = 1.
    ///      NOTE: A is on the curve, so A.y != 0 and p - A.y is the y of -A.
    function _pairingCheck(uint256[8] memory words, uint256[2] memory vkX) private view returns (bool) {
        uint256[] memory input = new uint256[](24);
        (input[0], input[1]) = (words[0], Bn254.BASE_FIELD - words[1]);
        (input[2], input[3], input[4], input[5]) = (words[2], words[3], words[4], words[5]);
        (input[6], input[7]) = (VK_ALPHA_X, VK_ALPHA_Y);
        (input[8], input[9], input[10], input[11]) = (VK_BETA_X_IMAG, VK_BETA_X_REAL, VK_BETA_Y_IMAG, VK_BETA_Y_REAL);
        (input[12], input[13]) = (vkX[0], vkX[1]);
        (input[14], input[15], input[16], input[17]) = (VK_GAMMA_X_IMAG, VK_GAMMA_X_REAL, VK_GAMMA_Y_IMAG, VK_GAMMA_Y_REAL);
        (input[18], input[19]) = (words[6], words[7]);
        (input[20], input[21], input[22], input[23]) = (VK_DELTA_X_IMAG, VK_DELTA_X_REAL, VK_DELTA_Y_IMAG, VK_DELTA_Y_REAL);
        (bool holds, bool accepted) = Bn254.pairing(input);
        if (!accepted) revert PairingInputRejected();
        return holds;
    }

    /// @notice The state roots of `statementData` after its checks: 64 bytes, its hash is the
    ///         statement's `dataHash` (the market checked it too), both roots below r.
    function decodeStatementData(ChunkStatement calldata statement, bytes calldata statementData)
        public
        pure
        returns (uint256 preStateRoot, uint256 postStateRoot)
    {
        if (statementData.length != STATEMENT_DATA_BYTES) revert StatementDataLengthInvalid(statementData.length);
        bytes32 computed = keccak256(statementData);
        if (computed != statement.dataHash) revert StatementDataHashMismatch(statement.dataHash, computed);
        (preStateRoot, postStateRoot) = abi.decode(statementData, (uint256, uint256));
        if (preStateRoot >= Bn254.SCALAR_FIELD) revert StateRootNotInField(0, preStateRoot);
        if (postStateRoot >= Bn254.SCALAR_FIELD) revert StateRootNotInField(1, postStateRoot);
    }

    /// @dev The eight proof words after the checks: 256 bytes, coordinates below p, points on their curves.
    function _decodeProof(bytes calldata proof) private pure returns (uint256[8] memory words) {
        if (proof.length != PROOF_BYTES) revert ProofLengthInvalid(proof.length);
        words = abi.decode(proof, (uint256[8]));
        for (uint256 word = 0; word < 8; ++word) {
            if (words[word] >= Bn254.BASE_FIELD) revert ProofCoordinateNotInField(word, words[word]);
        }
        if (!Bn254.isOnCurve(words[0], words[1])) revert ProofPointNotOnCurve(ProofPoint.A);
        if (!Bn254.isOnTwist(words[3], words[2], words[5], words[4])) revert ProofPointNotOnCurve(ProofPoint.B);
        if (!Bn254.isOnCurve(words[6], words[7])) revert ProofPointNotOnCurve(ProofPoint.C);
    }
}
