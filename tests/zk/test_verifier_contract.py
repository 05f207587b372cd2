"""Groth16ChunkVerifier on the devnet: real proofs pass; every other statement returns false;
every malformed input reverts with the error naming its rule (docs/zk.md, "The verifier")."""

from __future__ import annotations

from dataclasses import replace

import pytest
from py_ecc import bn128
from py_ecc.fields import bn128_FQ2 as FQ2

from proofmarket.zk.encoding import SegmentProof, decode_chunk_proof, encode_chunk_proof
from proofmarket.zk.field import BASE_FIELD_ORDER, SCALAR_FIELD_ORDER
from proofmarket.zk.verifier import ChunkProofMalformed, measure_verify_gas, verify_chunk_proof, verify_chunk_proofs

A, B, C = 0, 1, 2  # Groth16ChunkVerifier.ProofPoint


def verify(verifier, chunk, proof: bytes | None = None, **changes) -> bool:
    """verifyChunkProof of ``chunk``'s proof (or ``proof``) for its statement with ``changes``."""
    return verify_chunk_proof(verifier, replace(chunk.statement, **changes), chunk.encoded if proof is None else proof)


def with_words(chunk, segment: int, **words: int) -> bytes:
    """The chunk's proof with some words of one segment replaced (``w0``..``w7``, ``next``)."""
    segments = decode_chunk_proof(chunk.encoded)
    target = segments[segment]
    proof = list(target.proof)
    next_commitment = words.pop("next", target.next_commitment)
    for name, value in words.items():
        proof[int(name[1:])] = value
    segments[segment] = SegmentProof(next_commitment, tuple(proof))
    return encode_chunk_proof(segments)


def reverts(error_name: str, **arguments):
    class _Expect:
        def __enter__(self):
            self.context = pytest.raises(ChunkProofMalformed)
            self.info = self.context.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.context.__exit__(*exc)
            assert self.info.value.error_name == error_name, str(self.info.value)
            for name, value in arguments.items():
                assert self.info.value.arguments[name] == value, str(self.info.value)
            return handled

    return _Expect()


# ------------------------------------------------------------------ valid proofs


def test_verify_accepts_a_one_segment_proof(chunk_verifier, one_transaction, five_transactions):
    assert verify(chunk_verifier, one_transaction)
    assert verify(chunk_verifier, five_transactions)


def test_verify_accepts_batched_multi_segment_proofs(chunk_verifier, two_segments, three_segments):
    assert len(decode_chunk_proof(two_segments.encoded)) == 2
    assert len(decode_chunk_proof(three_segments.encoded)) == 3
    assert verify(chunk_verifier, two_segments)
    assert verify(chunk_verifier, three_segments)


def test_verify_rejects_a_prefix_of_a_chain_for_either_commitment(chunk_verifier, two_segments):
    # The binding covers the statement's commitment, so a prefix of a chunk's proof proves neither
    # the chunk's commitment nor the prefix's (that would be another statement, another binding).
    first = decode_chunk_proof(two_segments.encoded)[:1]
    prefix_commitment = first[0].next_commitment.to_bytes(32, "big")
    assert not verify(chunk_verifier, two_segments, encode_chunk_proof(first), commitment=prefix_commitment)
    assert not verify(chunk_verifier, two_segments, encode_chunk_proof(first))


@pytest.mark.parametrize(
    "change", [{"round_id": 1}, {"chunk_index": 1}, {"data_hash": b"\x01" * 32}], ids=["round", "chunk", "data"]
)
def test_verify_rejects_a_proof_for_another_round_chunk_or_statement_data(chunk_verifier, five_transactions, change):
    assert not verify(chunk_verifier, five_transactions, **change)


# ------------------------------------------------------------------ other statements: false


def test_verify_rejects_a_proof_for_another_chunk(chunk_verifier, one_transaction, five_transactions):
    assert not verify(chunk_verifier, one_transaction, commitment=five_transactions.commitment)


def test_verify_rejects_a_proof_for_another_prover(chunk_verifier, five_transactions, three_segments, signers):
    assert not verify(chunk_verifier, five_transactions, prover=signers[6].address)
    assert not verify(chunk_verifier, three_segments, prover=signers[6].address)


def test_verify_rejects_a_chain_spliced_from_two_chunks(chunk_verifier, two_segments, three_segments):
    # Segment 1 of the 3-segment chunk was proved from its own c_16, not from the 2-segment
    # chunk's c_16: the chain ends at the right commitment but does not hold together.
    spliced = [decode_chunk_proof(two_segments.encoded)[0], *decode_chunk_proof(three_segments.encoded)[1:]]
    assert not verify(chunk_verifier, three_segments, encode_chunk_proof(spliced))


def test_verify_rejects_a_proof_of_one_segment_put_in_anothers_place(chunk_verifier, three_segments):
    segments = decode_chunk_proof(three_segments.encoded)
    for index, donor in ((2, 1), (1, 0), (0, 2)):
        altered = list(segments)
        altered[index] = SegmentProof(segments[index].next_commitment, segments[donor].proof)
        assert not verify(chunk_verifier, three_segments, encode_chunk_proof(altered))


