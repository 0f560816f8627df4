"""Benchmarks: each bench_*.py module prints figures and writes bench/results/<name>.json."""
