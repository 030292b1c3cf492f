"""Drift between two data profiles: PSI and Kolmogorov-Smirnov per numeric column, TVD per categorical.

Profiles keep histograms, not rows, and two profiles rarely share bin edges.
PSI: the reference's bins, empty ones merged into their neighbour (integer
columns leave every other bin empty), the outer ones open-ended; the current
histogram's mass is spread evenly within its bins to fill them. KS: a
histogram's CDF is exact at its own edges only, so the statistic is the
smallest gap the two histograms allow (a lower bound of the true one: drift is
flagged only where it is certain), with its p-value from scipy's asymptotic
Kolmogorov distribution for the two row counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

RECORD_KIND = "drift"
_EPSILON = 1e-4  # floor on a bin's share, so an empty bin does not make PSI infinite


@dataclass(frozen=True)
class Thresholds:
    """When a column counts as drifted. PSI >= 0.2 is the usual "significant shift" line."""

    psi: float = 0.2
    ks_statistic: float = 0.1
    ks_pvalue: float = 0.05
    tvd: float = 0.1


def drift(reference: Mapping[str, Any], current: Mapping[str, Any], *,
          thresholds: Thresholds | None = None) -> dict[str, Any]:
    """Per-column drift of current against reference (data profiles), and the share drifted.

    Profiles are the bodies of data records (`run.log_data(...)`); DataFrames are
    profiled first. Identical data gives PSI, KS and TVD of 0 and a share of 0.

    >>> found = drift(champion.records("data")[0].body, profile)   # doctest: +SKIP
    >>> found["share"], found["drifted"]                           # doctest: +SKIP
    """
    limits = thresholds or Thresholds()
    reference, current = _as_profile(reference), _as_profile(current)
    columns: dict[str, dict[str, Any]] = {}
    for name, ref in (reference.get("numeric") or {}).items():
        cur = (current.get("numeric") or {}).get(name)
        if cur is not None:
            columns[name] = _numeric(ref, cur, limits)
    for name, ref in (reference.get("categorical") or {}).items():
        cur = (current.get("categorical") or {}).get(name)
        if cur is not None:
            columns[name] = _categorical(ref, cur, limits)
    ref_schema, cur_schema = dict(reference.get("schema") or {}), dict(current.get("schema") or {})
    changed_types = {c: [ref_schema[c], cur_schema[c]] for c in ref_schema
                     if c in cur_schema and ref_schema[c] != cur_schema[c]}
    drifted = sorted(name for name, found in columns.items() if found["drifted"])
    return {
        "share": len(drifted) / len(columns) if columns else 0.0,
        "drifted": drifted,
        "compared": len(columns),
        "columns": columns,
        "rows": {"reference": reference.get("rows"), "current": current.get("rows")},
        "missing_share": {"reference": reference.get("missing_share"), "current": current.get("missing_share")},
        "schema_changed": ref_schema != cur_schema,
        "added": sorted(set(cur_schema) - set(ref_schema)),
        "removed": sorted(set(ref_schema) - set(cur_schema)),
        "changed_types": changed_types,
        "fingerprint_equal": reference.get("fingerprint") is not None
        and reference.get("fingerprint") == current.get("fingerprint"),
        "thresholds": asdict(limits),
    }


def _as_profile(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    from nbtrack.capture.data import profile_data  # a DataFrame, Series or array

    return profile_data(value)


def _numeric(ref: Mapping[str, Any], cur: Mapping[str, Any], limits: Thresholds) -> dict[str, Any]:
    ref_hist, cur_hist = ref.get("histogram"), cur.get("histogram")
    if not ref_hist or not cur_hist:
        # A column with values on one side only has drifted completely.
        empty = not ref_hist and not cur_hist
        return {"kind": "numeric", "psi": 0.0 if empty else None, "ks": 0.0 if empty else 1.0,
                "ks_pvalue": 1.0 if empty else 0.0, "drifted": not empty,
                "mean": [ref.get("mean"), cur.get("mean")]}
    ref_edges, ref_counts = np.asarray(ref_hist["edges"], float), np.asarray(ref_hist["counts"], float)
    cur_edges, cur_counts = np.asarray(cur_hist["edges"], float), np.asarray(cur_hist["counts"], float)
    edges, counts = _merge_empty(ref_edges, ref_counts)
    # The current distribution's mass in each reference bin, the outer bins open-ended.
    inner = _cdf(cur_edges, cur_counts)(edges[1:-1])
    cur_share = np.diff(np.concatenate([[0.0], inner, [1.0]]))
    psi = _psi(counts / counts.sum(), cur_share)
    statistic = max(_ks_gap(ref_edges, ref_counts, cur_edges, cur_counts),
                    _ks_gap(cur_edges, cur_counts, ref_edges, ref_counts))
    pvalue = _ks_pvalue(statistic, int(ref_counts.sum()), int(cur_counts.sum()))
    # Material (PSI or KS size) and significant for these row counts: small samples alone do not alarm.
    drifted = (psi >= limits.psi or statistic >= limits.ks_statistic) and pvalue < limits.ks_pvalue
    return {"kind": "numeric", "psi": psi, "ks": statistic, "ks_pvalue": pvalue, "drifted": bool(drifted),
            "mean": [ref.get("mean"), cur.get("mean")]}


def _cdf(edges: np.ndarray, counts: np.ndarray) -> Any:
    """A histogram's CDF, linear within each bin: 0 below the first edge, 1 above the last."""
    total = counts.sum()
    cumulative = np.concatenate([[0.0], np.cumsum(counts) / total]) if total else np.zeros(len(edges))
    return lambda x: np.interp(x, edges, cumulative, left=0.0, right=1.0)


