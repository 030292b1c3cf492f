"""Headless execution: the papermill engine "nbtrack" and execute()."""

from nbtrack.execution.headless import execute

__all__ = ["execute"]
