"""ape run run_round --network ... [--devnet-account 1] [--database URL]

One pass of the clearinghouse's round loop (the clearinghouse's key signs: devnet account 1
unless ``--key`` / ``--devnet-account`` says otherwise): picks up posted bids and stored asks,
closes, clears and settles every round that is due, slashes overdue chunks, and prints where
each round stands. State lives in ``$PROOFMARKET_HOME/clearinghouse.db``, so repeated runs
continue where the last one stopped.
"""

from proofmarket.cli.ape import ape_script, run_round_command

cli = ape_script(run_round_command)
