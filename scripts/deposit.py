"""ape run deposit --network ... --devnet-account 3 0.1ether

``proofmarket deposit``: adds to the signer's escrow, which bids are checked against.
"""

from proofmarket.cli.ape import ape_script
from proofmarket.cli.market import deposit

cli = ape_script(deposit)
