"""Simulation of the mechanism: workloads, the property harness and its reports.

- ``workloads``   seeded generators of random and adversarial rounds (and ``bench clearing``'s rounds)
- ``properties``  the property checks and deviation searches of docs/mechanism.md
                  ("Properties the harness measures")
- ``harness``     runs the checks over many instances for every mechanism
- ``report``      the table, ``properties.json`` and the plots (matplotlib, Agg)
"""
