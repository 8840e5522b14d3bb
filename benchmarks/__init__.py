"""Benchmarks: ``python -m benchmarks.NAME [--quick]`` prints a table and writes
``benchmarks/results/NAME.json`` (a flat object of metrics plus machine info)."""
