"""What drove a metric across runs: parallel-coordinates axes and rows, parameter importance, scatter.

One computation for the server (GET /nbtrack/api/analysis) and the notebook (views.SweepAnalysis).

Parameter importance is computed as W&B's parameter-importance panel does: a random forest
(scikit-learn's RandomForestRegressor, 100 trees, random_state=0 so the same runs always give
the same answer) is fitted with the params as inputs and the metric as the target, and each
param's importance is its impurity-based (mean decrease in impurity) importance. Categorical
params are one-hot encoded and their columns' importances summed back into the param: impurity
importances add up over a group of columns, whereas permutation importance would permute one
dummy column at a time (rows that are both and neither category) and costs n_repeats x params
predictions more. Beside it, each param's correlation with the metric: Spearman's rank
correlation for numeric params (signed: does raising it raise the metric), and for categorical
params the correlation ratio eta (0 to 1: how much of the metric's variance the categories
explain; a category has no direction).

A forest's importance is only worth reading with enough runs: with a handful, each leaf holds one
or two runs and the importances follow noise (six runs gave max_depth 0.58 over model 0.42 while
model explained the metric, eta 0.54). `reliable` is true from RELIABLE_RUNS runs with the metric
and RUNS_PER_PARAM per varying param (a rule of thumb like regression's events per variable, kept
low because a sweep's params are few and chosen): then params are ranked by importance, else by
the size of their correlation, and `summary` says in one line which param matters most and how far
to trust it. A bare metric key (`test.f1`) is read as metrics.<key>.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbtrack import formatting
from nbtrack.errors import UsageError

MAX_RUNS = 10_000
MAX_IDS = 1000  # ids named one by one (each becomes a value of an `id in (...)` filter)
MAX_PARAMS = 50  # axes: the params that vary, by name
MAX_CATEGORIES = 50  # one-hot columns per categorical param; the rarest beyond are one "other"
MIN_RUNS_FOR_IMPORTANCE = 3
RELIABLE_RUNS = 20
RUNS_PER_PARAM = 5
TREES = 100
FOREST_SAMPLE = 2000  # runs the forest is fitted on: a fixed random sample past it (1,000 runs fit in ~0.3 s)
SWEEP_TAG = "sweep"  # execution/sweep.py tags each of a sweep's runs with its id
_OTHER = "(other)"
_SUMMARY_PARTS = ("min", "max")


def select_runs(store: Any, *, where: str | None = None, experiment: str | None = None,
                ids: Sequence[str] | None = None, sweep: str | None = None,
                archived: str = "hide") -> list[Any]:
    """The runs an analysis covers: a filter, an experiment, a sweep's id and/or ids, all and-ed.

    Raises UsageError past MAX_RUNS matching runs or MAX_IDS ids.
    """
    clauses = [f"({where})"] if where and where.strip() else []
    if sweep:
        if SWEEP_TAG not in store.field_keys()["tags"]:  # else the filter's "unknown key tags.sweep" would puzzle
            raise UsageError(f"no run belongs to sweep {str(sweep)[:40]!r}: no run in this store came from a sweep; "
                             "start one with nbtrack sweep")
        clauses.append(f"tags.{SWEEP_TAG} = {_quoted(sweep)}")
    if ids:
        if len(ids) > MAX_IDS:
            raise UsageError(f"{len(ids)} run ids are more than {MAX_IDS}; select runs with a filter (where) instead")
        full = [ref if len(ref) == 26 else store.resolve(ref) for ref in ids]
        clauses.append("id in (" + ", ".join(_quoted(i) for i in dict.fromkeys(full)) + ")")
    query = " and ".join(clauses) or None
    count = store.count(query, experiment=experiment, archived=archived)
    if count > MAX_RUNS:
        raise UsageError(f"{count} runs match; an analysis covers at most {MAX_RUNS}: narrow the filter "
                         "(where, experiment or sweep)")
    return store.runs(query, experiment=experiment, archived=archived, order_by=["started"])


def analyze_runs(runs: Sequence[Any], metric: str) -> dict[str, Any]:
    """Parallel coordinates, importance and scatter of a metric field (metrics.<key>[.min|.max]) over runs.

    Runs without the metric (or with NaN) are counted in "missing_metric" and left out. "summary" is
    one line for a panel to show; "reliable" says whether the runs are enough for the importance.
    """
    metric = metric_text(metric)
    key, part = metric_field(metric)
    kept, values = [], []
    for run in runs:
        found = _metric_value(run, key, part)
        if found is not None:
            kept.append(run)
            values.append(found)
    params = _varying_params(kept)
    left_out = max(0, len(params) - MAX_PARAMS)
    params = params[:MAX_PARAMS]
    axes = [_axis(name, [run.params.get(name) for run in kept]) for name in params]
    target = np.asarray(values, dtype=float)
    metric_axis = {"field": metric, "label": metric.removeprefix("metrics."), "kind": "numeric", "role": "metric",
                   "min": float(target.min()) if len(target) else None,
                   "max": float(target.max()) if len(target) else None}
    rows = []
    for run, value in zip(kept, values, strict=True):
        cells = {axis["field"]: _cell(run.params.get(axis["param"]), axis) for axis in axes}
        cells[metric] = value
        rows.append({"id": run.id, "name": run.name, "colour": run.colour, "status": str(run.status),
                     "values": cells})
    needed = max(RELIABLE_RUNS, RUNS_PER_PARAM * len(axes))
    reliable = len(kept) >= needed
    importance, method = _importance(axes, rows, _scaled(target), by_importance=reliable)
    reliable = reliable and method.startswith("random forest")
    scatter = [{"field": axis["field"], "kind": axis["kind"],
                "x": [row["values"][axis["field"]] for row in rows], "y": values} for axis in axes]
    return {"metric": metric, "runs": len(runs), "used": len(kept), "missing_metric": len(runs) - len(kept),
            "params_left_out": left_out, "axes": [*[_public(a) for a in axes], metric_axis], "rows": rows,
            "importance": importance, "importance_method": method, "scatter": scatter,
            "reliable": reliable, "reliable_runs": needed,
            "summary": _summary(metric_axis["label"], importance, len(kept), needed, reliable)}


def _summary(label: str, importance: list[dict[str, Any]], used: int, needed: int, reliable: bool) -> str:
    """One line: the param that matters most and how far to trust it."""
    runs = f"{used} run{'' if used == 1 else 's'}"
    if not used:
        return f"no run has {label}; choose another metric"
    if not importance:
        return f"no param varies among the {runs} with {label}: nothing to rank"
    top = importance[0]
    symbol = "η" if top["correlation_kind"] == "eta" else "ρ"
    correlation = "no correlation" if top["correlation"] is None else f"{symbol} {top['correlation']:.2f}"
    if reliable:
        return f"{top['label']} matters most for {label} (importance {top['importance']:.2f}, {correlation}); {runs}"
    return (f"{top['label']} matters most for {label} ({correlation}); {runs}: too few for a reliable "
            f"importance (at least {needed} needed), read the correlations")


def metric_text(metric: str) -> str:
    """The metric field as given, or a bare key read as metrics.<key> (`test.f1` -> `metrics.test.f1`)
    when it names no other field; anything else is left for metric_field to refuse."""
    from nbtrack.errors import QueryError
    from nbtrack.store.query import parse_field

    if not isinstance(metric, str) or not metric.strip():
        return metric
    text = metric.strip()
    try:
        parse_field(text)
        return text
    except QueryError:
        try:
            parse_field(f"metrics.{text}")
        except QueryError:
            return text
        return f"metrics.{text}"


def metric_field(metric: str) -> tuple[str, str]:
    """metrics.<key> -> (key, ""); metrics.<key>.min / .max -> (key, part). Anything else: UsageError."""
    from nbtrack.store.query import parse_field

    if not isinstance(metric, str) or not metric.strip():
        raise UsageError("name the metric to analyse, such as metric=metrics.test.f1")
    field = parse_field(metric_text(metric))
    if field.kind != "metrics":
        raise UsageError(f"{metric[:80]!r} is not a metric field; name one such as metrics.test.f1 "
                         "or metrics.train.loss.min")
    return field.key, field.part


def _metric_value(run: Any, key: str, part: str) -> float | None:
    if part:
        summary = run.summaries.get(key)
        value = None if summary is None else getattr(summary, part)
    else:
        value = run.metrics.get(key)
    if value is None or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return None
    return float(value)


def _varying_params(runs: Sequence[Any]) -> list[str]:
    """Params that take more than one value among the runs, or that only some runs have, by name."""
    seen: dict[str, set[str]] = {}
    present: dict[str, int] = {}
    for run in runs:
        for name, value in run.params.items():
            seen.setdefault(name, set()).add(repr(value))
            present[name] = present.get(name, 0) + 1
    return sorted(n for n, values in seen.items() if len(values) > 1 or present[n] < len(runs))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _axis(name: str, values: list[Any]) -> dict[str, Any]:
    """A numeric axis when every present value is a finite number, else a categorical one."""
    from nbtrack.store.query import Field, field_text

    field = field_text(Field("params", name))
    present = [v for v in values if v is not None]
    if present and all(_is_number(v) for v in present):
        low, high = min(present), max(present)
        return {"field": field, "param": name, "label": name, "kind": "numeric", "min": low, "max": high,
                "log": bool(low > 0 and high / low >= 100), "missing": len(values) - len(present)}
    counts: dict[str, int] = {}
    for v in values:
        text = formatting.value(v)
        counts[text] = counts.get(text, 0) + 1
    common = sorted(counts, key=lambda t: (-counts[t], t))[:MAX_CATEGORIES]
    categories = sorted(common)  # stable: by text, whatever order the runs came in
    if len(counts) > len(common):
        categories.append(_OTHER)
    return {"field": field, "param": name, "label": name, "kind": "categorical", "categories": categories,
            "missing": len(values) - len(present)}


def _public(axis: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in axis.items() if k != "param"}


def _cell(value: Any, axis: dict[str, Any]) -> Any:
    if axis["kind"] == "numeric":
        return value if value is None else float(value)
    text = formatting.value(value)
    return text if text in axis["categories"] else _OTHER


def _importance(axes: list[dict[str, Any]], rows: list[dict[str, Any]], target: np.ndarray, *,
                by_importance: bool) -> tuple[list[dict[str, Any]], str]:
    """Per param: its correlation with the metric and its random-forest importance, most important
    first: by importance when by_importance (enough runs), else by the size of the correlation."""
    found = []
    for axis in axes:
        column = [row["values"][axis["field"]] for row in rows]
        if axis["kind"] == "numeric":
            correlation, kind = _spearman(column, target), "spearman"
        else:
            correlation, kind = _eta(column, target), "eta"
        found.append({"field": axis["field"], "label": axis["label"], "kind": axis["kind"],
                      "correlation": correlation, "correlation_kind": kind, "importance": None})
    method = f"random forest ({TREES} trees, random_state=0), impurity importance summed per param"
    if len(rows) > FOREST_SAMPLE:
        method += f", fitted on a fixed sample of {FOREST_SAMPLE} of the {len(rows)} runs"
    if len(rows) < MIN_RUNS_FOR_IMPORTANCE or not axes or float(np.ptp(target)) == 0.0:
        method = (f"none: importance needs at least {MIN_RUNS_FOR_IMPORTANCE} runs with the metric, "
                  "a param that varies and a metric that does")
    else:
        try:
            for entry, value in zip(found, _forest(axes, rows, target), strict=True):
                entry["importance"] = value
        except ImportError:
            method = "none: install scikit-learn (pip install 'nbtrack[sklearn]') for random-forest importance"
    def importance(e: dict[str, Any]) -> float:
        return -(e["importance"] if e["importance"] is not None else -1.0)

    def correlation(e: dict[str, Any]) -> float:
        return -abs(e["correlation"] if e["correlation"] is not None else 0.0)

    keys = (importance, correlation) if by_importance else (correlation, importance)
    found.sort(key=lambda e: (keys[0](e), keys[1](e), e["field"]))
    return found, method


def _scaled(target: np.ndarray) -> np.ndarray:
    """The metric divided by its largest magnitude: importances and correlations do not change, and
    metrics near the float limits (1e308) cannot overflow a variance."""
    largest = float(np.abs(target).max()) if len(target) else 0.0
    return target / largest if largest > 0 else target


def _forest(axes: list[dict[str, Any]], rows: list[dict[str, Any]], target: np.ndarray) -> list[float]:
    import pandas as pd
    from sklearn.ensemble import RandomForestRegressor

    columns, owner = [], []
    for index, axis in enumerate(axes):
        column = [row["values"][axis["field"]] for row in rows]
        if axis["kind"] == "numeric":
            # Ranks, not values: a tree splits on order alone, so its importances are the same, and
            # values past float32 (which scikit-learn converts to) cannot break the fit. Missing: the middle.
            ranks = pd.Series([np.nan if v is None else v for v in column], dtype=float).rank().to_numpy()
            fill = np.nanmedian(ranks) if np.isfinite(ranks).any() else 0.0
            columns.append(np.where(np.isnan(ranks), fill, ranks))
            owner.append(index)
        else:
            for category in axis["categories"]:
                columns.append(np.array([v == category for v in column], dtype=float))
                owner.append(index)
    features = np.column_stack(columns)
    if len(target) > FOREST_SAMPLE:
        sample = np.random.default_rng(0).choice(len(target), FOREST_SAMPLE, replace=False)
        features, target = features[sample], target[sample]
    forest = RandomForestRegressor(n_estimators=TREES, random_state=0, n_jobs=1, min_samples_leaf=1)
    forest.fit(features, target)
    per_param = np.zeros(len(axes))
    np.add.at(per_param, owner, forest.feature_importances_)
    return [float(v) for v in per_param]


def _spearman(column: list[Any], target: np.ndarray) -> float | None:
    import pandas as pd

    x = pd.Series([np.nan if v is None else v for v in column], dtype=float)
    y = pd.Series(target)
    keep = x.notna()
    if keep.sum() < 3 or x[keep].nunique() < 2 or y[keep].nunique() < 2:
        return None
    value = x[keep].rank().corr(y[keep].rank())
    return None if not math.isfinite(value) else float(value)


def _eta(column: list[Any], target: np.ndarray) -> float | None:
    total = float(((target - target.mean()) ** 2).sum())
    if len(target) < 3 or total == 0.0:
        return None
    between = 0.0
    labels = np.array(column, dtype=object)
    for category in set(column):
        group = target[labels == category]
        between += len(group) * float((group.mean() - target.mean()) ** 2)
    return float(math.sqrt(between / total))


def _quoted(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"