def test_verify_rejects_altered_points_that_stay_on_the_curve(chunk_verifier, five_transactions, two_segments):
    words = decode_chunk_proof(five_transactions.encoded)[0].proof
    negated_a = with_words(five_transactions, 0, w1=BASE_FIELD_ORDER - words[1])
    assert not verify(chunk_verifier, five_transactions, negated_a)
    swapped_a_c = with_words(five_transactions, 0, w0=words[6], w1=words[7], w6=words[0], w7=words[1])
    assert not verify(chunk_verifier, five_transactions, swapped_a_c)
    last = decode_chunk_proof(two_segments.encoded)[1].proof
    negated_c = with_words(two_segments, 1, w7=BASE_FIELD_ORDER - last[7])
    assert not verify(chunk_verifier, two_segments, negated_c)


# ------------------------------------------------------------------ malformed: named errors


@pytest.mark.parametrize("length", [0, 32, 64, 351, 353, 640 - 288 + 1])
def test_verify_reverts_for_a_length_that_is_not_64_plus_288n(chunk_verifier, five_transactions, length):
    data = (five_transactions.encoded * 2)[:length]
    with reverts("ProofLengthInvalid", length=length):
        verify(chunk_verifier, five_transactions, data)


def test_verify_reverts_for_a_wrong_offset_word(chunk_verifier, five_transactions):
    data = (0x40).to_bytes(32, "big") + five_transactions.encoded[32:]
    with reverts("ProofOffsetInvalid", offset=0x40):
        verify(chunk_verifier, five_transactions, data)


def test_verify_reverts_for_a_count_word_that_disagrees_with_the_length(chunk_verifier, five_transactions, two_segments):
    data = five_transactions.encoded[:32] + (2).to_bytes(32, "big") + five_transactions.encoded[64:]
    with reverts("SegmentCountMismatch", count=2, lengthCount=1):
        verify(chunk_verifier, five_transactions, data)
    huge = two_segments.encoded[:32] + (2**255).to_bytes(32, "big") + two_segments.encoded[64:]
    with reverts("SegmentCountMismatch", count=2**255, lengthCount=2):
        verify(chunk_verifier, two_segments, huge)


def test_verify_reverts_for_the_development_verifiers_proof(chunk_verifier, five_transactions):
    from proofmarket.chain.market import development_proof

    data = development_proof(five_transactions.statement)
    with reverts("ProofLengthInvalid", length=32):
        verify(chunk_verifier, five_transactions, data)


def test_verify_reverts_for_a_public_input_not_below_r(chunk_verifier, two_segments):
    # next + r is the same field element: without the range check the pairing would accept it.
    first = decode_chunk_proof(two_segments.encoded)[0].next_commitment
    with reverts("NextCommitmentNotInField", segment=0, nextCommitment=first + SCALAR_FIELD_ORDER):
        verify(chunk_verifier, two_segments, with_words(two_segments, 0, next=first + SCALAR_FIELD_ORDER))


def test_verify_reverts_for_a_chunk_commitment_not_below_r(chunk_verifier, five_transactions):
    aliased = (int.from_bytes(five_transactions.commitment, "big") + SCALAR_FIELD_ORDER).to_bytes(32, "big")
    with reverts("ChunkCommitmentNotInField", chunkCommitment=aliased):
        verify(chunk_verifier, five_transactions, commitment=aliased)


def test_verify_reverts_for_a_coordinate_not_below_p(chunk_verifier, two_segments):
    words = decode_chunk_proof(two_segments.encoded)[1].proof
    for word in (0, 3, 7):
        value = words[word] + BASE_FIELD_ORDER
        with reverts("ProofCoordinateNotInField", segment=1, word=word, value=value):
            verify(chunk_verifier, two_segments, with_words(two_segments, 1, **{f"w{word}": value}))


@pytest.mark.parametrize("word, point", [(0, A), (1, A), (2, B), (3, B), (4, B), (5, B), (6, C), (7, C)])
def test_verify_reverts_for_a_tampered_point_off_the_curve(chunk_verifier, five_transactions, word, point):
    value = decode_chunk_proof(five_transactions.encoded)[0].proof[word] ^ 1
    with reverts("ProofPointNotOnCurve", segment=0, point=point):
        verify(chunk_verifier, five_transactions, with_words(five_transactions, 0, **{f"w{word}": value}))


def test_verify_reverts_for_the_point_at_infinity(chunk_verifier, three_segments):
    with reverts("ProofPointNotOnCurve", segment=2, point=A):
        verify(chunk_verifier, three_segments, with_words(three_segments, 2, w0=0, w1=0))
    with reverts("ProofPointNotOnCurve", segment=1, point=C):
        verify(chunk_verifier, three_segments, with_words(three_segments, 1, w6=0, w7=0))


