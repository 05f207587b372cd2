// Test-only circuit: circomlib's Poseidon of 3, 4 and 5 inputs (the prefixes of `values`), so
// tests/zk can compare the Python Poseidon of those widths with the circuit's own witness.
pragma circom 2.1.0;

include "poseidon.circom";

template PoseidonWide() {
    signal input values[5];
    signal output out3;
    signal output out4;
    signal output out5;

    component hash3 = Poseidon(3);
    component hash4 = Poseidon(4);
    component hash5 = Poseidon(5);
    for (var i = 0; i < 5; i++) {
        if (i < 3) {
            hash3.inputs[i] <== values[i];
        }
        if (i < 4) {
            hash4.inputs[i] <== values[i];
        }
        hash5.inputs[i] <== values[i];
    }
    out3 <== hash3.out;
    out4 <== hash4.out;
    out5 <== hash5.out;
}

component main = PoseidonWide();
