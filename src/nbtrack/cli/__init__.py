"""The nbtrack command line: thin commands that parse, call the library, and render."""

from nbtrack.cli import runs  # noqa: F401  (registers its commands)
from nbtrack.cli import sweep  # noqa: F401  (sweeps)
from nbtrack.cli import transfer  # noqa: F401  (import, export)
from nbtrack.cli import maintenance  # noqa: F401
from nbtrack.cli import models  # noqa: F401  (model registry)
from nbtrack.cli import check  # noqa: F401  (quality gates)
from nbtrack.cli import alerts  # noqa: F401  (alert rules)
from nbtrack.cli import reproduce  # noqa: F401  (re-execute and compare)
from nbtrack.cli import report  # noqa: F401  (HTML report)
from nbtrack.cli import views  # noqa: F401  (saved views of the runs table)
from nbtrack.cli.app import cli, main

__all__ = ["cli", "main"]
