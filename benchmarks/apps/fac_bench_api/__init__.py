"""A benchmark-only app: serves tools/list with a switchable strategy (ours or the upstream baseline)."""

__version__ = "0.0.1"
