"""SweepAnalysis: what drove a metric across a sweep: parallel coordinates, parameter importance, scatter.

The numbers come from nbtrack.analyze.sweep_analysis, the computation behind the Lab's
GET /nbtrack/api/analysis, so the notebook and the Lab show the same importance.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from nbtrack.analyze.sweep_analysis import analyze_runs, select_runs
from nbtrack.errors import UsageError
from nbtrack.store import Store, StoredRun, open_store
from nbtrack.store.query import Field, field_text
from nbtrack.views.html import Html, error_line, join, note, png_image, section, table, tag
from nbtrack.views.sweep_charts import parallel_coordinates, scatter_grid
from nbtrack.views.view import View

MAX_SCATTER = 6  # panels: the most important params first


class SweepAnalysis(View):
    """Parallel coordinates, parameter importance and metric-vs-param scatter for a sweep or any runs.

    >>> SweepAnalysis(sweep="01JD3F...", metric="metrics.test.f1")             # doctest: +SKIP
    >>> SweepAnalysis("experiment = 'churn'", metric="metrics.test.f1")       # doctest: +SKIP
    """

    def __init__(self, where: str | None = None, metric: str | None = None, *, experiment: str | None = None,
                 sweep: str | None = None, runs: Iterable[StoredRun | str] | None = None,
                 store: Store | str | os.PathLike[str] | None = None) -> None:
        self.store = store if isinstance(store, Store) else open_store(store, create=False)
        if runs is not None:
            given = list(runs)
            objects = [r for r in given if not isinstance(r, str)]
            named = [r for r in given if isinstance(r, str)]
            self.runs = objects + (select_runs(self.store, ids=named) if named else [])
        else:
            self.runs = select_runs(self.store, where=where, experiment=experiment, sweep=sweep)
        metrics = _metric_fields(self.runs)
        if not metrics:
            raise UsageError("SweepAnalysis found no runs with metrics; check the filter, or log metrics first")
        if metric is None:
            metric = metrics[0]
        elif metric.removeprefix("metrics.") in {m.removeprefix("metrics.") for m in metrics}:
            metric = metric if metric.startswith("metrics.") else f"metrics.{metric}"
        self.metric_choice = widgets.Dropdown(options=sorted(set(metrics) | {metric}), value=metric,
                                              description="metric", layout=widgets.Layout(width="360px"))
        self.body = widgets.HTML()
        self.body.add_class("nbtrack-sweep-analysis-body")
        self.result: dict[str, Any] = {}
        self._static = Html("")
        self.show(metric)
        self.metric_choice.observe(lambda change: self.show(change["new"]), names="value")
        super().__init__([self.metric_choice, self.body])
        self.add_class("nbtrack-sweep-analysis")

    def show(self, metric: str) -> None:
        """Analyse another metric of the same runs."""
        try:
            self.result = analyze_runs(self.runs, metric)
        except UsageError as exc:
            self._static = error_line(str(exc))
        else:
            self._static = render(self.result)
        self.body.value = str(self._static)

    def static_html(self) -> Html:
        return Html(tag("div", join([tag("b", f"Sweep analysis of {self.metric_choice.value}"), self._static])))

    def summary(self) -> str:
        found = self.result
        if not found:
            return "SweepAnalysis"
        top = found["importance"][0]["label"] if found["importance"] else "none"
        return (f"SweepAnalysis of {found['metric']}: {found['used']} runs "
                f"({found['missing_metric']} without it); most important param: {top}")


def render(found: dict[str, Any]) -> Html:
    """The analysis as escaped HTML: counts, parallel coordinates, the importance table, scatter."""
    counts = f"{found['used']} of {found['runs']} runs have {found['metric']}"
    if found["missing_metric"]:
        counts += f"; {found['missing_metric']} without it are left out"
    if found["params_left_out"]:
        counts += f"; {found['params_left_out']} more varying params are not shown"
    parts = [note(counts)]
    if not found["rows"]:
        return join([*parts, note("nothing to analyse: no run has this metric")])
    if len(found["axes"]) < 2:
        parts.append(note("no param varies among these runs, so there is nothing to relate the metric to"))
        return join(parts)
    parts.append(section("Parallel coordinates", png_image(parallel_coordinates(found), "parallel coordinates")))
    parts.append(section("Parameter importance", join([
        table(["param", "importance", "correlation", ""], [
            [e["label"], e["importance"], e["correlation"],
             "Spearman" if e["correlation_kind"] == "spearman" else "eta (categories)"]
            for e in found["importance"]]),
        note(found["importance_method"])])))
    order = [e["field"] for e in found["importance"]][:MAX_SCATTER]
    panels = [s for field in order for s in found["scatter"] if s["field"] == field]
    parts.append(section(f"{found['metric']} against each param",
                         png_image(scatter_grid(found, panels), "metric against params")))
    return join(parts)


def _metric_fields(runs: Sequence[Any]) -> list[str]:
    """Metric fields the runs have, test.* first: the default is the first."""
    keys = {key for run in runs for key in run.metrics}
    ordered = sorted(keys, key=lambda k: (not k.startswith("test."), k))
    return [field_text(Field("metrics", key)) for key in ordered]
