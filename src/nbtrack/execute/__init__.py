"""Headless execution: the papermill engine "nbtrack" and execute()."""

from nbtrack.execute.headless import execute

__all__ = ["execute"]
