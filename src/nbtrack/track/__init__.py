"""The live side of a run: the Run handle, start_run and current_run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nbtrack.lazy import lazy_names

_HOMES = {
    "RUN_ID_ENV": "nbtrack.config",
    "Run": "nbtrack.track.run",
    "current_run": "nbtrack.track.session",
    "start_run": "nbtrack.track.session",
}

__all__ = sorted(_HOMES)
__getattr__ = lazy_names(__name__, globals(), _HOMES)


if TYPE_CHECKING:
    from nbtrack.config import RUN_ID_ENV
    from nbtrack.track.run import Run
    from nbtrack.track.session import current_run, start_run
