"""The run card: status, params and latest metrics of one run, updating while the run is open."""

from __future__ import annotations

import threading
import time
from typing import Any

import ipywidgets as widgets

from nbtrack.errors import NbtrackError
from nbtrack.records import RunError, RunRecord, RunStatus
from nbtrack.store import Store, StoredRun
from nbtrack.views import charts
from nbtrack.views.html import Html, escape, format_value, join, note, png_image, status_badge, table, tag
from nbtrack.views.view import View

MAX_PARAMS = 25
MAX_METRICS = 25
MAX_CHARTS = 3
CHART_POINTS = 500


class RunCard(View):
    """One run at a glance; live (polling the store) while the run is open, frozen once it ends.

    >>> run = nbtrack.start_run()            # shows a RunCard; or display(RunCard(run))  # doctest: +SKIP
    """

    def __init__(self, run: Any, *, store: Store | None = None, live: bool = True,
                 interval: float = 1.0) -> None:
        self.run_id: str = run.id
        self.store: Store = store or getattr(run, "store", None) or run._store
        self._run = run if not isinstance(run, StoredRun) else None  # a live track.Run, if given one
        self.interval = interval
        self.record: StoredRun = self.store.run(self.run_id)
        self._signature: tuple[Any, ...] = ()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._handle: Any = None  # the IPython DisplayHandle whose static HTML follows the run
        self.header = widgets.HTML()
        self.params = widgets.HTML()
        self.metrics = widgets.HTML()
        self.chart = widgets.HTML()
        self.header.add_class("nbtrack-card-header")
        self.metrics.add_class("nbtrack-card-metrics")
        self.chart.add_class("nbtrack-card-chart")
        super().__init__([self.header, widgets.HBox([self.params, self.metrics]), self.chart])
        self.add_class("nbtrack-run-card")
        self.layout.border = "1px solid #ccc"
        self.layout.padding = "4px"
        self._html = Html("")
        self.update(force=True)
        self._thread: threading.Thread | None = None
        if live and not self.record.is_ended:
            self._thread = threading.Thread(target=self._poll, name=f"nbtrack-card-{self.run_id[-6:]}",
                                            daemon=True)
            self._thread.start()

    # -- updating -----------------------------------------------------------------

    def update(self, *, force: bool = False) -> bool:
        """Read the run again and redraw if anything changed; True when it redrew."""
        with self._lock:
            record = self.store.run(self.run_id)
            signature = (record.status, record.name, tuple(sorted(record.params.items(), key=str)),
                         tuple((k, s.count, s.last) for k, s in sorted(record.summaries.items())),
                         tuple(sorted(record.tags.items())))
            if signature == self._signature and not force:
                return False
            self.record, self._signature = record, signature
            header, params, metrics, chart = _header(record), _params(record), _metrics(record), _chart(self.store, record)
            self.header.value, self.params.value, self.metrics.value, self.chart.value = (
                header, params, metrics, chart)
            self._html = _card(header, params, metrics, chart)
            return True

    def show(self) -> RunCard:
        """Display the card and keep its static HTML current at every cell end."""
        from IPython import get_ipython
        from IPython.display import display

        self._handle = display(self, display_id=True)
        shell = get_ipython()
        if shell is not None and not self.record.is_ended:
            shell.events.register("post_run_cell", self._after_cell)
        return self

    def stop(self) -> None:
        """Stop following the run."""
        self._stop.set()
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            try:
                shell.events.unregister("post_run_cell", self._after_cell)
            except ValueError:
                pass  # never registered, or already removed

    def _after_cell(self, *_args: Any) -> None:
        try:
            changed = self.update()
        except NbtrackError:
            return
        if changed and self._handle is not None:
            self._handle.update(self)  # the saved notebook's text/html follows the widget
        if self.record.is_ended or (self._run is not None and self._run.is_ended):
            self.stop()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.update()
            except NbtrackError:
                return
            except Exception:  # a busy database: try again on the next tick
                continue
            if self.record.is_ended:
                return

    def summary(self) -> str:
        return _summary(self.record)

    def static_html(self) -> Html:
        return self._html


