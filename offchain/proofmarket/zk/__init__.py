"""Real zero-knowledge proofs of chunks: the commitment, the circuit's artifacts, proving.

The specification is docs/zk.md. Modules, from the spec outwards:

- ``field``: the BN254 fields and the reduction of a transaction hash into the scalar field.
- ``poseidon`` (with the generated ``poseidon_constants``): circomlib's Poseidon in Python.
- ``commitment``: the chunk commitment and its split into circuit segments.
- ``encoding``: the proof bytes ``submitProof`` takes, and back.
- ``circuit``: the segment circuit's parameters, where its artifacts live, its figures.
- ``toolchain``: running node, circom2 and snarkjs from the repository's ``node_modules``.
- ``ceremony``: the development trusted setup (``proofmarket zk setup``).
- ``codegen``: generated files (the Solidity verifying key, the Poseidon constants).
- ``prover``: ``prove_chunk`` through snarkjs.
- ``verifier``: deploying and calling the on-chain ``Groth16ChunkVerifier``.

Nothing here touches the network or the chain at import time.
"""
