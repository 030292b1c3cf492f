"""RunComparison: what changed between runs, and was it the data? One tabbed view."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import ipywidgets as widgets

from nbtrack.errors import UsageError
from nbtrack.store import Store, StoredRun, open_store
from nbtrack.views import sections
from nbtrack.views.html import Html, join, section, tag
from nbtrack.store.reads import records_of
from nbtrack.views.view import View

TABS = ["Params", "Metrics", "Series", "Figures", "Evaluations", "Data", "Environment", "Source", "Groups"]


class RunComparison(View):
    """Runs side by side: params, metrics, series, figures, evaluations, data, environment, source, groups.

    >>> store = nbtrack.open_store()                                        # doctest: +SKIP
    >>> RunComparison(store.runs(order_by="-metrics.test.f1", limit=5))     # doctest: +SKIP
    """

    def __init__(self, runs: Iterable[StoredRun | str], *, store: Store | str | os.PathLike[str] | None = None,
                 max_points: int = 300) -> None:
        self.runs = _resolve(list(runs), store)
        if len(self.runs) < 2:
            raise UsageError(f"RunComparison needs at least two runs. Got {len(self.runs)} instead.")
        self.max_points = max_points
        self.only_differences = widgets.Checkbox(value=False, description="only differences", indent=False)
        self.summary_choice = widgets.Dropdown(options=["last", "min", "max"], value="last",
                                               description="value", layout=widgets.Layout(width="180px"))
        param_keys = sorted({k for run in self.runs for k in run.params})
        self.group_choice = widgets.Dropdown(options=["", *param_keys], value=_default_group(self.runs, param_keys),
                                             description="group by", layout=widgets.Layout(width="260px"))
        self._records = records_of(self.runs[0]._store, [run.id for run in self.runs],
                                   ["data", "evaluation", "environment"])
        self._html: dict[str, widgets.HTML] = {name: widgets.HTML() for name in TABS}
        for name, box in self._html.items():
            box.add_class(f"nbtrack-compare-{name.lower()}")
        self._static: dict[str, Html] = {}
        self._render_all()

        self.only_differences.observe(lambda _: self._render("Params"), names="value")
        self.summary_choice.observe(lambda _: (self._render("Metrics"), self._render("Groups")), names="value")
        self.group_choice.observe(lambda _: self._render("Groups"), names="value")
        controls = {"Params": [self.only_differences], "Metrics": [self.summary_choice],
                    "Groups": [self.group_choice, self.summary_choice]}
        tab = widgets.Tab(children=[
            widgets.VBox([*([widgets.HBox(controls[name])] if name in controls else []), self._html[name]])
            for name in TABS
        ], titles=TABS)
        heading = widgets.HTML(tag("b", f"Comparing {len(self.runs)} runs: "
                                   + ", ".join(list(sections.run_labels(self.runs).values())[:8])
                                   + (", ..." if len(self.runs) > 8 else "")))
        super().__init__([heading, tab])
        self.add_class("nbtrack-run-comparison")

    def _render_all(self) -> None:
        for name in TABS:
            self._render(name)

    def _render(self, name: str) -> None:
        html = self._section(name)
        self._static[name] = html
        self._html[name].value = str(html)

    def _section(self, name: str) -> Html:
        runs = self.runs
        if name == "Params":
            return sections.params_section(runs, only_differences=self.only_differences.value)
        if name == "Metrics":
            return sections.metrics_section(runs, summary=self.summary_choice.value)
        if name == "Series":
            return sections.series_section(runs, max_points=self.max_points)
        if name == "Figures":
            return sections.figures_section(runs)
        if name == "Evaluations":
            return sections.evaluations_section(runs, self._records["evaluation"])
        if name == "Data":
            return sections.data_section(runs, self._records["data"])
        if name == "Environment":
            return sections.environment_section(runs, self._records["environment"])
        if name == "Source":
            return sections.source_section(runs)
        return sections.groups_section(runs, self.group_choice.value or None, summary=self.summary_choice.value)

    def summary(self) -> str:
        return f"RunComparison of {len(self.runs)} runs"

    def static_html(self) -> Html:
        heading = tag("div", f"Comparing {len(self.runs)} runs", style="font-weight:bold;margin:4px 0")
        return Html(tag("div", join([heading, *(section(name, self._static[name]) for name in TABS)]),
                        cls="nbtrack-run-comparison"))


def _resolve(runs: Sequence[StoredRun | str], store: Store | str | os.PathLike[str] | None) -> list[StoredRun]:
    if all(isinstance(run, StoredRun) for run in runs):
        return list(runs)  # type: ignore[arg-type]
    opened = store if isinstance(store, Store) else open_store(store, create=False)
    resolved = []
    for run in runs:
        if isinstance(run, StoredRun):
            resolved.append(run)
        elif isinstance(run, str):
            resolved.append(opened.run(run))
        else:
            raise UsageError(f"RunComparison takes runs or run ids. Got {type(run).__name__} instead.")
    return resolved


def _default_group(runs: Sequence[StoredRun], keys: Sequence[str]) -> str:
    """The first param that splits the runs into groups of several (seeds are averaged, not grouped)."""
    for key in keys:
        if "seed" in key.lower():
            continue
        distinct = {sections.param_text(run.params.get(key)) for run in runs}
        if 1 < len(distinct) < len(runs):
            return key
    return ""
