"""The sections of a run comparison as escaped static HTML: what changed, and was it the data?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nbtrack.analyze import differences
from nbtrack import formatting
from nbtrack.formatting import MISSING
from nbtrack.records import RunRecord
from nbtrack.views import charts
from nbtrack.views.html import BEST_STYLE, Html, format_value, join, note, png_image, table, tag

DIFF_STYLE = "background-color:#fff3e0"


def run_labels(runs: Sequence[RunRecord]) -> dict[str, str]:
    """How each run is named in headers and legends: its name and its short id among these runs
    (nbtrack.formatting.short_ids, the rule of the CLI, the report and the Lab)."""
    short = formatting.short_ids([run.id for run in runs])
    return {run.id: f"{run.name} · {short[run.id]}" if run.name else short[run.id] for run in runs}


_MISSING = object()


def params_section(runs: Sequence[RunRecord], *, only_differences: bool = False) -> Html:
    """Params side by side; rows whose values differ are highlighted (or the only rows shown)."""
    keys = sorted({k for run in runs for k in run.params})
    rows, styles = [], []
    for key in keys:
        values = [run.params.get(key, _MISSING) for run in runs]
        differs = not differences.same(["\x00missing" if v is _MISSING else v for v in values])
        if only_differences and not differs:
            continue
        rows.append([key, *(MISSING if v is _MISSING else param_text(v) for v in values)])
        styles.append([DIFF_STYLE if differs else None] * (len(runs) + 1))
    if not rows:
        return note("every param is the same in these runs" if keys else "no params")
    return table(["param", *run_labels(runs).values()], rows, cell_styles=styles, cls="nbtrack-params")


def param_text(value: Any) -> str:
    return format_value(value)


def metrics_section(runs: Sequence[RunRecord], *, summary: str = "last") -> Html:
    """Metrics side by side as their last, min or max value; the best per row is marked with ★."""
    keys = sorted({k for run in runs for k in run.summaries})
    if not keys:
        return note("no metrics")
    rows, styles = [], []
    for key in keys:
        values = [getattr(run.summaries[key], summary) if key in run.summaries else None for run in runs]
        finite = [v for v in values if v is not None and math.isfinite(v)]
        pick = min if differences.is_lower_better(key) else max
        best = pick(finite) if len(set(finite)) > 1 else None
        cells: list[Any] = [key]
        row_styles: list[str | None] = [None]
        for value in values:
            is_best = best is not None and value == best
            cells.append(format_value(value) + (" ★" if is_best else ""))
            row_styles.append(BEST_STYLE if is_best else None)
        rows.append(cells)
        styles.append(row_styles)
    direction = note(f"{summary} value of each series; ★ marks the best (lower for losses, errors and times)")
    return Html(direction + table(["metric", *run_labels(runs).values()], rows, cell_styles=styles,
                                  cls="nbtrack-metrics"))


def series_section(runs: Sequence[Any], *, max_points: int = 300) -> Html:
    """One chart per metric key with more than one step, a line per run, thinned in the store.

    With many runs each line gets fewer points: a chart is about 6,000 points wide at most.
    """
    from nbtrack.store.reads import series_of

    keys = sorted({k for run in runs for k, s in run.summaries.items() if s.count > 1})
    if not keys:
        return note("no metric has more than one step")
    max_points = max(50, min(max_points, 6000 // len(runs)))
    series = series_of(runs[0]._store, runs, keys, max_points=max_points)
    images = []
    labels = run_labels(runs)
    for key in keys:
        shown = [run for run in runs if (run.id, key) in series]
        lines = [(labels[run.id], *series[(run.id, key)]) for run in shown]
        images.append(png_image(charts.line_chart(key, lines, colours=[run.colour for run in shown]), f"{key} by step"))
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
    return table(["figure", *run_labels(runs).values()], rows, cls="nbtrack-figures")


def evaluations_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Confusion matrices of each evaluated split, side by side."""
    from nbtrack.views.capture_views import confusion_of

    per_run = records or differences.records_by_run(runs, "evaluation")
    splits = sorted({name for bodies in per_run.values() for name in bodies})
    rows = []
    for split in splits:
        cells: list[Any] = [split]
        for run in runs:
            body = per_run[run.id].get(split)
            matrix = confusion_of(body) if body else None
            cells.append(png_image(charts.heatmap(f"{split}: {run_labels(runs)[run.id]}", *matrix),
                                   f"confusion matrix of {run.id} on {split}", width=240)
                         if matrix else "—")
        rows.append(cells)
    if not rows:
        return note("no evaluations with a confusion matrix")
    return table(["split", *run_labels(runs).values()], rows, cls="nbtrack-confusion")


