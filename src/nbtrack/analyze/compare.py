"""compare(): runs side by side as one pandas DataFrame, the table every view sits on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from nbtrack.errors import UsageError
from nbtrack.records import RunRecord

Summary = Literal["last", "min", "max"]
FIXED_COLUMNS = ["experiment", "name", "status", "started_at", "duration"]


def compare(runs: Iterable[RunRecord], *, metrics: Summary = "last") -> Any:
    """A DataFrame with a row per run (indexed by id): fixed columns, params.*, metrics.*.

    metrics picks which summary of each series fills the metrics columns.

    >>> store = nbtrack.open_store()                                  # doctest: +SKIP
    >>> nbtrack.compare(store.runs(where="params.model = 'rf'"))      # doctest: +SKIP
    """
    import pandas as pd

    if metrics not in ("last", "min", "max"):
        raise UsageError(f"The 'metrics' parameter of compare must be last, min or max. Got {metrics!r} instead.")
    runs = list(runs)
    param_keys = sorted({k for run in runs for k in run.params})
    metric_keys = sorted({k for run in runs for k in run.summaries})
    columns: dict[str, list[Any]] = {
        "experiment": [r.experiment for r in runs],
        "name": [r.name for r in runs],
        "status": [str(r.status) for r in runs],
        "started_at": [r.started_at for r in runs],
        "duration": [r.duration for r in runs],
    }
    for key in param_keys:
        columns[f"params.{key}"] = [_cell(r.params.get(key)) for r in runs]
    for key in metric_keys:
        columns[f"metrics.{key}"] = [
            getattr(r.summaries[key], metrics) if key in r.summaries else None for r in runs
        ]
    frame = pd.DataFrame(columns, index=pd.Index([r.id for r in runs], name="id"))
    frame["started_at"] = pd.to_datetime(frame["started_at"], unit="s", utc=True)
    for key in metric_keys:
        frame[f"metrics.{key}"] = frame[f"metrics.{key}"].astype("float64")
    return frame


def _cell(value: Any) -> Any:
    # Lists and dicts become text so that a column stays comparable and hashable.
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value
