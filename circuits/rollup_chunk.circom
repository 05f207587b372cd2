// One chunk of the reference rollup (docs/rollup.md): applying the chunk's operations in order to
// the state of `preStateRoot` gives the state of `postStateRoot`, and the chunk's transfers are
// the transactions of `commitment` (the market's chunk commitment, docs/zk.md). The Python twin
// is offchain/proofmarket/rollup/state.py; witness.py builds this circuit's input.
//
//   leaf(account)   = Poseidon(address, balance, nonce)          (empty leaf: 0)
//   node            = Poseidon(left, right)                       (depth D binary tree)
//   stateRoot       = Poseidon(accountsRoot, accountCount, depositChain)
//   txHash          = Poseidon(sender, recipient, amount, nonce)  (the bid's txHash, < r)
//   c_0 = 0, c_i    = Poseidon(c_{i-1}, txHash_i)                 over the transfers, in order
//   d_k             = Poseidon(d_{k-1}, recipient, amount)        over the deposits applied
//
// Each of the N slots is a transfer, a deposit or a no-op:
//   transfer: the sender's leaf is in the tree with nonce = the transfer's nonce and a balance
//             >= amount; it is replaced by (sender, balance - amount, nonce + 1); then the
//             recipient is credited; the transfer's hash extends the commitment chain.
//   deposit:  the recipient is credited; the deposit extends the deposit chain.
//   credit:   the recipient's leaf is in the tree (address = recipient), or the recipient is new:
//             its leaf is empty, its index is accountCount and accountCount grows by one; its
//             balance + amount stays below 2^B.
//
// Public inputs, in this order (the order of the verifier's IC points):
//   preStateRoot, postStateRoot, commitment, binding
// `binding` is an opaque field element (keccak256 of the market's statement, mod r); it is
// squared into a constraint so that the proof is bound to it.
pragma circom 2.1.0;

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";

// The root of a depth-D binary tree from a leaf, its index bits (leaf level first; bit 1: the node
// is a right child) and its siblings.
template MerkleRoot(D) {
    signal input leaf;
    signal input indexBits[D];
    signal input siblings[D];
    signal output root;

    component hashes[D];
    signal nodes[D + 1];
    signal lefts[D];
    nodes[0] <== leaf;
    for (var level = 0; level < D; level++) {
        hashes[level] = Poseidon(2);
        // left = bit ? sibling : node; right = the other one.
        lefts[level] <== nodes[level] + indexBits[level] * (siblings[level] - nodes[level]);
        hashes[level].inputs[0] <== lefts[level];
        hashes[level].inputs[1] <== nodes[level] + siblings[level] - lefts[level];
        nodes[level + 1] <== hashes[level].out;
    }
    root <== nodes[D];
}

// Replaces leaf `oldLeaf` by `newLeaf` at one index when `enabled` (a bit): checks that `oldLeaf`
// is in the tree of `root` and outputs the root with `newLeaf`; when not enabled, checks nothing
// and outputs `root`.
template LeafUpdate(D) {
    signal input enabled;
    signal input root;
    signal input indexBits[D];
    signal input siblings[D];
    signal input oldLeaf;
    signal input newLeaf;
    signal output newRoot;

    component before = MerkleRoot(D);
    component after = MerkleRoot(D);
    before.leaf <== oldLeaf;
    after.leaf <== newLeaf;
    for (var level = 0; level < D; level++) {
        before.indexBits[level] <== indexBits[level];
        before.siblings[level] <== siblings[level];
        after.indexBits[level] <== indexBits[level];
        after.siblings[level] <== siblings[level];
    }
    enabled * (before.root - root) === 0;
    newRoot <== root + enabled * (after.root - root);
}

