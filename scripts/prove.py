"""ape run prove --network ... --devnet-account 5

Proves and submits every chunk assigned to the signer (a registered prover) that is still open
on-chain, its transactions read from the clearinghouse database ``ape run run_round`` settled
from; each chunk is checked against its on-chain commitment first. ``proofmarket prover`` does
the same with the bid API.
"""

from proofmarket.cli.ape import ape_script, prove_command

cli = ape_script(prove_command)
