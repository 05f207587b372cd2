"""ape run ask --network ... --devnet-account 5 --unit-cost 1gwei [--round N]

``proofmarket ask`` with the ask stored straight in the clearinghouse database that ``ape run
run_round`` reads ($PROOFMARKET_HOME/clearinghouse.db, or ``--database``), after the bid API's
checks: on the ape path no API runs.
"""

from proofmarket.cli.account import ask
from proofmarket.cli.ape import ape_script, default_database

cli = ape_script(ask, fixed={"api_url": None}, defaults={"database": default_database})
