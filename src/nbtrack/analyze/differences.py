"""What differs between runs besides params and metrics: data, environment and notebook, as plain data.

One computation for every view: the RunComparison widget renders it as HTML, the Lab compare
panel receives it as JSON from GET /nbtrack/api/compare. Everything returned here is made of
dicts, lists, text, numbers and None, and is JSON-ready (no NaN).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

SOURCE_ARTIFACT = "source.ipynb"  # what the engine keeps of the notebook it executed
SHIFT_FLAG = 0.1  # a column whose shift reaches this counts as changed

LOWER_IS_BETTER = ("loss", "cost", "error", "err", "mse", "mae", "rmse", "mape", "brier", "latency", "time",
                   "seconds", "duration", "std")  # std: a spread, as of cross-validation's folds (cv.r2.std)
SUMMARIES = ("min", "max", "last", "first", "mean")  # a field may name one after the key: metrics.test.loss.min

Bodies = Mapping[str, Mapping[str, dict[str, Any]]]  # run id -> record name -> body


def is_lower_better(key: str) -> bool:
    """Whether a smaller value of a metric key (or field: metrics.test.loss.min) is the better one
    (losses, errors, times). The Lab's isLowerBetter (format.ts) is its twin, pinned by
    tests/views/formatting_cases.json."""
    parts = key.lower().removeprefix("metrics.").split(".")
    if len(parts) > 1 and parts[-1] in SUMMARIES:
        parts.pop()
    return any(word in parts[-1] for word in LOWER_IS_BETTER)


def records_by_run(runs: Sequence[Any], kind: str) -> dict[str, dict[str, dict[str, Any]]]:
    """run id -> record name -> body of one record kind, read through each run's handle."""
    return {run.id: {record.name: record.body for record in run.records(kind)} for run in runs}


def differences(runs: Sequence[Any], *, data: Bodies | None = None,
                environment: Bodies | None = None) -> dict[str, Any]:
    """Data, environment and notebook differences of runs against the first one.

    data and environment are the runs' records of those kinds when already read in bulk;
    otherwise each run's handle reads them.
    """
    return {
        "base": runs[0].id if runs else None,
        "data": data_differences(runs, data if data is not None else records_by_run(runs, "data")),
        "environment": environment_differences(
            runs, environment if environment is not None else records_by_run(runs, "environment")),
        "notebook": notebook_differences(runs),
    }


# --- data -----------------------------------------------------------------------------------------

def data_differences(runs: Sequence[Any], records: Bodies) -> list[dict[str, Any]]:
    """Per data set (record name): fingerprint verdict, rows, missing share, and shift per column.

    Each list in a data set has one entry per run, in the order of runs; the first run is the
    base every other is measured against.
    """
    names = sorted({name for run in runs for name in records.get(run.id, {})})
    base_run = runs[0] if runs else None
    found = []
    for name in names:
        profiles = [records.get(run.id, {}).get(name) for run in runs]
        base = records.get(base_run.id, {}).get(name) if base_run else None
        columns = sorted({c for p in profiles for c in (p or {}).get("schema", {})})
        shifts = []
        for column in columns:
            values = [_finite(column_shift(base, profile, column)) for profile in profiles]
            shifts.append({"column": column, "shift": values,
                           "changed": [v is not None and v >= SHIFT_FLAG for v in values]})
        found.append({
            "name": name,
            "fingerprint": [fingerprint_verdict(base, profile) for profile in profiles],
            "rows": [(profile or {}).get("rows") for profile in profiles],
            "missing_share": [_finite((profile or {}).get("missing_share")) for profile in profiles],
            "columns": shifts,
        })
    return found


def fingerprint_verdict(base: Mapping[str, Any] | None, other: Mapping[str, Any] | None) -> str | None:
    """'same', 'same rows, reordered' or 'different' against the base; the short fingerprint without one."""
    if other is None:
        return None
    if base is None:
        return str(other.get("fingerprint", ""))[:10]
    if other.get("fingerprint") == base.get("fingerprint"):
        return "same"
    if other.get("rows_fingerprint") and other.get("rows_fingerprint") == base.get("rows_fingerprint"):
        return "same rows, reordered"
    return "different"


def column_shift(base: Mapping[str, Any] | None, other: Mapping[str, Any] | None, column: str) -> float | None:
    """How far one column moved from the base profile; 0 when unchanged, None when not comparable.

    Numeric columns: standardized mean difference. Categorical columns: total variation
    distance between the shares of their top values.
    """
    if not base or not other:
        return None
    a, b = base.get("numeric", {}).get(column), other.get("numeric", {}).get(column)
    if a and b:
        if a.get("mean") is None or b.get("mean") is None:
            return None
        scale = a.get("std") or b.get("std") or 1.0
        return abs(float(b["mean"]) - float(a["mean"])) / float(scale)
    a, b = base.get("categorical", {}).get(column), other.get("categorical", {}).get(column)
    if a and b:
        return _total_variation(a, b)
    return None


