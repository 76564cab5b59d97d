"""Benchmarks: `python -m bench` runs every bench/bench_*.py module's `main()` in turn.

Each module also runs alone, e.g. `python -m bench.bench_codec`. Figures are for
reading, not for asserting: nothing here is part of the test suite.
"""
