"""proofmarket: a prover market for ZK-rollups (the Prooφ dual auction with on-chain settlement).

Subpackages, pure core first, effects at the edges:

- ``mechanism``     the auction rules as exact-integer pure functions (docs/mechanism.md)
- ``sim``           workloads, the property harness and its reports
- ``chain``         compile, deploy, bindings, EIP-712 typed data, decoded contract errors
- ``zk``            the chunk circuit, the development Groth16 ceremony, proving with snarkjs
- ``clearinghouse`` the round loop and its database
- ``api``           HTTP intake of signed bids and asks
- ``prover``        the prover agent
- ``bench``         the benchmarks, one module per ``proofmarket bench`` command
- ``cli``           the ``proofmarket`` command
"""

__version__ = "0.1.0"
