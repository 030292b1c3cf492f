"""Views of runs in the notebook: capture views, RunTable, RunComparison, all with static HTML."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "RunTable": "nbtrack.views.table",
    "RunComparison": "nbtrack.views.comparison",
    "RunCard": "nbtrack.views.run_card",
    "DataView": "nbtrack.views.capture_views",
    "ModelView": "nbtrack.views.capture_views",
    "EvaluationView": "nbtrack.views.capture_views",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    # ipywidgets and matplotlib load only when a view is first used.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'nbtrack.views' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from nbtrack.views.capture_views import DataView, EvaluationView, ModelView
    from nbtrack.views.comparison import RunComparison
    from nbtrack.views.run_card import RunCard
    from nbtrack.views.table import RunTable
