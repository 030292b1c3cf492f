"""Data profiles: what a frame, series or array looked like, kept as a record instead of the data.

Record kind "data", name = the split or data set name. Body shape (stable; views and drift read it):

    {
      "rows": int, "columns": int, "memory_bytes": int,
      "fingerprint": sha256 hex,        # row order matters (see below)
      "rows_fingerprint": sha256 hex,   # the same rows in any order
      "schema": {column: dtype text},
      "missing": {column: count}, "missing_share": float in [0, 1],
      "numeric": {column: {"count", "missing", "infinite", "min", "max", "mean", "std",
                           "quantiles": {"0.01": v, "0.05", "0.25", "0.5", "0.75", "0.95", "0.99"},
                           "histogram": {"edges": [21 floats], "counts": [20 ints]}}},
      "categorical": {column: {"count", "missing", "distinct", "top": [[value text, count], ...],
                               "other": count outside top}},
      "datetime": {column: {"count", "missing", "min", "max"}},
      "target": {"name", "kind": "categorical" | "numeric", "fingerprint": sha256 hex of the values,
                 ...the column summary of that kind},
    }

Quantiles are exact up to 200,000 values and come from a fixed-seed sample of 200,000 beyond
(rank error about 0.1%), which keeps a million-row profile within its time budget; min, max,
mean, std and the histogram always use every value. Numeric statistics use finite values only:
NaN counts as missing, +-inf as infinite. Columns with no finite value have null statistics and
a null histogram. Booleans, strings, categories and objects are categorical. Array columns are
named "0", "1", ...; a repeated column name gets "#<position>" appended.

Fingerprints hash pandas' per-row hashes (`pd.util.hash_pandas_object`, index excluded) together
with the column names and dtypes, so equal data gives an equal fingerprint on any machine and in
any process. `fingerprint` changes when rows are reordered, because order changes what a seeded
split or an order-sensitive learner sees; `rows_fingerprint` sorts the row hashes first and is
equal for the same multiset of rows in any order. The index is not data and is never hashed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from nbtrack.errors import UsageError

BINS = 20
TOP_K = 20
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
QUANTILE_SAMPLE = 200_000  # past this many values, quantiles come from a fixed-seed sample of this size
TARGET_MAX_CLASSES = 50  # an integer target with more distinct values is profiled as numeric


def profile_data(data: Any, *, target: Any = None) -> dict[str, Any]:
    """Profile a DataFrame, Series or array (and optionally its target) as a JSON-safe dict."""
    frame = as_frame(data)
    profile: dict[str, Any] = {
        "rows": int(len(frame)),
        "columns": int(frame.shape[1]),
        "memory_bytes": int(frame.memory_usage(index=False, deep=True).sum()),
        **fingerprints(frame),
    }
    names = column_names(frame)
    profile["schema"] = {name: str(dtype) for name, dtype in zip(names, frame.dtypes)}
    missing = frame.isna().sum()
    profile["missing"] = {name: int(n) for name, n in zip(names, missing)}
    cells = profile["rows"] * profile["columns"]
    profile["missing_share"] = float(missing.sum()) / cells if cells else 0.0
    numeric: dict[str, Any] = {}
    categorical: dict[str, Any] = {}
    dates: dict[str, Any] = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]  # by position: duplicate names stay apart
        kind = column_kind(column)
        summary = {"numeric": numeric_summary, "categorical": categorical_summary,
                   "datetime": datetime_summary}[kind](column)
        {"numeric": numeric, "categorical": categorical, "datetime": dates}[kind][names[position]] = summary
    profile["numeric"], profile["categorical"], profile["datetime"] = numeric, categorical, dates
    if target is not None:
        profile["target"] = profile_target(target)
    return profile


def as_frame(data: Any) -> pd.DataFrame:
    """A DataFrame view of a frame, series, array or list of rows."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=str(data.name) if data.name is not None else "0")
    if hasattr(data, "toarray") and hasattr(data, "nnz"):  # a scipy sparse matrix
        raise UsageError("log_data profiles dense data; pass X.toarray() or a DataFrame, not a sparse matrix")
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"log_data needs a DataFrame, Series or array. Got {type(data).__name__} ({exc}).") from None
    if array.ndim == 0 or array.ndim > 2:
        raise UsageError(f"log_data needs 1 or 2 dimensional data. Got {array.ndim} dimensions instead.")
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return pd.DataFrame(array, columns=[str(i) for i in range(array.shape[1])], copy=False)


def column_names(frame: pd.DataFrame) -> list[str]:
    """Column names as text; a repeated name gets "#<position>" so no column hides another."""
    names: list[str] = []
    taken: set[str] = set()  # a set: a list's `in` made 20,000 columns cost 7 s
    for position, column in enumerate(frame.columns):
        name = str(column)
        name = f"{name}#{position}" if name in taken else name
        names.append(name)
        taken.add(name)
    return names


def fingerprints(frame: pd.DataFrame) -> dict[str, str]:
    """The order-sensitive and the order-free sha256 of a frame's content, names and dtypes."""
    header = repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode()
    if frame.shape[1] == 0:
        rows = np.zeros(len(frame), dtype=np.uint64)
    else:
        unique = frame if frame.columns.is_unique else frame.set_axis(range(frame.shape[1]), axis=1)
        rows = _row_hashes(unique)
    ordered = hashlib.sha256(header)
    ordered.update(np.ascontiguousarray(rows, dtype="<u8").tobytes())
    unordered = hashlib.sha256(header)
    unordered.update(np.sort(rows).astype("<u8", copy=False).tobytes())
    return {"fingerprint": ordered.hexdigest(), "rows_fingerprint": unordered.hexdigest()}


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists, dicts): hash their text instead
        return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()


