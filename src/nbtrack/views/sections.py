"""The sections of a run comparison as escaped static HTML: what changed, and was it the data?"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Sequence
from typing import Any

from nbtrack.records import Record, RunRecord
from nbtrack.views import charts
from nbtrack.views.html import BEST_STYLE, Html, escape, format_value, join, note, png_image, table, tag

SOURCE_ARTIFACT = "source.ipynb"  # what the engine keeps of the notebook it executed
LOWER_IS_BETTER = ("loss", "error", "err", "mse", "mae", "rmse", "mape", "latency", "time", "seconds", "logloss")
SHIFT_FLAG = 0.1  # a column whose shift reaches this is marked as changed
DIFF_STYLE = "background-color:#fff3e0"


def run_label(run: RunRecord) -> str:
    """How a run is named in column headers: its short id, and its name when it has one."""
    return run.id[-6:] + (f" {run.name}" if run.name else "")


def is_lower_better(key: str) -> bool:
    """Whether a smaller value of a metric key is the better one (losses, errors, times)."""
    last = key.lower().rsplit(".", 1)[-1]
    return any(word in last for word in LOWER_IS_BETTER)


def _same(values: Sequence[Any]) -> bool:
    first = json.dumps(values[0], sort_keys=True, default=str)
    return all(json.dumps(v, sort_keys=True, default=str) == first for v in values[1:])


_MISSING = object()


def params_section(runs: Sequence[RunRecord], *, only_differences: bool = False) -> Html:
    """Params side by side; rows whose values differ are highlighted (or the only rows shown)."""
    keys = sorted({k for run in runs for k in run.params})
    rows, styles = [], []
    for key in keys:
        values = [run.params.get(key, _MISSING) for run in runs]
        differs = not _same(["\x00missing" if v is _MISSING else v for v in values])
        if only_differences and not differs:
            continue
        rows.append([key, *("—" if v is _MISSING else param_text(v) for v in values)])
        styles.append([DIFF_STYLE if differs else None] * (len(runs) + 1))
    if not rows:
        return note("every param is the same in these runs" if keys else "no params")
    return table(["param", *map(run_label, runs)], rows, cell_styles=styles, cls="nbtrack-params")


def param_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else format_value(value)


def metrics_section(runs: Sequence[RunRecord], *, summary: str = "last") -> Html:
    """Metrics side by side as their last, min or max value; the best per row is marked with ★."""
    keys = sorted({k for run in runs for k in run.summaries})
    if not keys:
        return note("no metrics")
    rows, styles = [], []
    for key in keys:
        values = [getattr(run.summaries[key], summary) if key in run.summaries else None for run in runs]
        finite = [v for v in values if v is not None and math.isfinite(v)]
        best = (min(finite) if is_lower_better(key) else max(finite)) if len(set(finite)) > 1 else None
        cells: list[Any] = [key]
        row_styles: list[str | None] = [None]
        for value in values:
            is_best = best is not None and value == best
            cells.append("—" if value is None else format_value(value) + (" ★" if is_best else ""))
            row_styles.append(BEST_STYLE if is_best else None)
        rows.append(cells)
        styles.append(row_styles)
    direction = note(f"{summary} value of each series; ★ marks the best (lower for losses, errors and times)")
    return Html(direction + table(["metric", *map(run_label, runs)], rows, cell_styles=styles,
                                  cls="nbtrack-metrics"))


def series_section(runs: Sequence[Any], *, max_points: int = 300) -> Html:
    """One chart per metric key with more than one step, a line per run, thinned in the store.

    With many runs each line gets fewer points: a chart is about 6,000 points wide at most.
    """
    from nbtrack.views.reads import series_of

    keys = sorted({k for run in runs for k, s in run.summaries.items() if s.count > 1})
    if not keys:
        return note("no metric has more than one step")
    max_points = max(50, min(max_points, 6000 // len(runs)))
    series = series_of(runs[0]._store, runs, keys, max_points=max_points)
    images = []
    for key in keys:
        lines = [(run_label(run), *series[(run.id, key)]) for run in runs if (run.id, key) in series]
        images.append(png_image(charts.line_chart(key, lines), f"{key} by step"))
    return Html(tag("div", join(images), cls="nbtrack-series"))


def figures_section(runs: Sequence[Any]) -> Html:
    """PNG artifacts with the same name side by side, a column per run."""
    names = sorted({n for run in runs for n in run.artifacts if n.lower().endswith(".png")})
    if not names:
        return note("no figures")
    rows = []
    for name in names:
        cells: list[Any] = [name]
        for run in runs:
            cells.append(png_image(run.artifact(name), f"{name} of {run.id}", width=320)
                         if name in run.artifacts else "—")
        rows.append(cells)
    return table(["figure", *map(run_label, runs)], rows, cls="nbtrack-figures")


def _records(run: Any, kind: str) -> dict[str, dict[str, Any]]:
    found: list[Record] = run.records(kind)
    return {record.name: record.body for record in found}


def evaluations_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Confusion matrices of each evaluated split, side by side."""
    from nbtrack.views.capture_views import confusion_of

    per_run = records or {run.id: _records(run, "evaluation") for run in runs}
    splits = sorted({name for bodies in per_run.values() for name in bodies})
    rows = []
    for split in splits:
        cells: list[Any] = [split]
        for run in runs:
            body = per_run[run.id].get(split)
            matrix = confusion_of(body) if body else None
            cells.append(png_image(charts.heatmap(f"{split}: {run_label(run)}", *matrix),
                                   f"confusion matrix of {run.id} on {split}", width=240)
                         if matrix else "—")
        rows.append(cells)
    if not rows:
        return note("no evaluations with a confusion matrix")
    return table(["split", *map(run_label, runs)], rows, cls="nbtrack-confusion")


