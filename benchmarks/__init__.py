"""Benchmarks: one module per figure, each printed beside a baseline measured in the same run."""
