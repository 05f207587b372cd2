"""ape run deploy --network URL-or-CHOICE --devnet-account 0 --clearinghouse ADDRESS --treasury ADDRESS [--reserve 1gwei] ...

``proofmarket deploy`` on the network ape connects to: the same options (``--help``), the same
deployment record ($PROOFMARKET_HOME/deployment.json), which the other scripts read.
"""

from proofmarket.cli.ape import ape_script
from proofmarket.cli.market import deploy

cli = ape_script(deploy)
