"""Simulation of the mechanism: workloads, the property harness, reports and benchmarks.

- ``workloads``   seeded generators of random and adversarial rounds (and the bench's rounds)
- ``properties``  the property checks and deviation searches of docs/mechanism.md
                  ("Properties the harness measures")
- ``harness``     runs the checks over many instances for every mechanism
- ``report``      the table, ``properties.json`` and the plots (matplotlib, Agg)
- ``bench``       timing of the clearing against ``list.sort``
"""
