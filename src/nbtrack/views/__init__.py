"""Views of runs in the notebook: capture views, RunTable, RunComparison, SweepAnalysis, all with static HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nbtrack.lazy import lazy_names

_HOMES = {
    "RunTable": "nbtrack.views.table",
    "RunComparison": "nbtrack.views.comparison",
    "RunCard": "nbtrack.views.run_card",
    "DataView": "nbtrack.views.capture_views",
    "ModelView": "nbtrack.views.capture_views",
    "EvaluationView": "nbtrack.views.capture_views",
    "SweepAnalysis": "nbtrack.views.sweep",
}

__all__ = sorted(_HOMES)
__getattr__ = lazy_names(__name__, globals(), _HOMES)


if TYPE_CHECKING:
    from nbtrack.views.capture_views import DataView, EvaluationView, ModelView
    from nbtrack.views.comparison import RunComparison
    from nbtrack.views.run_card import RunCard
    from nbtrack.views.sweep import SweepAnalysis
    from nbtrack.views.table import RunTable
