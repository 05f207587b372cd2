// One segment of a chunk proof: the prover knows up to N transactions that extend the chunk's
// Poseidon hash chain from `previousCommitment` to `nextCommitment`. The specification of the
// commitment and of how segments chain into a chunk proof is docs/zk.md; the Python twin of this
// circuit is offchain/proofmarket/zk/commitment.py.
//
//   t_i = uint256(txHash_i) mod r          (r: the BN254 scalar field order; done off-circuit)
//   c_i = Poseidon2(c_{i-1}, t_i)          (circomlib Poseidon, 2 inputs)
//
// Public inputs, in this order (it is the order of the verifier's IC points):
//   previousCommitment  c_k, the chain value before this segment (0 for the first segment)
//   nextCommitment      c_{k+m}, the chain value after this segment's m active transactions
//   prover              the prover's address as an integer below 2^160
// Private inputs:
//   transactions[N]     t_{k+1}..t_{k+m}, then zero padding
//   active[N]           m ones then N-m zeros (1 <= m <= N)
pragma circom 2.1.0;

include "poseidon.circom";

template ChunkSegment(N) {
    signal input previousCommitment;
    signal input nextCommitment;
    signal input prover;
    signal input transactions[N];
    signal input active[N];

    // NOTE: a public input used in no constraint would let the proof be replayed for any value
    // of it; squaring it puts the prover's address into the R1CS, so the proof binds it.
    signal proverSquared;
    proverSquared <== prover * prover;

    // The activity bits are boolean, monotone (ones then zeros) and the first is one: a segment
    // hashes at least one transaction, and its active transactions are a prefix.
    active[0] === 1;
    for (var i = 0; i < N; i++) {
        active[i] * (active[i] - 1) === 0;
        if (i > 0) {
            active[i] * (1 - active[i - 1]) === 0;
        }
        // Padding is zero: an inactive position carries no free value.
        (1 - active[i]) * transactions[i] === 0;
    }

    // chain[i + 1] is Poseidon2(chain[i], transactions[i]) where active, else chain[i].
    component hashes[N];
    signal chain[N + 1];
    chain[0] <== previousCommitment;
    for (var i = 0; i < N; i++) {
        hashes[i] = Poseidon(2);
        hashes[i].inputs[0] <== chain[i];
        hashes[i].inputs[1] <== transactions[i];
        chain[i + 1] <== chain[i] + active[i] * (hashes[i].out - chain[i]);
    }
    nextCommitment === chain[N];
}

// N = 64 transactions per segment: 15,612 constraints (2^14 powers of tau), about 1.9 s per
// segment proof with snarkjs on one core. docs/zk.md has the measurements behind the choice.
component main {public [previousCommitment, nextCommitment, prover]} = ChunkSegment(64);