def data_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Data profiles against the first run's: fingerprint same or different, and shift per column."""
    found = differences.data_differences(runs, records or differences.records_by_run(runs, "data"))
    if not found:
        return note("no data profiles")
    labels = list(run_labels(runs).values())
    parts = []
    for data in found:
        head = [["fingerprint", *(format_value(value or None) for value in data["fingerprint"])],
                ["rows", *map(format_value, data["rows"])],
                ["missing share", *map(format_value, data["missing_share"])]]
        shifts = [[column["column"], *map(format_value, column["shift"])]
                  for column in data["columns"]]
        styles = [[None, *(DIFF_STYLE if changed else None for changed in column["changed"])]
                  for column in data["columns"]]
        parts.append(tag("h5", data["name"], style="margin:6px 0 2px 0"))
        parts.append(table(["", *labels], head, cls="nbtrack-data"))
        if shifts:
            parts.append(note(f"shift per column against {labels[0]}: standardized mean "
                              f"difference (numeric) or total variation of top values (categorical); "
                              f">= {differences.SHIFT_FLAG} is highlighted"))
            parts.append(table(["column", *labels], shifts, cell_styles=styles, cls="nbtrack-data-shift"))
    return join(parts)


def environment_section(runs: Sequence[Any], records: dict[str, dict[str, dict[str, Any]]] | None = None) -> Html:
    """Environment against the first run's: python, git commit, packages added, removed, changed."""
    found = differences.environment_differences(runs, records or differences.records_by_run(runs, "environment"))
    if not found["captured"]:
        return note("no environment captured")
    named = run_labels(runs)
    labels = list(named.values())
    rows = [[fact["name"], *fact["values"]] for fact in found["facts"]]
    styles = [[None, *(DIFF_STYLE if not differences.same([row[1], value]) else None for value in row[1:])] for row in rows]
    parts = [table(["", *labels], rows, cell_styles=styles, cls="nbtrack-environment")]
    changes = [[named[c["run"]], c["package"], c["change"], c["before"] or "", c["after"] or ""]
               for c in found["packages"]]
    if changes:
        parts.append(table(["run", "package", "change", labels[0], "this run"], changes, cls="nbtrack-packages"))
    else:
        parts.append(note("the same packages in every run"))
    return join(parts)


def source_section(runs: Sequence[Any]) -> Html:
    """Each run's notebook source against the first run's, cell by cell (difflib)."""
    found = differences.notebook_differences(runs)
    if not found:
        return note("fewer than two runs kept their source notebook")
    named = run_labels(runs)
    parts = []
    for diff in found:
        run, base = named[diff["run"]], named[diff["base"]]
        if diff["same"]:
            parts.append(note(f"{run}: the same notebook as {base}"))
            continue
        parts.append(tag("h5", f"{run} against {base}", style="margin:6px 0 2px 0"))
        parts.append(cell_diff(diff["cells"]))
    return join(parts)


def cell_diff(changes: list[dict[str, Any]]) -> Html:
    """Cells added, removed and changed (from analyze.differences.cell_changes) as a table."""
    if not changes:
        return note("the same cells (only outputs or metadata differ)")
    rows = [[f"cell {c['cell']}", c["change"], tag("pre", c["text"], style="margin:0")] for c in changes]
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
    keys = frame[column].map(lambda v: MISSING if v is None or v != v else format_value(v))
    rows = []
    for value, group in frame.groupby(keys, sort=True):
        cells: list[Any] = [value, str(len(group))]
        for metric in metrics:
            series = group[metric].dropna()
            if series.empty:
                cells.append(MISSING)
            elif len(series) == 1:
                cells.append(format_value(float(series.iloc[0])))
            else:
                cells.append(f"{format_value(float(series.mean()))} ± {format_value(float(series.std()))}")
        rows.append(cells)
    return table([param, "runs", *(m.removeprefix("metrics.") for m in metrics)], rows, cls="nbtrack-groups")
