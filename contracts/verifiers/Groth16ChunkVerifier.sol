// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBatchProofVerifier} from "../interfaces/IBatchProofVerifier.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {ChunkStatement} from "../types/ChunkStatement.sol";
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
    VK_IC3_Y
} from "./ChunkVerifyingKey.sol";

/// @title Groth16ChunkVerifier
/// @notice Verifies that a prover knows the transactions behind a chunk commitment: a chunk proof
///         is a chain of Groth16 proofs of the segment circuit (circuits/chunk_segment.circom), from
///         commitment 0 to the statement's commitment, every one bound to the whole statement: the
///         circuit's third public input (named `prover` in the circuit) carries the statement's
///         binding, `ChunkStatementLib.binding(statement)`, so a proof is valid for one round,
///         chunk, prover and statement data only. docs/zk.md specifies the commitment, the
///         circuit's statement and the proof encoding.
/// @dev Outcomes:
///      - returns true: the proof is well formed and proves the statement;
///      - returns false: the proof is well formed but proves something else (its chain ends at
///        another commitment, or the pairing check fails: another prover, another chain, a
///        forged or altered proof whose points are still valid);
///      - reverts with an error below: the bytes are not a well-formed proof.
///      The segments are checked together: with Groth16's equation for segment i written
///      e(A_i, B_i) = e(alpha, beta) * e(vk_i, gamma) * e(C_i, delta), this contract checks
///      prod_i e(-w_i A_i, B_i) * e(W alpha, beta) * e(sum_i w_i vk_i, gamma) * e(sum_i w_i C_i, delta) = 1,
///      with w_0 = 1, W = sum_i w_i, and the other weights w_i in [1, r) drawn by Fiat-Shamir from
///      a hash of the whole statement and proof. If some segment's equation fails, the product
///      is 1 for at most one value of each weight: a probability of 1 / (r - 1). k segments cost
///      k + 3 pairings instead of 4k; with one segment the check is Groth16's own.
contract Groth16ChunkVerifier is IProofVerifier, IBatchProofVerifier {
    /// @notice One segment of a chunk proof, as `abi.encode(Segment[])` encodes it.
    /// @param nextCommitment The chain value after the segment's transactions.
    /// @param proof [A.x, A.y, B.x_imag, B.x_real, B.y_imag, B.y_real, C.x, C.y].
    struct Segment {
        uint256 nextCommitment;
        uint256[8] proof;
    }

    /// @notice A point of a segment's Groth16 proof.
    enum ProofPoint {
        A,
        B,
        C
    }

    /// @notice BN254 scalar field order r: public inputs and commitments are below it.
    uint256 internal constant SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice BN254 base field order p: point coordinates are below it.
    uint256 internal constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @dev The twist's curve constant b' = 3 / (9 + u) in Fp2, as (real, imaginary).
    uint256 private constant TWIST_B_REAL = 19485874751759354771024239261021720505790618469301721065564631296452457478373;
    uint256 private constant TWIST_B_IMAG = 266929791119991161246907387137283842545076965332900288569378510910307636690;

    /// @dev Encoding: an offset word (0x20), the segment count, then 9 words per segment.
    uint256 private constant HEADER_BYTES = 64;
    uint256 private constant SEGMENT_BYTES = 288;

    /// @dev Words of a chunk's record for the pairing check: its segments' calldata offset, their
    ///      count, the statement's binding.
    uint256 private constant CHUNK_WORDS = 3;

    /// @dev The addresses of the EVM precompiles of EIP-196 and EIP-197.
    uint256 private constant EC_ADD = 0x06;
    uint256 private constant EC_MUL = 0x07;
    uint256 private constant EC_PAIRING = 0x08;

    // ------------------------------------------------------------------ errors: encoding

    /// @notice The proof's `length` in bytes is not 64 + 288 n with n >= 1.
    error ProofLengthInvalid(uint256 length);

    /// @notice The proof's first word, the ABI offset of the segment array, is `offset`, not 0x20.
    error ProofOffsetInvalid(uint256 offset);

    /// @notice The proof's segment count word says `count`, but its length holds `lengthCount`.
    error SegmentCountMismatch(uint256 count, uint256 lengthCount);

    /// @notice A batch holds `statements` statements but `statementData` data and `proofs` proofs.
    error BatchLengthMismatch(uint256 statements, uint256 statementData, uint256 proofs);

    /// @notice A batch holds no proof.
    error EmptyBatch();

    // ------------------------------------------------------------------ errors: values

    /// @notice The chunk commitment is not below the scalar field order: no proof can reach it.
    error ChunkCommitmentNotInField(bytes32 chunkCommitment);

    /// @notice Segment `segment`'s next commitment, a public input, is not below the scalar field order.
    error NextCommitmentNotInField(uint256 segment, uint256 nextCommitment);

    /// @notice Word `word` (0-7) of segment `segment`'s proof, `value`, is not below the base field order.
    error ProofCoordinateNotInField(uint256 segment, uint256 word, uint256 value);

    /// @notice Point `point` of segment `segment`'s proof is not on its curve (the point at infinity is not accepted).
    error ProofPointNotOnCurve(uint256 segment, ProofPoint point);

    /// @notice The pairing precompile rejected its input. Every coordinate and curve equation was
    ///         checked before, so some segment's B is on the twist but outside the order-r subgroup.
    error PairingInputRejected();

    /// @notice The elliptic curve precompile at address `precompile` (6: ecAdd, 7: ecMul; 7 if both)
    ///         failed on input that was checked to be valid: the call ran out of gas.
    error PrecompileFailed(uint256 precompile);

    // ------------------------------------------------------------------ verify

    /// @inheritdoc IProofVerifier
    /// @dev `proof` is `abi.encode(Segment[])` in chain order: segment i proves the step from the
    ///      previous segment's next commitment (0 for the first) to its own, for the statement's
    ///      binding. This circuit proves nothing about `statementData`; the binding commits to its hash.
    function verifyChunkProof(ChunkStatement calldata statement, bytes calldata, bytes calldata proof)
        external
        view
        returns (bool valid)
    {
        uint256[] memory chunks = new uint256[](CHUNK_WORDS);
        // NOTE: every input is well formed after the check; from here on a wrong proof returns false.
        if (!_checkChunk(statement, proof, chunks, 0)) return false;
        // NOTE: the seed hashes the whole statement and proof, so the weights are fixed only
        // after the proof is; one segment needs no weight (w_0 = 1).
        bytes32 seed = chunks[1] == 1 ? bytes32(0) : _chunkDigest(statement.commitment, chunks[2], proof);
        return _pairingHolds(chunks, chunks[1], seed);
    }

    /// @inheritdoc IBatchProofVerifier
    /// @dev One pairing check over the segments of all the chunks (the contract's @dev, with the
    ///      segments of every chunk in batch order and one weight per segment): n chunks of k
    ///      segments cost nk + 3 pairings and 2nk + 3 scalar multiplications, instead of
    ///      n(k + 3) and n(2k + 2). The seed hashes every chunk's statement and proof; reverts as
    ///      `verifyChunkProof` does if any proof is malformed, and with `BatchLengthMismatch` or
    ///      `EmptyBatch` if the arrays do not line up.
    function verifyChunkProofs(ChunkStatement[] calldata statements, bytes[] calldata statementData, bytes[] calldata proofs)
        external
        view
        returns (bool valid)
    {
        uint256 count = statements.length;
        if (count == 0) revert EmptyBatch();
        if (statementData.length != count || proofs.length != count) {
            revert BatchLengthMismatch(count, statementData.length, proofs.length);
        }
        uint256[] memory chunks = new uint256[](count * CHUNK_WORDS);
        bytes32[] memory digests = new bytes32[](count);
        bool allChained = true;
        uint256 segmentCount;
        for (uint256 i = 0; i < count; ++i) {
            uint256 at = i * CHUNK_WORDS;
            allChained = _checkChunk(statements[i], proofs[i], chunks, at) && allChained;
            segmentCount += chunks[at + 1];
            digests[i] = _chunkDigest(statements[i].commitment, chunks[at + 2], proofs[i]);
        }
        // NOTE: every proof is checked well formed before any returns false, as for one chunk.
        if (!allChained) return false;
        // NOTE: the seed hashes every statement and proof of the batch (a one-chunk batch: that
        // chunk's own seed), so no weight is known before all the proofs are fixed.
        bytes32 seed = count == 1 ? digests[0] : keccak256(abi.encodePacked(digests));
        return _pairingHolds(chunks, segmentCount, seed);
    }

    /// @dev Checks one chunk's statement and proof (reverting if malformed), writes its record
    ///      (its segments' calldata offset, their count, the statement's binding) at `chunks[at]`,
    ///      and returns whether its chain ends at the statement's commitment.
    function _checkChunk(ChunkStatement calldata statement, bytes calldata proof, uint256[] memory chunks, uint256 at)
        private
        pure
        returns (bool chained)
    {
        bytes32 chunkCommitment = statement.commitment;
        if (uint256(chunkCommitment) >= SCALAR_FIELD) revert ChunkCommitmentNotInField(chunkCommitment);
        uint256 binding = _binding(statement);
        Segment[] calldata segments = _decode(proof);
        for (uint256 i = 0; i < segments.length; ++i) {
            _checkSegment(segments[i], i);
        }
        // NOTE: `at + 2` is inside `chunks` (its callers size it CHUNK_WORDS per chunk), so the
        // record is written without bounds checks.
        assembly ("memory-safe") {
            let record := add(chunks, mul(add(at, 1), 0x20))
            mstore(record, segments.offset)
            mstore(add(record, 0x20), segments.length)
            mstore(add(record, 0x40), binding)
        }
        chained = segments[segments.length - 1].nextCommitment == uint256(chunkCommitment);
    }

    /// @dev `ChunkStatementLib.binding(statement)`, hashed straight from calldata: the statement
    ///      is five static words, which are `abi.encode(statement)` when clean. NOTE: a statement
    ///      with dirty words (a round id or prover with high bits set) hashes to another binding,
    ///      so its proof is rejected (false) rather than the call reverting; the market only ever
    ///      sends clean statements.
    function _binding(ChunkStatement calldata statement) private pure returns (uint256 binding) {
        assembly ("memory-safe") {
            let words := mload(0x40)
            calldatacopy(words, statement, 0xa0)
            binding := mod(keccak256(words, 0xa0), SCALAR_FIELD)
        }
    }

    /// @dev A chunk's digest, `keccak256(abi.encode(commitment, binding, keccak256(proof)))`: the
    ///      seed of its weights when it is checked alone.
    function _chunkDigest(bytes32 chunkCommitment, uint256 binding, bytes calldata proof) private pure returns (bytes32) {
        return keccak256(abi.encode(chunkCommitment, binding, keccak256(proof)));
    }

    /// @dev Runs the batched pairing check over the chunk records (`segmentCount` segments in
    ///      all); reverts if a precompile failed.
    function _pairingHolds(uint256[] memory chunks, uint256 segmentCount, bytes32 seed) private view returns (bool) {
        (bool pairingHolds, uint256 failedPrecompile) = _batchedPairingCheck(chunks, segmentCount, seed);
        if (failedPrecompile == EC_PAIRING) revert PairingInputRejected();
        if (failedPrecompile != 0) revert PrecompileFailed(failedPrecompile);
        return pairingHolds;
    }

    // ------------------------------------------------------------------ decode and check

    /// @dev Checks the canonical encoding (length, offset word, count word) and returns the
    ///      segment array in place, in calldata: no copy.
    function _decode(bytes calldata proof) private pure returns (Segment[] calldata segments) {
        if (proof.length < HEADER_BYTES + SEGMENT_BYTES || (proof.length - HEADER_BYTES) % SEGMENT_BYTES != 0) {
            revert ProofLengthInvalid(proof.length);
        }
        uint256 offset;
        uint256 count;
        // NOTE: the proof is at least HEADER_BYTES long, so both words are inside it.
        assembly ("memory-safe") {
            offset := calldataload(proof.offset)
            count := calldataload(add(proof.offset, 0x20))
        }
        if (offset != 0x20) revert ProofOffsetInvalid(offset);
        // NOTE: cannot underflow, the length was checked to be at least HEADER_BYTES above.
        uint256 lengthCount = (proof.length - HEADER_BYTES) / SEGMENT_BYTES;
        if (count != lengthCount) revert SegmentCountMismatch(count, lengthCount);
        // NOTE: Segment is a static 9-word struct, so the array's elements are the 288-byte
        // records after the header, exactly `count` of them: this is what abi.decode would read.
        assembly ("memory-safe") {
            segments.offset := add(proof.offset, HEADER_BYTES)
            segments.length := count
        }
    }

    /// @dev Reverts unless the segment's public input is in the scalar field, every coordinate
    ///      is in the base field, A and C are on y^2 = x^3 + 3 and B is on the twist.
    function _checkSegment(Segment calldata segment, uint256 index) private pure {
        if (segment.nextCommitment >= SCALAR_FIELD) revert NextCommitmentNotInField(index, segment.nextCommitment);
        uint256[8] calldata words = segment.proof;
        if (!_inBaseField(words)) {
            // NOTE: some word is out of the field, so this loop reverts before word 8.
            for (uint256 word = 0;; ++word) {
                if (words[word] >= BASE_FIELD) revert ProofCoordinateNotInField(index, word, words[word]);
            }
        }
        if (!_isOnCurve(words[0], words[1])) revert ProofPointNotOnCurve(index, ProofPoint.A);
        if (!_isOnTwist(words[3], words[2], words[5], words[4])) revert ProofPointNotOnCurve(index, ProofPoint.B);
        if (!_isOnCurve(words[6], words[7])) revert ProofPointNotOnCurve(index, ProofPoint.C);
    }

    /// @dev Whether all eight words are below p.
    function _inBaseField(uint256[8] calldata words) private pure returns (bool) {
        return words[0] < BASE_FIELD && words[1] < BASE_FIELD && words[2] < BASE_FIELD && words[3] < BASE_FIELD
            && words[4] < BASE_FIELD && words[5] < BASE_FIELD && words[6] < BASE_FIELD && words[7] < BASE_FIELD;
    }

    /// @dev y^2 = x^3 + 3 over Fp, for coordinates below p. False for the point at infinity (0, 0).
    function _isOnCurve(uint256 x, uint256 y) private pure returns (bool) {
        return mulmod(y, y, BASE_FIELD) == addmod(mulmod(mulmod(x, x, BASE_FIELD), x, BASE_FIELD), 3, BASE_FIELD);
    }

    /// @dev y^2 = x^3 + b' over Fp2 = Fp[u] / (u^2 + 1), for coordinates below p; written out
    ///      with (a + b u)(c + d u) = (ac - bd) + (ad + bc) u. NOTE: p - z is in (0, p] for z < p,
    ///      and addmod reduces it, so every subtraction below is a subtraction in Fp.
    function _isOnTwist(uint256 xReal, uint256 xImag, uint256 yReal, uint256 yImag) private pure returns (bool) {
        uint256 squareReal = addmod(mulmod(xReal, xReal, BASE_FIELD), BASE_FIELD - mulmod(xImag, xImag, BASE_FIELD), BASE_FIELD);
        uint256 squareImag = mulmod(addmod(xReal, xReal, BASE_FIELD), xImag, BASE_FIELD);
        uint256 cubeReal = addmod(mulmod(squareReal, xReal, BASE_FIELD), BASE_FIELD - mulmod(squareImag, xImag, BASE_FIELD), BASE_FIELD);
        uint256 cubeImag = addmod(mulmod(squareReal, xImag, BASE_FIELD), mulmod(squareImag, xReal, BASE_FIELD), BASE_FIELD);
        uint256 ySquareReal = addmod(mulmod(yReal, yReal, BASE_FIELD), BASE_FIELD - mulmod(yImag, yImag, BASE_FIELD), BASE_FIELD);
        uint256 ySquareImag = mulmod(addmod(yReal, yReal, BASE_FIELD), yImag, BASE_FIELD);
        return ySquareReal == addmod(cubeReal, TWIST_B_REAL, BASE_FIELD)
            && ySquareImag == addmod(cubeImag, TWIST_B_IMAG, BASE_FIELD);
    }

    // ------------------------------------------------------------------ pairing

    /// @dev The batched pairing check of the contract's @dev over the segments of every chunk
    ///      record in `chunks` (three words each: the calldata offset of its segments, their
    ///      count, its binding; `segmentCount` segments in all), the weights numbered across the
    ///      whole batch: returns whether the
    ///      product is 1, and the address of a precompile that failed (0 if none). Assembly,
    ///      because this is the hot path of `submitProof` and the market has a gas goal: the same
    ///      steps written with Solidity arrays and internal calls cost about 7,000 gas more for one
    ///      segment (docs/zk.md, "Gas"). Weights 0 and 1 skip the ecMul call, (0, 0) terms the
    ///      ecAdd call. The public-input terms are summed in the scalar field first, so they cost
    ///      four scalar multiplications whatever the number of chunks and segments:
    ///      sum_i w_i vk_i = W IC0 + (sum_i w_i previous_i) IC1 + (sum_i w_i next_i) IC2
    ///      + (sum_i w_i binding_i) IC3, where previous_i is 0 for the first segment of each chunk.
    ///      Memory: `input` holds the (segments + 3) pairs of six words the pairing precompile
    ///      reads ((x, y) of the G1 point, then the G2 point as x_imag, x_real, y_imag, y_real);
    ///      after it `term` (a weighted point), `sumC` (the sum of w_i C_i) and `buffer` (a
    ///      precompile's input), all allocated.
    function _batchedPairingCheck(uint256[] memory chunks, uint256 segmentCount, bytes32 seed)
        private
        view
        returns (bool valid, uint256 failedPrecompile)
    {
        assembly ("memory-safe") {
            // The point (x, y) times s, written at `to`; returns 0, or EC_MUL if the call failed.
            function multiplyTo(to, x, y, s, buffer) -> failed {
                switch s
                case 0 {
                    mstore(to, 0)
                    mstore(add(to, 0x20), 0)
                }
                case 1 {
                    mstore(to, x)
                    mstore(add(to, 0x20), y)
                }
                default {
                    mstore(buffer, x)
                    mstore(add(buffer, 0x20), y)
                    mstore(add(buffer, 0x40), s)
                    if iszero(staticcall(gas(), EC_MUL, buffer, 0x60, to, 0x40)) { failed := EC_MUL }
                }
            }
            // The point at `sum` plus the point at `term`, written at `sum`; returns 0, or EC_ADD if
            // the call failed.
            function addTo(sum, term, buffer) -> failed {
                let termX := mload(term)
                let termY := mload(add(term, 0x20))
                if or(termX, termY) {
                    switch or(mload(sum), mload(add(sum, 0x20)))
                    case 0 {
                        mstore(sum, termX)
                        mstore(add(sum, 0x20), termY)
                    }
                    default {
                        mstore(buffer, mload(sum))
                        mstore(add(buffer, 0x20), mload(add(sum, 0x20)))
                        mstore(add(buffer, 0x40), termX)
                        mstore(add(buffer, 0x60), termY)
                        if iszero(staticcall(gas(), EC_ADD, buffer, 0x80, sum, 0x40)) { failed := EC_ADD }
                    }
                }
            }

            // Memory after the pairs: term (2 words), sumC (2), buffer (4), then the running sums
            // W (weightSum), sum w_i previous_i, sum w_i next_i, sum w_i binding_i, the previous
            // commitment and the current chunk's binding. NOTE: sumC and buffer are written as
            // term + 0x40 and term + 0x80 below (no variables of their own: the stack is full).
            let recordsEnd := add(add(chunks, 0x20), mul(mload(chunks), 0x20))
            let input := mload(0x40)
            let term := add(input, mul(add(segmentCount, 3), 0xc0))
            let sums := add(term, 0x100)
            mstore(0x40, add(sums, 0xc0))
            mstore(add(term, 0x40), 0)
            mstore(add(term, 0x60), 0)
            mstore(sums, 0)
            mstore(add(sums, 0x20), 0)
            mstore(add(sums, 0x40), 0)
            mstore(add(sums, 0x60), 0)

            let i := 0
            for { let record := add(chunks, 0x20) } lt(record, recordsEnd) { record := add(record, 0x60) } {
                // Segment i in calldata: nextCommitment, A.x, A.y, B (4 words), C.x, C.y.
                let segment := mload(record)
                let end := add(i, mload(add(record, 0x20)))
                mstore(add(sums, 0xa0), mload(add(record, 0x40)))
                // The first segment of every chunk starts from commitment 0.
                mstore(add(sums, 0x80), 0)
                for {} lt(i, end) { i := add(i, 1) segment := add(segment, SEGMENT_BYTES) } {
                    let weight := 1
                    if i {
                        // w_i = uint256(keccak256(abi.encode(seed, i))) % (r - 1) + 1
                        mstore(0x00, seed)
                        mstore(0x20, i)
                        weight := add(mod(keccak256(0x00, 0x40), sub(SCALAR_FIELD, 1)), 1)
                    }
                    let pair := add(input, mul(i, 0xc0))
                    // NOTE: A is on the curve (checked), so A.y != 0 and p - A.y is the y of -A.
                    failedPrecompile := or(failedPrecompile, multiplyTo(
                        pair, calldataload(add(segment, 0x20)), sub(BASE_FIELD, calldataload(add(segment, 0x40))), weight, add(term, 0x80)
                    ))
                    calldatacopy(add(pair, 0x40), add(segment, 0x60), 0x80)
                    failedPrecompile := or(failedPrecompile, multiplyTo(
                        term, calldataload(add(segment, 0xe0)), calldataload(add(segment, 0x100)), weight, add(term, 0x80)
                    ))
                    failedPrecompile := or(failedPrecompile, addTo(add(term, 0x40), term, add(term, 0x80)))
                    mstore(sums, addmod(mload(sums), weight, SCALAR_FIELD))
                    mstore(add(sums, 0x20), addmod(mload(add(sums, 0x20)), mulmod(weight, mload(add(sums, 0x80)), SCALAR_FIELD), SCALAR_FIELD))
                    mstore(add(sums, 0x40), addmod(mload(add(sums, 0x40)), mulmod(weight, calldataload(segment), SCALAR_FIELD), SCALAR_FIELD))
                    mstore(add(sums, 0x60), addmod(mload(add(sums, 0x60)), mulmod(weight, mload(add(sums, 0xa0)), SCALAR_FIELD), SCALAR_FIELD))
                    mstore(add(sums, 0x80), calldataload(segment))
                }
            }
            let sumC := add(term, 0x40)
            let buffer := add(term, 0x80)

            // (W alpha, beta)
            let weightSum := mload(sums)
            let pair := add(input, mul(segmentCount, 0xc0))
            failedPrecompile := or(failedPrecompile, multiplyTo(pair, VK_ALPHA_X, VK_ALPHA_Y, weightSum, buffer))
            mstore(add(pair, 0x40), VK_BETA_X_IMAG)
            mstore(add(pair, 0x60), VK_BETA_X_REAL)
            mstore(add(pair, 0x80), VK_BETA_Y_IMAG)
            mstore(add(pair, 0xa0), VK_BETA_Y_REAL)
            // (sum w_i vk_i, gamma) = (W IC0 + (sum w_i previous_i) IC1 + (sum w_i next_i) IC2 + (sum w_i binding_i) IC3, gamma)
            pair := add(pair, 0xc0)
            failedPrecompile := or(failedPrecompile, multiplyTo(pair, VK_IC0_X, VK_IC0_Y, weightSum, buffer))
            failedPrecompile := or(failedPrecompile, multiplyTo(term, VK_IC1_X, VK_IC1_Y, mload(add(sums, 0x20)), buffer))
            failedPrecompile := or(failedPrecompile, addTo(pair, term, buffer))
            failedPrecompile := or(failedPrecompile, multiplyTo(term, VK_IC2_X, VK_IC2_Y, mload(add(sums, 0x40)), buffer))
            failedPrecompile := or(failedPrecompile, addTo(pair, term, buffer))
            failedPrecompile := or(failedPrecompile, multiplyTo(term, VK_IC3_X, VK_IC3_Y, mload(add(sums, 0x60)), buffer))
            failedPrecompile := or(failedPrecompile, addTo(pair, term, buffer))
            mstore(add(pair, 0x40), VK_GAMMA_X_IMAG)
            mstore(add(pair, 0x60), VK_GAMMA_X_REAL)
            mstore(add(pair, 0x80), VK_GAMMA_Y_IMAG)
            mstore(add(pair, 0xa0), VK_GAMMA_Y_REAL)
            // (sum w_i C_i, delta)
            pair := add(pair, 0xc0)
            mstore(pair, mload(sumC))
            mstore(add(pair, 0x20), mload(add(sumC, 0x20)))
            mstore(add(pair, 0x40), VK_DELTA_X_IMAG)
            mstore(add(pair, 0x60), VK_DELTA_X_REAL)
            mstore(add(pair, 0x80), VK_DELTA_Y_IMAG)
            mstore(add(pair, 0xa0), VK_DELTA_Y_REAL)

            if iszero(failedPrecompile) {
                switch staticcall(gas(), EC_PAIRING, input, mul(add(segmentCount, 3), 0xc0), 0x00, 0x20)
                case 0 { failedPrecompile := EC_PAIRING }
                default { valid := eq(mload(0x00), 1) }
            }
        }
    }
}
