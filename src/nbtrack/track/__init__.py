"""The live side of a run: the Run handle, start_run and current_run."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "RUN_ID_ENV": "nbtrack.config",
    "Run": "nbtrack.track.run",
    "current_run": "nbtrack.track.session",
    "start_run": "nbtrack.track.session",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    # Names load on first use, so nbtrack.track.autolog loads without the store and SQLAlchemy:
    # the engine enables autolog in every notebook it runs, most of which never record a fit.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'nbtrack.track' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from nbtrack.config import RUN_ID_ENV
    from nbtrack.track.run import Run
    from nbtrack.track.session import current_run, start_run
