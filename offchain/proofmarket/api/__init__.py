"""The bid API: HTTP intake of signed bids and asks, round and outcome queries.

It parses, calls a clearinghouse use case, and maps errors to status codes: nothing more.
"""
