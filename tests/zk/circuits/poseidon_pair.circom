// Test-only circuit: out = circomlib's Poseidon(2) of (left, right), so tests/zk can compare
// the Python Poseidon with the circuit's own witness.
pragma circom 2.1.0;

include "poseidon.circom";

template PoseidonPair() {
    signal input left;
    signal input right;
    signal output out;

    component hash = Poseidon(2);
    hash.inputs[0] <== left;
    hash.inputs[1] <== right;
    out <== hash.out;
}

component main = PoseidonPair();
