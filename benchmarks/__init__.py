"""Performance benchmarks of Frappe Assistant Core on the test host (see README, Performance).

Run all with `benchmarks/run` (or `.venv/bin/python -m benchmarks [NAME ...]`); each benchmark
prints its table and writes benchmarks/results/<name>.json.
"""