def _fq2_square_root(value: FQ2) -> FQ2 | None:
    """A square root in Fp2 for p = 3 mod 4 (Adj and Rodriguez-Henriquez, algorithm 9), or None."""
    p = bn128.field_modulus
    a1 = value ** ((p - 3) // 4)
    alpha = a1 * a1 * value
    if alpha**p * alpha == FQ2([-1, 0]):
        return None
    x0 = a1 * value
    if alpha == FQ2([-1, 0]):
        return FQ2([0, 1]) * x0
    return (FQ2([1, 0]) + alpha) ** ((p - 1) // 2) * x0


def _twist_point_outside_the_subgroup() -> tuple[FQ2, FQ2]:
    for real in range(1, 100):
        x = FQ2([real, 1])
        y = _fq2_square_root(x**3 + bn128.b2)
        if y is not None and y * y == x**3 + bn128.b2 and bn128.multiply((x, y), bn128.curve_order) is not None:
            return x, y
    raise AssertionError("no twist point found")


def test_verify_reverts_when_b_is_on_the_twist_but_outside_the_subgroup(chunk_verifier, five_transactions):
    x, y = _twist_point_outside_the_subgroup()
    data = with_words(five_transactions, 0, w2=x.coeffs[1].n, w3=x.coeffs[0].n, w4=y.coeffs[1].n, w5=y.coeffs[0].n)
    with reverts("PairingInputRejected"):
        verify(chunk_verifier, five_transactions, data)


# ------------------------------------------------------------------ gas


def test_one_segment_verification_gas_stays_near_the_precompile_floor(web3, signers, chunk_verifier, five_transactions):
    gas = measure_verify_gas(web3, signers[0], chunk_verifier, five_transactions.statement, five_transactions.encoded)
    # Pairing (181,000) + two ecMul and two ecAdd (12,300) + five calls (500) = 193,800; the
    # verifier's own code ~7,000, and the statement's binding (a keccak of five words) ~1,200.
    assert gas.execution - 193_800 < 9_000, gas
    assert gas.total < 230_000, gas


def test_each_extra_segment_costs_less_than_half_a_verification(web3, signers, chunk_verifier, five_transactions, three_segments):
    one = measure_verify_gas(web3, signers[0], chunk_verifier, five_transactions.statement, five_transactions.encoded)
    three = measure_verify_gas(web3, signers[0], chunk_verifier, three_segments.statement, three_segments.encoded)
    assert (three.execution - one.execution) / 2 < 80_000, (one, three)


# ------------------------------------------------------------------ batches of chunks


def test_a_batch_of_valid_proofs_of_one_and_two_segments_verifies(chunk_verifier, one_transaction, five_transactions, two_segments):
    chunks = [one_transaction, five_transactions, two_segments]
    assert verify_chunk_proofs(chunk_verifier, [chunk.statement for chunk in chunks], [chunk.encoded for chunk in chunks])


def test_a_batch_of_one_chunk_verifies_as_the_chunk_alone(chunk_verifier, two_segments):
    assert verify_chunk_proofs(chunk_verifier, [two_segments.statement], [two_segments.encoded])


@pytest.mark.parametrize("change", [{"round_id": 1}, {"prover": "0x" + "22" * 20}], ids=["another round", "another prover"])
def test_a_batch_with_one_proof_for_another_statement_is_rejected(chunk_verifier, one_transaction, five_transactions, change):
    other = replace(five_transactions.statement, **change)
    statements = [one_transaction.statement, other]
    assert not verify_chunk_proofs(chunk_verifier, statements, [one_transaction.encoded, five_transactions.encoded])


def test_a_batch_with_two_proofs_swapped_is_rejected(chunk_verifier, one_transaction, five_transactions):
    statements = [one_transaction.statement, five_transactions.statement]
    assert not verify_chunk_proofs(chunk_verifier, statements, [five_transactions.encoded, one_transaction.encoded])


def test_a_batch_with_a_forged_segment_is_rejected(chunk_verifier, one_transaction, two_segments):
    """Segment 1 of the second chunk gets the first chunk's C: well formed, but wrong."""
    forged_c = decode_chunk_proof(one_transaction.encoded)[0].proof
    forged = with_words(two_segments, 1, w6=forged_c[6], w7=forged_c[7])
    statements = [one_transaction.statement, two_segments.statement]
    assert not verify_chunk_proofs(chunk_verifier, statements, [one_transaction.encoded, forged])


def test_a_batch_with_a_malformed_proof_reverts_naming_the_rule(chunk_verifier, one_transaction, five_transactions):
    statements = [one_transaction.statement, five_transactions.statement]
    with reverts("ProofLengthInvalid", length=351):
        verify_chunk_proofs(chunk_verifier, statements, [one_transaction.encoded, five_transactions.encoded[:-1]])


def test_a_batch_of_mismatched_lists_reverts(chunk_verifier, one_transaction):
    with reverts("BatchLengthMismatch", statements=1, statementData=1, proofs=2):
        verify_chunk_proofs(chunk_verifier, [one_transaction.statement], [one_transaction.encoded] * 2)
    with reverts("EmptyBatch"):
        verify_chunk_proofs(chunk_verifier, [], [])