def data_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Data profiles against the first run's: fingerprint same or different, and shift per column."""
    per_run = records or {run.id: _records(run, "data") for run in runs}
    names = sorted({name for bodies in per_run.values() for name in bodies})
    if not names:
        return note("no data profiles")
    base_run = runs[0]
    parts = []
    for name in names:
        base = per_run[base_run.id].get(name)
        head = [["fingerprint", *(_fingerprint_cell(base, per_run[r.id].get(name)) for r in runs)],
                ["rows", *(format_value((per_run[r.id].get(name) or {}).get("rows")) for r in runs)],
                ["missing share", *(format_value((per_run[r.id].get(name) or {}).get("missing_share"))
                                    for r in runs)]]
        columns = sorted({c for r in runs for c in (per_run[r.id].get(name) or {}).get("schema", {})})
        shifts, styles = [], []
        for column in columns:
            values = [column_shift(base, per_run[r.id].get(name), column) for r in runs]
            shifts.append([column, *(("—" if v is None else f"{v:.3f}") for v in values)])
            styles.append([None, *(DIFF_STYLE if v is not None and v >= SHIFT_FLAG else None for v in values)])
        parts.append(tag("h5", f"{name}", style="margin:6px 0 2px 0"))
        parts.append(table(["", *map(run_label, runs)], head, cls="nbtrack-data"))
        if columns:
            parts.append(note(f"shift per column against {run_label(base_run)}: standardized mean "
                              f"difference (numeric) or total variation of top values (categorical); "
                              f">= {SHIFT_FLAG} is highlighted"))
            parts.append(table(["column", *map(run_label, runs)], shifts, cell_styles=styles,
                               cls="nbtrack-data-shift"))
    return join(parts)


def _fingerprint_cell(base: dict[str, Any] | None, other: dict[str, Any] | None) -> str:
    if other is None:
        return "—"
    if base is None:
        return other.get("fingerprint", "")[:10]
    if other.get("fingerprint") == base.get("fingerprint"):
        return "same"
    if other.get("rows_fingerprint") and other.get("rows_fingerprint") == base.get("rows_fingerprint"):
        return "same rows, reordered"
    return "different"


def column_shift(base: dict[str, Any] | None, other: dict[str, Any] | None, column: str) -> float | None:
    """How far one column moved from the base profile; 0 when unchanged, None when not comparable."""
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


def _total_variation(a: dict[str, Any], b: dict[str, Any]) -> float:
    def shares(summary: dict[str, Any]) -> dict[str, float]:
        total = sum(count for _, count in summary.get("top", [])) + summary.get("other", 0)
        return {str(value): count / total for value, count in summary.get("top", [])} if total else {}

    sa, sb = shares(a), shares(b)
    return 0.5 * sum(abs(sa.get(k, 0.0) - sb.get(k, 0.0)) for k in set(sa) | set(sb))