template RollupChunk(N, D, B) {
    signal input preStateRoot;
    signal input postStateRoot;
    signal input commitment;
    signal input binding;

    // The openings of the pre-state root.
    signal input preAccountsRoot;
    signal input preAccountCount;
    signal input preDepositChain;

    // The slots.
    signal input isTransfer[N];
    signal input isDeposit[N];
    signal input sender[N];
    signal input recipient[N];
    signal input amount[N];
    signal input nonce[N];
    signal input senderIndex[N];
    signal input senderBalance[N];
    signal input senderSiblings[N][D];
    signal input recipientIndex[N];
    signal input recipientBalance[N];
    signal input recipientNonce[N];
    signal input recipientIsNew[N];
    signal input recipientSiblings[N][D];

    // NOTE: a public input in no constraint could be changed freely in a proof; squaring it puts
    // the binding into the R1CS, so the proof is valid for this statement only.
    signal bindingSquared;
    bindingSquared <== binding * binding;

    component preRoot = Poseidon(3);
    preRoot.inputs[0] <== preAccountsRoot;
    preRoot.inputs[1] <== preAccountCount;
    preRoot.inputs[2] <== preDepositChain;
    preStateRoot === preRoot.out;

    signal roots[N + 1];
    signal counts[N + 1];
    signal chains[N + 1];
    signal deposits[N + 1];
    roots[0] <== preAccountsRoot;
    counts[0] <== preAccountCount;
    chains[0] <== 0;
    deposits[0] <== preDepositChain;

    signal active[N];
    component amountBits[N];
    component recipientBits[N];
    component recipientIsZero[N];
    component senderIndexBits[N];
    component recipientIndexBits[N];
    component senderOldLeaf[N];
    component senderNewLeaf[N];
    component senderUpdate[N];
    component senderRemainder[N];
    component recipientLeaf[N];
    component recipientNewLeaf[N];
    component recipientUpdate[N];
    component recipientSum[N];
    component transactionHash[N];
    component chainHash[N];
    component depositHash[N];
    signal remainder[N];
    signal credited[N];
    signal recipientOldLeaf[N];

    for (var i = 0; i < N; i++) {
        // The slot's kind: a transfer, a deposit, or neither (a no-op).
        isTransfer[i] * (isTransfer[i] - 1) === 0;
        isDeposit[i] * (isDeposit[i] - 1) === 0;
        active[i] <== isTransfer[i] + isDeposit[i];
        active[i] * (active[i] - 1) === 0;
        recipientIsNew[i] * (recipientIsNew[i] - 1) === 0;
        recipientIsNew[i] * (1 - active[i]) === 0;

        // Amounts are below 2^B; recipients are non-zero addresses (below 2^160).
        amountBits[i] = Num2Bits(B);
        amountBits[i].in <== amount[i];
        recipientBits[i] = Num2Bits(160);
        recipientBits[i].in <== recipient[i];
        recipientIsZero[i] = IsZero();
        recipientIsZero[i].in <== recipient[i];
        active[i] * recipientIsZero[i].out === 0;

        senderIndexBits[i] = Num2Bits(D);
        senderIndexBits[i].in <== senderIndex[i];
        recipientIndexBits[i] = Num2Bits(D);
        recipientIndexBits[i].in <== recipientIndex[i];

        // Transfer: debit the sender (its leaf exists: no preimage of the empty leaf 0 is known),
        // check the nonce and that the balance covers the amount, increment the nonce.
        senderOldLeaf[i] = Poseidon(3);
        senderOldLeaf[i].inputs[0] <== sender[i];
        senderOldLeaf[i].inputs[1] <== senderBalance[i];
        senderOldLeaf[i].inputs[2] <== nonce[i];
        remainder[i] <== isTransfer[i] * (senderBalance[i] - amount[i]);
        // NOTE: balances in the tree are below 2^B, so a negative difference wraps around to a
        // field element >= r - 2^B, which has no B-bit decomposition.
        senderRemainder[i] = Num2Bits(B);
        senderRemainder[i].in <== remainder[i];
        senderNewLeaf[i] = Poseidon(3);
        senderNewLeaf[i].inputs[0] <== sender[i];
        senderNewLeaf[i].inputs[1] <== senderBalance[i] - amount[i];
        senderNewLeaf[i].inputs[2] <== nonce[i] + 1;
        senderUpdate[i] = LeafUpdate(D);
        senderUpdate[i].enabled <== isTransfer[i];
        senderUpdate[i].root <== roots[i];
        for (var level = 0; level < D; level++) {
            senderUpdate[i].indexBits[level] <== senderIndexBits[i].out[level];
            senderUpdate[i].siblings[level] <== senderSiblings[i][level];
        }
        senderUpdate[i].oldLeaf <== senderOldLeaf[i].out;
        senderUpdate[i].newLeaf <== senderNewLeaf[i].out;

        // Credit the recipient: an existing leaf, or an empty one at index accountCount.
        recipientIsNew[i] * recipientBalance[i] === 0;
        recipientIsNew[i] * recipientNonce[i] === 0;
        recipientIsNew[i] * (recipientIndex[i] - counts[i]) === 0;
        recipientLeaf[i] = Poseidon(3);
        recipientLeaf[i].inputs[0] <== recipient[i];
        recipientLeaf[i].inputs[1] <== recipientBalance[i];
        recipientLeaf[i].inputs[2] <== recipientNonce[i];
        recipientOldLeaf[i] <== (1 - recipientIsNew[i]) * recipientLeaf[i].out;
        credited[i] <== active[i] * (recipientBalance[i] + amount[i]);
        recipientSum[i] = Num2Bits(B);
        recipientSum[i].in <== credited[i];
        recipientNewLeaf[i] = Poseidon(3);
        recipientNewLeaf[i].inputs[0] <== recipient[i];
        recipientNewLeaf[i].inputs[1] <== recipientBalance[i] + amount[i];
        recipientNewLeaf[i].inputs[2] <== recipientNonce[i];
        recipientUpdate[i] = LeafUpdate(D);
        recipientUpdate[i].enabled <== active[i];
        recipientUpdate[i].root <== senderUpdate[i].newRoot;
        for (var level = 0; level < D; level++) {
            recipientUpdate[i].indexBits[level] <== recipientIndexBits[i].out[level];
            recipientUpdate[i].siblings[level] <== recipientSiblings[i][level];
        }
        recipientUpdate[i].oldLeaf <== recipientOldLeaf[i];
        recipientUpdate[i].newLeaf <== recipientNewLeaf[i].out;
        roots[i + 1] <== recipientUpdate[i].newRoot;
        counts[i + 1] <== counts[i] + recipientIsNew[i];

        // A transfer's hash extends the commitment chain (docs/zk.md); a deposit extends the
        // deposit chain.
        transactionHash[i] = Poseidon(4);
        transactionHash[i].inputs[0] <== sender[i];
        transactionHash[i].inputs[1] <== recipient[i];
        transactionHash[i].inputs[2] <== amount[i];
        transactionHash[i].inputs[3] <== nonce[i];
        chainHash[i] = Poseidon(2);
        chainHash[i].inputs[0] <== chains[i];
        chainHash[i].inputs[1] <== transactionHash[i].out;
        chains[i + 1] <== chains[i] + isTransfer[i] * (chainHash[i].out - chains[i]);
        depositHash[i] = Poseidon(3);
        depositHash[i].inputs[0] <== deposits[i];
        depositHash[i].inputs[1] <== recipient[i];
        depositHash[i].inputs[2] <== amount[i];
        deposits[i + 1] <== deposits[i] + isDeposit[i] * (depositHash[i].out - deposits[i]);
    }

    commitment === chains[N];
    component postRoot = Poseidon(3);
    postRoot.inputs[0] <== roots[N];
    postRoot.inputs[1] <== counts[N];
    postRoot.inputs[2] <== deposits[N];
    postStateRoot === postRoot.out;
}

// N = 3 slots, depth D = 8 (256 accounts), balances below 2^128: about 10,300 constraints a slot,
// so three slots fit a 2^15 powers of tau. docs/rollup.md has the measurements behind the choice.
component main {public [preStateRoot, postStateRoot, commitment, binding]} = RollupChunk(3, 8, 128);
