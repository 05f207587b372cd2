"""ape run bid --network ... --devnet-account 3 --constraints 200 --max-fee 600gwei

``proofmarket bid --onchain``: signs a bid for the open round and posts it with ``postBid`` (the
censorship-resistant path; ``ape run run_round`` picks it up from the event), after the bid
API's checks. Deposit first with ``ape run deposit`` (or ``proofmarket deposit``).
"""

from proofmarket.cli.ape import ape_script
from proofmarket.cli.market import bid

cli = ape_script(bid, fixed={"api_url": None, "onchain": True})