def _total_variation(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def shares(summary: Mapping[str, Any]) -> dict[str, float]:
        total = sum(count for _, count in summary.get("top", [])) + summary.get("other", 0)
        return {str(value): count / total for value, count in summary.get("top", [])} if total else {}

    sa, sb = shares(a), shares(b)
    return 0.5 * sum(abs(sa.get(k, 0.0) - sb.get(k, 0.0)) for k in set(sa) | set(sb))


# --- environment ----------------------------------------------------------------------------------

def environment_differences(runs: Sequence[Any], records: Bodies) -> dict[str, Any]:
    """Python, platform and git facts per run, and packages added, removed or changed against the first run."""
    envs = [_merged(records.get(run.id, {})) for run in runs]
    if not any(envs):
        return {"captured": False, "facts": [], "packages": []}
    facts = []
    for label, path, width in (("python", ("python", "version"), None), ("platform", ("platform", "system"), None),
                               ("git commit", ("git", "commit"), 12), ("git dirty", ("git", "dirty"), None)):
        values = [_fact(env, path) for env in envs]
        if width:
            values = [v[:width] if isinstance(v, str) else v for v in values]
        facts.append({"name": label, "values": values, "differs": not same(values)})
    base_packages = packages_of(envs[0])
    packages = []
    for run, env in zip(runs[1:], envs[1:], strict=True):
        theirs = packages_of(env)
        for name in sorted(set(base_packages) | set(theirs)):
            before, after = base_packages.get(name), theirs.get(name)
            if before == after:
                continue
            change = "added" if before is None else "removed" if after is None else "changed"
            packages.append({"run": run.id, "package": name, "change": change, "before": before, "after": after})
    return {"captured": True, "facts": facts, "packages": packages}


def packages_of(env: Mapping[str, Any]) -> dict[str, str]:
    """Package name -> version from an environment record (a mapping or a list of pairs)."""
    packages = env.get("packages") or {}
    if isinstance(packages, list):
        found = {}
        for item in packages:
            if isinstance(item, dict) and "name" in item:
                found[str(item["name"])] = str(item.get("version", ""))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                found[str(item[0])] = str(item[1])
        return found
    return {str(k): str(v) for k, v in packages.items()}


def _merged(bodies: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for body in bodies.values():
        merged.update(body)
    return merged


def _fact(env: Mapping[str, Any], path: tuple[str, str]) -> Any:
    """A leaf of the record (python.version), or the top value itself when it is not a mapping."""
    top = env.get(path[0])
    if isinstance(top, dict):
        value = top.get(path[1])
        return None if isinstance(value, (dict, list)) else value
    return top if isinstance(top, (str, int, float, bool)) else None


def same(values: Sequence[Any]) -> bool:
    """Whether every value equals the first, compared as JSON (1 and 1.0 alike, dict order ignored)."""
    first = json.dumps(values[0], sort_keys=True, default=str)
    return all(json.dumps(v, sort_keys=True, default=str) == first for v in values[1:])


# --- notebook -------------------------------------------------------------------------------------

def notebook_differences(runs: Sequence[Any]) -> list[dict[str, Any]]:
    """Each run's executed source notebook against the first run's that kept one, cell by cell.

    One entry per other run with a source: {"run", "base", "same", "cells": cell_changes(...)}.
    Empty when fewer than two runs kept their source notebook.
    """
    with_source = [run for run in runs if SOURCE_ARTIFACT in run.artifacts]
    if len(with_source) < 2:
        return []
    base_run = with_source[0]
    base_cells: list[str] | None = None
    found = []
    for run in with_source[1:]:
        if run.artifacts[SOURCE_ARTIFACT] == base_run.artifacts[SOURCE_ARTIFACT]:
            found.append({"run": run.id, "base": base_run.id, "same": True, "cells": []})
            continue
        if base_cells is None:
            base_cells = notebook_cells(base_run.artifact(SOURCE_ARTIFACT))
        changes = cell_changes(base_cells, notebook_cells(run.artifact(SOURCE_ARTIFACT)))
        found.append({"run": run.id, "base": base_run.id, "same": False, "cells": changes})
    return found


def notebook_cells(raw: bytes) -> list[str]:
    """Each cell as '[cell type]' and its source: what a cell diff compares."""
    # Plain JSON: importing nbformat costs seconds (jsonschema format checkers) and adds nothing here.
    notebook = json.loads(raw.decode("utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        cells.append(f"[{cell.get('cell_type', 'code')}]\n" + ("".join(source) if isinstance(source, list) else source))
    return cells


def cell_changes(before: list[str], after: list[str]) -> list[dict[str, Any]]:
    """Cells added, removed and changed (difflib over cells), with a line diff of each changed cell.

    Each change is {"cell": 1-based position (in after; in before for removed cells),
    "change": "added" | "removed" | "changed", "text": the cell, or its unified line diff}.
    An empty list: the same cells (only outputs or metadata differ).
    """
    changes: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                lines = difflib.unified_diff(before[i1 + offset].splitlines(), after[j1 + offset].splitlines(),
                                             lineterm="", n=1)
                diff = "\n".join(line for line in lines if not line.startswith(("---", "+++")))
                changes.append({"cell": j1 + offset + 1, "change": "changed", "text": diff})
            continue
        changes.extend({"cell": index + 1, "change": "removed", "text": before[index]} for index in range(i1, i2))
        changes.extend({"cell": index + 1, "change": "added", "text": after[index]} for index in range(j1, j2))
    return changes


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