def _card(header: Html, params: Html, metrics: Html, chart: Html) -> Html:
    return Html(tag("div", join([header, tag("div", join([params, metrics])), chart]), cls="nbtrack-run-card"))


def _summary(record: RunRecord) -> str:
    return f"RunCard {record.id} ({record.status})"


def _chart(store: Store, record: RunRecord) -> Html:
    keys = sorted((k for k, s in record.summaries.items() if s.count > 1),
                  key=lambda k: (0 if "loss" in k.lower() else 1, k))[:MAX_CHARTS]
    images = []
    for key in keys:
        points = store.metric_history(record.id, key, max_points=CHART_POINTS)
        series = [(key, [p[0] for p in points], [p[1] for p in points])]
        images.append(png_image(charts.line_chart(key, series, width=3.6, height=2.4), f"{key} by step"))
    return Html(tag("div", join(images))) if images else Html("")


def settle_run_cards(nb: Any, store: Store, run_id: str, status: RunStatus, error: RunError | None) -> None:
    """Redraw a run's cards in its executed notebook as the run ends, before it is stored.

    A headless run ends after its last cell, so the card the kernel last drew says "running";
    the engine calls this (through hooks) with the status it is about to write. Each output
    that is this run's card gets the final HTML and text, and the saved widget state of its
    header (what Lab shows without a kernel) the final header.
    """
    stored = store.run(run_id)
    record = RunRecord(id=stored.id, experiment=stored.experiment, status=RunStatus(status),
                       started_at=stored.started_at, name=stored.name, ended_at=time.time(),
                       params=stored.params, summaries=stored.summaries, tags=stored.tags, error=error)
    header = _header(record)
    card = _card(header, _params(record), _metrics(record), _chart(store, record))
    mine = f"<code>{escape(run_id)}</code>"
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mine in _text(data.get("text/html")) and "nbtrack-run-card" in _text(data.get("text/html")):
                data["text/html"] = str(card)
                data["text/plain"] = _summary(record)
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in state.get("state", {}).values():
        values = model.get("state", {})
        if "nbtrack-card-header" in values.get("_dom_classes", ()) and mine in _text(values.get("value")):
            values["value"] = str(header)


def _text(value: Any) -> str:
    """nbformat keeps multi-line strings as lists of lines."""
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else ""


def _header(record: RunRecord) -> Html:
    elapsed = (record.ended_at or time.time()) - record.started_at
    return tag("div", join([
        "run ", tag("code", record.id), " ", record.name or "", " · experiment ", record.experiment, " · ",
        status_badge(record.status), f" · {elapsed:.1f} s",
    ]), style="margin:2px 0")


def _params(record: RunRecord) -> Html:
    if not record.params:
        return note("no params")
    items = sorted(record.params.items())
    rows = [[k, format_value(v)] for k, v in items[:MAX_PARAMS]]
    extra = note(f"and {len(items) - MAX_PARAMS} more") if len(items) > MAX_PARAMS else ""
    return Html(tag("div", join([table(["param", "value"], rows, cls="nbtrack-card-params"), extra]),
                    style="margin-right:12px"))


def _metrics(record: RunRecord) -> Html:
    if not record.summaries:
        return note("no metrics yet")
    items = sorted(record.summaries.items())
    rows = [[k, format_value(s.last), str(s.step), format_value(s.min), format_value(s.max)]
            for k, s in items[:MAX_METRICS]]
    extra = note(f"and {len(items) - MAX_METRICS} more") if len(items) > MAX_METRICS else ""
    return Html(tag("div", join([table(["metric", "last", "step", "min", "max"], rows,
                                       cls="nbtrack-card-metrics-table"), extra])))


def show_run_card(run: Any) -> RunCard | None:
    """Display a live card for a run when running in a Jupyter kernel; None elsewhere."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    return RunCard(run).show()
