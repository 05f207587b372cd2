"""The benchmarks: figures printed by ``proofmarket bench ...``, not tests. One module each:

- ``gas``       the settlement contract's gas table and ``submitProof`` with a real Groth16
                proof (``bench gas``, ``make gas``)
- ``clearing``  clearing time for 10^3 … 10^6 bids against ``list.sort`` (``bench clearing``)
- ``prove``     proving time and verification gas per chunk size (``bench prove``)
- ``round``     full rounds on anvil, timed step by step, and their settlement gas (``bench round``)
- ``intake``    signed bids the bid API accepts per second (``bench intake``)
- ``common``    what ``round`` and ``intake`` share: the machine's load, the market's parties,
                signed bids, ``proofmarket serve`` in a child process

Each returns records (or, for ``clearing``, echoes lines); ``proofmarket.cli.bench`` prints
them. Figures move with the machine's load, which the service benchmarks record.
"""
