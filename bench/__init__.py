"""Benchmarks: medians and ratios printed as tables; never part of the test suite or CI gates."""
