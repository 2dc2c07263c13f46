"""Helpers the tests and the benchmarks share (they never import each other)."""
