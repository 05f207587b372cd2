"""The clearinghouse: the round loop and its database.

``database`` holds the tables, ``store`` the unit of work, ``rounds`` the persisted round state
machine, ``intake`` the validation of signed bids and asks, ``service`` the use cases that move a
round from open to resolved (clear, settle, watch proofs, slash). The clearinghouse is the only
writer of round state; the mechanism library is called, never the reverse.
"""
