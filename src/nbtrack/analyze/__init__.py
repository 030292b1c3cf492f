"""Analysis over stored runs: comparison tables, quality gates, drift and alert rules."""

from nbtrack.analyze.compare import compare

__all__ = ["compare"]
