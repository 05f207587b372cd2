"""ape run register_prover --network ... --devnet-account 5 --capacity 1000 [--collateral 0.01ether]

``proofmarket register-prover``: registers the signer as a prover, with collateral κ·capacity
unless ``--collateral`` says more.
"""

from proofmarket.cli.account import register_prover
from proofmarket.cli.ape import ape_script

cli = ape_script(register_prover)
