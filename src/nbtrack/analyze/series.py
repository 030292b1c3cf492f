"""Metric series of many runs for charts: downsampled into buckets that keep each one's last, min and max.

A chart of 100 runs gets at most `points` buckets per run. A bucket is a run of consecutive
points (equal counts; the series' first point is a bucket of its own); it reports the x, step
and value of its last point and the min and max of all of its values, so a spike between
drawn points still shows as the bucket's band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbtrack.errors import UsageError

MAX_RUNS = 500
MIN_POINTS, MAX_POINTS = 2, 20_000
MAX_BUCKETS = 1_000_000  # runs x points in one answer (100 runs x 10,000; 500 x 2,000): ~40 MB of JSON
X_AXES = ("step", "wall", "relative")  # or metrics.<other key>: that key's value at the same step


def check_x(x: str) -> str | None:
    """The other metric key when x is metrics.<key>, None for step/wall/relative; UsageError otherwise."""
    if x in X_AXES:
        return None
    if isinstance(x, str) and x.startswith("metrics.") and len(x) > len("metrics."):
        return x.removeprefix("metrics.")
    raise UsageError(f"x must be step, wall, relative or metrics.<key>, such as x=metrics.epoch. Got {str(x)[:80]!r}")


def series(store: Any, refs: Sequence[str], key: str, *, points: int = 1000, x: str = "step",
           after: int | None = None) -> dict[str, Any]:
    """Each run's series of key, bucketed to at most `points` buckets, with the run's status and last step.

    x: step; wall (seconds since the epoch); relative (seconds since the run started); or
    metrics.<other> (the other key's value at the same step; steps it lacks are left out).
    after: only points past this step (a live chart asks for what is new since its last fetch).
    """
    from nbtrack.store.series import series_arrays

    if not 1 <= len(refs) <= MAX_RUNS:
        raise UsageError(f"series takes 1 to {MAX_RUNS} run ids as ids=a,b. Got {len(refs)}.")
    if not isinstance(key, str) or not key.strip():
        raise UsageError("name the metric key, such as key=train.loss")
    if isinstance(points, bool) or not MIN_POINTS <= points <= MAX_POINTS:
        raise UsageError(f"points must be between {MIN_POINTS} and {MAX_POINTS}. Got {points!r} instead.")
    if len(refs) * points > MAX_BUCKETS:
        raise UsageError(f"{len(refs)} runs x {points} points is more than {MAX_BUCKETS:,} buckets in one answer; "
                         f"ask for at most {MAX_BUCKETS // len(refs)} points a run")
    other = check_x(x)
    runs = [store.run(ref) for ref in dict.fromkeys(refs)] if len(refs) < 20 else _bulk(store, refs)
    ids = [run.id for run in runs]
    found = series_arrays(store, ids, key, after=after)
    across = series_arrays(store, ids, other, after=after) if other is not None else {}
    result = []
    for run in runs:
        summary = run.summaries.get(key)
        entry: dict[str, Any] = {"id": run.id, "name": run.name, "status": str(run.status),
                                 "last_step": None if summary is None else summary.step,
                                 "count": 0, "x": [], "last": [], "min": [], "max": [], "step": []}
        if run.id in found:
            steps, values, stamps = found[run.id]
            xs = _x_values(x, steps, stamps, run.started_at, across.get(run.id))
            if other is not None:
                keep = ~np.isnan(xs)
                steps, values, xs = steps[keep], values[keep], xs[keep]
            entry.update(_buckets(steps, values, xs, points))
        result.append(entry)
    return {"key": key, "x": x, "points": points, "after": after, "runs": result}


def _bulk(store: Any, refs: Sequence[str]) -> list[Any]:
    full = [ref if len(ref) == 26 else store.resolve(ref) for ref in dict.fromkeys(refs)]
    listed = ", ".join("'" + i.replace("'", "''") + "'" for i in full)
    by_id = {run.id: run for run in store.runs(f"id in ({listed})", archived="include")}
    missing = [ref for ref in full if ref not in by_id]
    if missing:
        from nbtrack.errors import RunNotFound

        raise RunNotFound(f"no run {missing[0]!r}; list runs with GET /nbtrack/api/runs")
    return [by_id[i] for i in full]


def _x_values(x: str, steps: np.ndarray, stamps: np.ndarray, started_at: float,
              other: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> np.ndarray:
    if x == "step":
        return steps.astype(np.float64)
    if x == "wall":
        return stamps / 1000.0
    if x == "relative":
        return stamps / 1000.0 - started_at
    xs = np.full(len(steps), np.nan)
    if other is not None:
        other_steps, other_values, _ = other
        at = np.searchsorted(other_steps, steps)
        inside = at < len(other_steps)
        hit = np.zeros(len(steps), dtype=bool)
        hit[inside] = other_steps[at[inside]] == steps[inside]
        xs[hit] = other_values[at[hit]]
    return xs


def _buckets(steps: np.ndarray, values: np.ndarray, xs: np.ndarray, points: int) -> dict[str, Any]:
    n = len(values)
    if n == 0:
        return {"count": 0}
    if n <= points:
        last_index = np.arange(n)
        lows = highs = values
    else:
        # The first point is a bucket of its own, so a line starts where its series does.
        starts = np.unique(np.concatenate([[0], np.linspace(1, n, points).astype(np.int64)[:-1]]))
        last_index = np.append(starts[1:] - 1, n - 1)
        with np.errstate(invalid="ignore"):
            lows = np.fmin.reduceat(values, starts)  # fmin: a NaN in a bucket does not hide its numbers
            highs = np.fmax.reduceat(values, starts)
    return {"count": int(n), "x": _listed(xs[last_index]), "last": _listed(values[last_index]),
            "min": _listed(lows), "max": _listed(highs), "step": steps[last_index].tolist()}


def _listed(array: np.ndarray) -> list[float | None]:
    """Floats for JSON: NaN and infinities as None (the widgets and the server's orjson alike)."""
    values = array.tolist()
    if np.isfinite(array).all():
        return values  # type: ignore[no-any-return]
    return [v if math.isfinite(v) else None for v in values]
