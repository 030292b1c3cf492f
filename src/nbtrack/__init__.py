"""nbtrack: every notebook execution a tracked, reproducible run.

Names load on first use, so `import nbtrack` stays cheap (no SQLAlchemy,
pandas or papermill until a run, a store or an execution needs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbtrack import hooks
from nbtrack.lazy import lazy_names

__version__ = "0.1.0"

_HOMES = {
    "start_run": "nbtrack.track",
    "current_run": "nbtrack.track",
    "Run": "nbtrack.track",
    "open_store": "nbtrack.store",
    "Store": "nbtrack.store",
    "execute": "nbtrack.execution",
    "sweep": "nbtrack.execution.sweep",
    "compare": "nbtrack.analyze",
    "RunStatus": "nbtrack.records",
    "autolog": "nbtrack.track.autolog",
    "import_mlflow": "nbtrack.mlflow",
}

__all__ = sorted([*_HOMES, "__version__"])


__getattr__ = lazy_names(__name__, globals(), _HOMES)


# The root sits above every layer, so it is where the core's upward calls are wired
# (see hooks.py). Each implementation loads its module on first use: import stays cheap.
def _drift_against(*args: Any) -> Any:
    from nbtrack.analyze.drift import drift_against

    return drift_against(*args)


def _run_ended(*args: Any, **kwargs: Any) -> Any:
    from nbtrack.automation.alerts import act_on_run_end

    return act_on_run_end(*args, **kwargs)


def _display_capture(*args: Any) -> Any:
    from nbtrack.views.capture_views import display_capture

    return display_capture(*args)


def _show_run_card(*args: Any) -> Any:
    from nbtrack.views.run_card import show_run_card

    return show_run_card(*args)


def _settle_run_cards(*args: Any) -> Any:
    from nbtrack.views.run_card import settle_run_cards

    return settle_run_cards(*args)


hooks.provide("drift_against", _drift_against)
hooks.provide("run_ended", _run_ended)
hooks.provide("display_capture", _display_capture)
hooks.provide("show_run_card", _show_run_card)
hooks.provide("settle_run_cards", _settle_run_cards)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from nbtrack.analyze import compare
    from nbtrack.track.autolog import autolog
    from nbtrack.execution import execute
    from nbtrack.execution.sweep import sweep
    from nbtrack.mlflow import import_mlflow
    from nbtrack.records import RunStatus
    from nbtrack.store import Store, open_store
    from nbtrack.track import Run, current_run, start_run
