"""The static HTML report: one self-contained file with runs, best runs, trends, registry, gates, drift, alerts.

Everything is inline (CSS, charts as base64 PNG), so the file opens from a CI
artifact store or an e-mail without any request. Text from the store is
escaped by Jinja2's autoescape; nothing is marked safe except the generated
data: URLs of the charts.
"""

from __future__ import annotations

import base64
import io
import math
import time
from collections.abc import Iterable
from typing import Any

from nbtrack import formatting
from nbtrack.analyze.differences import is_lower_better
from nbtrack.records import iso_time
from nbtrack.store.reads import records_by_kind

MAX_RUNS = 500
MAX_TRENDS = 4
MAX_BEST = 16  # metrics per experiment in "Best runs"
_NOT_BEST = ("train.", "sklearn.")  # fit-time scores say little about which run is best


def render_report(store: Any, *, experiment: str | None = None, title: str | None = None,
                  max_runs: int = MAX_RUNS) -> str:
    """The report as one HTML document (a str); `nbtrack report --out report.html` writes it."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    runs = store.runs(experiment=experiment, limit=max_runs)
    total = store.count(experiment=experiment)
    ids = {r.id for r in runs}
    records = records_by_kind(store, ["gate", "drift", "alert"], ids)
    environment = Environment(loader=PackageLoader("nbtrack.views", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    environment.filters["num"] = formatting.value
    environment.filters["when"] = lambda t: "-" if t is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(t))
    template = environment.get_template("report.html.j2")
    param_keys = _common_keys([r.params for r in runs], limit=6)
    metric_keys = _metric_keys(runs, limit=8)
    return template.render(
        title=title or (f"nbtrack report: {experiment}" if experiment else "nbtrack report"),
        generated=iso_time(time.time()),
        store=store.location.display,  # a report gets published: never a password
        experiment=experiment,
        runs=runs,
        total=total,
        param_keys=param_keys,
        metric_keys=metric_keys,
        best=_best_runs(runs),
        trends=_trends(runs, metric_keys[:MAX_TRENDS]),
        models=_registry(store),
        gates=_by_time(records["gate"]),
        drifts=_by_time(records["drift"]),
        alerts=_by_time(records["alert"]),
        short=_short_ids(runs, records),
    )


def _short_ids(runs: list[Any], records: dict[str, list[dict[str, Any]]]) -> Any:
    """Run ids by the one short-id rule (formatting.short_ids) over every id in the report."""
    ids = sorted({r.id for r in runs} | {e["run_id"] for entries in records.values() for e in entries})
    short = formatting.short_ids(ids)
    return lambda run_id: short.get(run_id, run_id)


def _common_keys(mappings: Iterable[dict[str, Any]], *, limit: int) -> list[str]:
    counts: dict[str, int] = {}
    for mapping in mappings:
        for key in mapping:
            counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))[:limit]


def _metric_keys(runs: list[Any], *, limit: int) -> list[str]:
    keys = {k for r in runs for k in r.metrics}
    return sorted(keys, key=lambda k: (not k.startswith("test."), k))[:limit]


def _best_runs(runs: list[Any]) -> list[dict[str, Any]]:
    """The best run per metric within each experiment: a metric of one experiment's data says nothing
    about a run of another's, so runs are never ranked across experiments."""
    best = []
    for experiment in sorted({r.experiment for r in runs}):
        members = [r for r in runs if r.experiment == experiment]
        keys = [k for k in _metric_keys(members, limit=40) if not k.startswith(_NOT_BEST)][:MAX_BEST]
        for key in keys:
            scored = [r for r in members if key in r.metrics and not math.isnan(r.metrics[key])]
            if not scored:
                continue
            lower = is_lower_better(key)
            pick = min if lower else max
            winner = pick(scored, key=lambda r: r.metrics[key])
            best.append({"metric": key, "goal": "lowest" if lower else "highest", "run": winner,
                         "value": winner.metrics[key], "of": len(scored)})
    return best


def _trends(runs: list[Any], keys: list[str]) -> list[dict[str, str]]:
    """One chart per metric: its value per run over start time, a line per experiment."""
    if not runs or not keys:
        return []
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    charts = []
    ordered = sorted(runs, key=lambda r: r.started_at)
    for key in keys:
        figure = Figure(figsize=(5.2, 2.8), dpi=100)
        axes = figure.subplots()
        for experiment in sorted({r.experiment for r in ordered}):
            points = [(r.started_at, r.metrics[key]) for r in ordered if r.experiment == experiment and key in r.metrics]
            if points:
                origin = ordered[0].started_at
                axes.plot([(t - origin) / 60 for t, _ in points], [v for _, v in points], marker="o",
                          markersize=3, linewidth=1, label=experiment)
        axes.set_title(key, fontsize=10)
        axes.set_xlabel("minutes since the first run", fontsize=8)
        axes.tick_params(labelsize=8)
        if len(axes.get_lines()) > 1:
            axes.legend(fontsize=7)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        charts.append({"metric": key, "src": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()})
    return charts


def _registry(store: Any) -> list[dict[str, Any]]:
    """Every registered model with its aliases (since when), versions and latest alias moves."""
    registry = store.models
    models = []
    for entry in registry.names():
        name = entry["name"]
        models.append({
            "name": name,
            "aliases": [{"alias": a, "version": v, "since": s} for a, (v, s) in registry.aliases(name).items()],
            "versions": registry.versions(name),
            "history": list(reversed(registry.history(name)))[:20],
        })
    return models


def _by_time(entries: list[dict[str, Any]], limit: int = 100) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda e: e["at"], reverse=True)[:limit]