def column_kind(column: pd.Series) -> str:
    """"numeric", "categorical" or "datetime", from the dtype only."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "datetime"
    return "categorical"


def numeric_summary(column: pd.Series) -> dict[str, Any]:
    """Count, missing, infinite, min/max/mean/std, quantiles and a fixed-bin histogram."""
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    nan = np.isnan(values)
    finite_mask = np.isfinite(values)
    finite = values[finite_mask] if not finite_mask.all() else values
    summary: dict[str, Any] = {
        "count": int(finite.size),
        "missing": int(nan.sum()),
        "infinite": int(values.size - finite.size - nan.sum()),
        "min": None, "max": None, "mean": None, "std": None, "quantiles": None, "histogram": None,
    }
    if finite.size == 0:
        return summary
    low, high = float(finite.min()), float(finite.max())
    quantiles = np.quantile(_sample(finite), QUANTILES)
    edges, counts = _histogram(finite, low, high)
    summary.update(
        min=low, max=high, mean=_finite(finite.mean()),
        std=_finite(finite.std(ddof=1)) if finite.size > 1 else 0.0,
        quantiles={str(q): float(v) for q, v in zip(QUANTILES, quantiles)},
        histogram={"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    )
    return summary


def _sample(values: np.ndarray) -> np.ndarray:
    """All values, or a fixed-seed sample: the same data always gives the same quantiles."""
    if values.size <= QUANTILE_SAMPLE:
        return values
    picks = np.random.default_rng(0).integers(0, values.size, QUANTILE_SAMPLE)
    return values[picks]


def _histogram(values: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """BINS equal-width bins from min to max (max in the last bin), counted with one bincount."""
    if not high > low:
        edges = np.linspace(low - 0.5, high + 0.5, BINS + 1)
        counts = np.zeros(BINS, dtype=np.int64)
        counts[BINS // 2] = values.size
        return edges, counts
    edges = np.linspace(low, high, BINS + 1)
    scale = BINS / (high - low)
    if not np.isfinite(scale):  # a span too wide for float64 arithmetic
        return edges, np.histogram(values, bins=edges)[0]
    index = ((values - low) * scale).astype(np.intp)
    np.minimum(index, BINS - 1, out=index)
    return edges, np.bincount(index, minlength=BINS)


def categorical_summary(column: pd.Series) -> dict[str, Any]:
    """Count, missing, distinct values, the top-k values with counts, and the rest as "other"."""
    try:
        counts = column.value_counts(dropna=True, sort=True)
    except TypeError:  # unhashable cells
        counts = column.dropna().astype(str).value_counts(sort=True)
    counts = counts[counts > 0]  # a categorical dtype lists unused categories with 0
    present = int(counts.sum())
    top = counts.iloc[:TOP_K]
    return {
        "count": present,
        "missing": int(len(column) - present),
        "distinct": int(len(counts)),
        "top": [[_label(value), int(n)] for value, n in top.items()],
        "other": present - int(top.sum()),
    }


def datetime_summary(column: pd.Series) -> dict[str, Any]:
    present = column.dropna()
    return {
        "count": int(len(present)),
        "missing": int(len(column) - len(present)),
        "min": str(present.min()) if len(present) else None,
        "max": str(present.max()) if len(present) else None,
    }


def profile_target(target: Any) -> dict[str, Any]:
    """A target's distribution: class counts for labels, a numeric summary for values."""
    frame = as_frame(target)
    if frame.shape[1] != 1:
        raise UsageError(f"target must be one column. Got {frame.shape[1]} columns instead.")
    column = frame.iloc[:, 0]
    name = str(target.name) if isinstance(target, pd.Series) and target.name is not None else None
    kind = column_kind(column)
    fingerprint = values_fingerprint(column)
    if kind == "numeric" and (pd.api.types.is_float_dtype(column.dtype)
                              or column.nunique(dropna=True) > TARGET_MAX_CLASSES):
        return {"name": name, "kind": "numeric", "fingerprint": fingerprint, **numeric_summary(column)}
    return {"name": name, "kind": "categorical", "fingerprint": fingerprint, **categorical_summary(column)}


def values_fingerprint(values: Any) -> str:
    """The sha256 of an array's or series' values and shape, whatever its name or container.

    Autolog matches the `y_true` a metric is given against the targets it has seen with it.
    """
    array = np.asarray(values)
    digest = hashlib.sha256(repr(array.shape).encode())
    flat = array.ravel()
    try:
        hashes = pd.util.hash_array(flat)
    except TypeError:  # unhashable cells
        hashes = pd.util.hash_array(flat.astype(str))
    digest.update(np.ascontiguousarray(hashes, dtype="<u8").tobytes())
    return digest.hexdigest()


def sample_rows(data: Any, limit: int) -> Any:
    """At most `limit` rows of a frame or array, at fixed-seed positions kept in order."""
    rows = len(data)
    if rows <= limit:
        return data
    picks = np.sort(np.random.default_rng(0).choice(rows, limit, replace=False))
    return data.iloc[picks] if hasattr(data, "iloc") else np.asarray(data)[picks]


def _label(value: Any) -> str:
    if isinstance(value, (np.generic,)):
        value = value.item()
    return value if isinstance(value, str) else str(value)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None
