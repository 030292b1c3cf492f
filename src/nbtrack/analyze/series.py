"""Metric series of many runs for charts: downsampled into buckets that keep each one's last, min and max.

A chart of 100 runs gets at most `points` buckets per run. A bucket is a run of consecutive
points (equal counts; the series' first point is a bucket of its own); it reports the x, step
and value of its last point and the min and max of all of its values, so a spike between
drawn points still shows as the bucket's band.
"""

from __future__ import annotations

import json
import math
import warnings
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

    other = _checked(refs, key, points, x)
    runs = _runs_of(store, refs)
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


def group_series(store: Any, refs: Sequence[str], key: str, group: str, *, points: int = 500,
                 x: str = "step") -> dict[str, Any]:
    """Runs grouped by a param or tag (seeds of one config, say): per group and x bin, the mean, std,
    min and max over the group's runs of each run's mean value in that bin, and how many runs had one.

    The bins split the x range the runs span together in `points` equal parts, so every
    group's line has the same x values ("bins": each bin's right edge).
    """
    from nbtrack.store.query import parse_field
    from nbtrack.store.series import series_arrays

    field = parse_field(group.strip()) if isinstance(group, str) and group.strip() else None
    if field is None or field.kind not in ("params", "tags"):
        raise UsageError("group runs by a param or a tag, such as group=params.model or group=tags.config")
    other = _checked(refs, key, points, x)
    runs = {run.id: run for run in _runs_of(store, refs)}
    arrays = series_arrays(store, list(runs), key)
    across = series_arrays(store, list(runs), other) if other is not None else {}
    lines: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for run_id, (steps, values, stamps) in arrays.items():
        xs = _x_values(x, steps, stamps, runs[run_id].started_at, across.get(run_id))
        keep = ~np.isnan(xs)
        lines[run_id] = (xs[keep], values[keep])
    spans = [(line[0].min(), line[0].max()) for line in lines.values() if len(line[0])]
    low = min((a for a, _ in spans), default=0.0)
    high = max((b for _, b in spans), default=0.0)
    edges = np.linspace(low, high if high > low else low + 1, points + 1)
    members: dict[str, list[str]] = {}
    for run_id, run in runs.items():
        source = run.params if field.kind == "params" else run.tags
        value = source.get(field.key)
        members.setdefault(json.dumps(value, sort_keys=True, default=str), []).append(run_id)
    groups = []
    for label, ids in sorted(members.items()):
        binned = np.full((len(ids), points), np.nan)
        for row, run_id in enumerate(ids):
            if run_id in lines and len(lines[run_id][0]):
                binned[row] = _bin_means(*lines[run_id], edges)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an empty bin is NaN, by design
            groups.append({"value": json.loads(label), "runs": ids, "mean": _listed(np.nanmean(binned, axis=0)),
                           "std": _listed(np.nanstd(binned, axis=0)), "min": _listed(np.nanmin(binned, axis=0)),
                           "max": _listed(np.nanmax(binned, axis=0)),
                           "count": np.sum(~np.isnan(binned), axis=0).tolist()})
    return {"key": key, "x": x, "group": group, "points": points, "bins": _listed(edges[1:]), "groups": groups}


def _bin_means(xs: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The mean of a run's finite values in each bin (NaN where it has none)."""
    index = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, len(edges) - 2)
    finite = np.isfinite(values)
    sums = np.bincount(index[finite], weights=values[finite], minlength=len(edges) - 1)
    counts = np.bincount(index[finite], minlength=len(edges) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _checked(refs: Sequence[str], key: str, points: int, x: str) -> str | None:
    """Refuse what a series answer cannot be; the other metric key when x names one."""
    if not 1 <= len(refs) <= MAX_RUNS:
        raise UsageError(f"series takes 1 to {MAX_RUNS} run ids as ids=a,b. Got {len(refs)}.")
    if not isinstance(key, str) or not key.strip():
        raise UsageError("name the metric key, such as key=train.loss")
    if isinstance(points, bool) or not MIN_POINTS <= points <= MAX_POINTS:
        raise UsageError(f"points must be between {MIN_POINTS} and {MAX_POINTS}. Got {points!r} instead.")
    if len(refs) * points > MAX_BUCKETS:
        raise UsageError(f"{len(refs)} runs x {points} points is more than {MAX_BUCKETS:,} buckets in one answer; "
                         f"ask for at most {MAX_BUCKETS // len(refs)} points a run")
    return check_x(x)


def _runs_of(store: Any, refs: Sequence[str]) -> list[Any]:
    """The runs, in the order given, each once: one by one when few, in one filtered listing when many."""
    unique = list(dict.fromkeys(refs))
    return [store.run(ref) for ref in unique] if len(unique) < 20 else _bulk(store, unique)


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
