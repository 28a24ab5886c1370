"""Support code shared by the tests (tests/) and the benchmarks (bench/): servers launched
on port 0, a moto server, a fake Athena, the warehouse's Arrow types.

Not part of the wheel (pyproject's packages.find leaves it out): it is imported from a
checkout of the repository only.
"""