def environment_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Environment against the first run's: python, git commit, packages added, removed, changed."""
    per_run = records or {run.id: _records(run, "environment") for run in runs}
    envs = {run.id: _merged(per_run[run.id]) for run in runs}
    if not any(envs.values()):
        return note("no environment captured")
    base_run = runs[0]
    base = envs[base_run.id]
    rows = [["python", *(_dig(envs[r.id], "python", "version") or _dig(envs[r.id], "python") for r in runs)],
            ["git commit", *((_dig(envs[r.id], "git", "commit") or "")[:12] for r in runs)],
            ["git dirty", *(_dig(envs[r.id], "git", "dirty") for r in runs)]]
    styles = [[None, *(DIFF_STYLE if not _same([row[1], value]) else None for value in row[1:])] for row in rows]
    parts = [table(["", *map(run_label, runs)], rows, cell_styles=styles, cls="nbtrack-environment")]
    base_packages = packages_of(base)
    changes = []
    for run in runs[1:]:
        packages = packages_of(envs[run.id])
        for name in sorted(set(base_packages) | set(packages)):
            before, after = base_packages.get(name), packages.get(name)
            if before == after:
                continue
            change = "added" if before is None else "removed" if after is None else "changed"
            changes.append([run_label(run), name, change, before or "", after or ""])
    if changes:
        parts.append(table(["run", "package", "change", run_label(base_run), "this run"], changes,
                           cls="nbtrack-packages"))
    else:
        parts.append(note("the same packages in every run"))
    return join(parts)


def _merged(bodies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for body in bodies.values():
        merged.update(body)
    return merged


def _dig(body: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)  # type: ignore[assignment]
    return None if isinstance(body, dict) else body


def packages_of(env: dict[str, Any]) -> dict[str, str]:
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


def source_section(runs: Sequence[Any]) -> Html:
    """Each run's notebook source against the first run's, cell by cell (difflib)."""
    with_source = [run for run in runs if SOURCE_ARTIFACT in run.artifacts]
    if len(with_source) < 2:
        return note("fewer than two runs kept their source notebook")
    base_run = with_source[0]
    base_cells = _cells(base_run.artifact(SOURCE_ARTIFACT))
    parts = []
    for run in with_source[1:]:
        if run.artifacts[SOURCE_ARTIFACT] == base_run.artifacts[SOURCE_ARTIFACT]:
            parts.append(note(f"{run_label(run)}: the same notebook as {run_label(base_run)}"))
            continue
        cells = _cells(run.artifact(SOURCE_ARTIFACT))
        parts.append(tag("h5", f"{run_label(run)} against {run_label(base_run)}", style="margin:6px 0 2px 0"))
        parts.append(cell_diff(base_cells, cells))
    return join(parts)


def _cells(raw: bytes) -> list[str]:
    # Plain JSON: importing nbformat costs seconds (jsonschema format checkers) and adds nothing here.
    notebook = json.loads(raw.decode("utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        cells.append(f"[{cell.get('cell_type', 'code')}]\n" + ("".join(source) if isinstance(source, list) else source))
    return cells


def cell_diff(before: list[str], after: list[str]) -> Html:
    """Cells added, removed and changed, with a line diff of each changed cell."""
    rows = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                lines = difflib.unified_diff(before[i1 + offset].splitlines(), after[j1 + offset].splitlines(),
                                             lineterm="", n=1)
                diff = "\n".join(line for line in lines if not line.startswith(("---", "+++")))
                rows.append([f"cell {j1 + offset + 1}", "changed", tag("pre", diff, style="margin:0")])
            continue
        for index in range(i1, i2):
            rows.append([f"cell {index + 1}", "removed", tag("pre", before[index], style="margin:0")])
        for index in range(j1, j2):
            rows.append([f"cell {index + 1}", "added", tag("pre", after[index], style="margin:0")])
    if not rows:
        return note("the same cells (only outputs or metadata differ)")
    return table(["where", "change", "diff"], rows, cls="nbtrack-source-diff")


def groups_section(runs: Sequence[RunRecord], param: str | None, *, summary: str = "last") -> Html:
    """Runs grouped by one param: count and mean ± std of every metric (seeds averaged out)."""
    from nbtrack.analyze import compare

    if not param:
        return note("choose a param to group by")
    frame = compare(runs, metrics=summary)  # type: ignore[arg-type]
    column = f"params.{param}"
    if column not in frame:
        return note(f"no run has the param {param}")
    metrics = [c for c in frame.columns if c.startswith("metrics.")]
    keys = frame[column].map(lambda v: "—" if v is None or v != v else format_value(v))
    rows = []
    for value, group in frame.groupby(keys, sort=True):
        cells: list[Any] = [value, str(len(group))]
        for metric in metrics:
            series = group[metric].dropna()
            if series.empty:
                cells.append("—")
            elif len(series) == 1:
                cells.append(format_value(float(series.iloc[0])))
            else:
                cells.append(f"{format_value(float(series.mean()))} ± {format_value(float(series.std()))}")
        rows.append(cells)
    return table([param, "runs", *(m.removeprefix("metrics.") for m in metrics)], rows, cls="nbtrack-groups")
