"""The reference ZK rollup whose state advances only on the market's chunk proofs (docs/rollup.md).

- ``state``: the L2 state (accounts in a Poseidon Merkle tree, deposits, transfers), pure.
- ``witness``: the chunk circuit's input for a pre-state, operations and a binding.
- ``prover``: proving a chunk with snarkjs and the committed DEVELOPMENT artifacts.
- ``verifier``: the on-chain ``RollupChunkVerifier``: statement data, binding, calls.
"""