def _merge_empty(edges: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bins with no values joined to the next bin (trailing ones to the last)."""
    out_edges, out_counts, pending = [edges[0]], [], 0.0
    for index, count in enumerate(counts):
        pending += count
        if pending > 0:
            out_edges.append(edges[index + 1])
            out_counts.append(pending)
            pending = 0.0
    out_edges[-1] = edges[-1]
    return np.asarray(out_edges), np.asarray(out_counts)


def _ks_gap(a_edges: np.ndarray, a_counts: np.ndarray, b_edges: np.ndarray, b_counts: np.ndarray) -> float:
    """The smallest |F_a - F_b| the histograms allow, maximized over a's edges (where F_a is exact)."""
    a_cdf = np.concatenate([[0.0], np.cumsum(a_counts) / a_counts.sum()])
    b_cdf = np.concatenate([[0.0], np.cumsum(b_counts) / b_counts.sum()])
    right = np.searchsorted(b_edges, a_edges, side="right")  # b's edges <= x
    exact = np.isin(a_edges, b_edges)
    low = np.where(right == 0, 0.0, b_cdf[np.clip(right - 1, 0, len(b_cdf) - 1)])
    high = np.where(right >= len(b_edges), 1.0, b_cdf[np.clip(right, 0, len(b_cdf) - 1)])
    high = np.where(exact, low, high)
    gap = np.maximum(0.0, np.maximum(low - a_cdf, a_cdf - high))
    return float(gap.max()) if gap.size else 0.0


def _psi(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.clip(expected, _EPSILON, None)
    a = np.clip(actual, _EPSILON, None)
    return float(np.sum((a - e) * np.log(a / e)))


def _ks_pvalue(statistic: float, n: int, m: int) -> float:
    from scipy.stats import kstwobign

    if n == 0 or m == 0:
        return 1.0
    effective = n * m / (n + m)
    return float(kstwobign.sf(statistic * math.sqrt(effective)))


def _categorical(ref: Mapping[str, Any], cur: Mapping[str, Any], limits: Thresholds) -> dict[str, Any]:
    ref_dist, cur_dist = _shares(ref), _shares(cur)
    keys = set(ref_dist) | set(cur_dist)
    tvd = 0.5 * sum(abs(ref_dist.get(k, 0.0) - cur_dist.get(k, 0.0)) for k in keys)
    new = sorted(k for k in cur_dist if k not in ref_dist and k != _OTHER)
    return {"kind": "categorical", "tvd": float(tvd), "drifted": bool(tvd >= limits.tvd), "new_values": new[:10]}


_OTHER = "\x00other"  # the values outside the top-k, as one bucket


def _shares(summary: Mapping[str, Any]) -> dict[str, float]:
    counts = {str(value): float(n) for value, n in summary.get("top") or []}
    if summary.get("other"):
        counts[_OTHER] = float(summary["other"])
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def drift_against(store: Any, run_id: str, name: str, profile: Mapping[str, Any], reference: str, *,
                  reference_name: str = "train", thresholds: Thresholds | None = None) -> dict[str, Any]:
    """Drift of a run's profile against another run's (the champion's training data), kept as a record.

    reference is a run or model reference (churn@champion); its profile named
    reference_name (else one of the same name as this profile) is the baseline.
    """
    from nbtrack.errors import UsageError

    ref_run = store.run(reference)
    profiles = {r.name: r.body for r in ref_run.records("data")}
    base = profiles.get(reference_name) or profiles.get(name)
    if base is None:
        known = ", ".join(sorted(profiles)) or "none"
        raise UsageError(f"run {ref_run.id} ({reference}) has no data profile {reference_name!r} "
                         f"(it has: {known}); log one with run.log_data(frame, name={reference_name!r})")
    found = drift(base, profile, thresholds=thresholds)
    found["reference"] = {"ref": reference, "run_id": ref_run.id,
                          "profile": reference_name if reference_name in profiles else name}
    store.add_record(run_id, RECORD_KIND, name, found)
    return found
