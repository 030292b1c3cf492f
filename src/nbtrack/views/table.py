"""RunTable: the runs of a store as a filterable, sortable, paged table with selection and Compare."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

import ipywidgets as widgets

from nbtrack import formatting
from nbtrack.errors import UsageError
from nbtrack.store import Store, StoredRun, open_store
from nbtrack.store.query import parse_field
from nbtrack.views.html import Html, error_line, escape, join, note, status_badge, table, tag
from nbtrack.views.view import View

FIXED_COLUMNS = ["id", "name", "experiment", "status", "started", "duration"]
ROW_PX = 27
HEADER_PX = 28
ROW_STYLE = (f"height:{ROW_PX}px;line-height:{ROW_PX - 1}px;white-space:nowrap;padding:0 6px;"
             "box-sizing:border-box;border-bottom:1px solid #e0e0e0")
SELECT_PX = 28
# The ticks and the id column stay in place while the other columns scroll sideways under them.
PINNED_CSS = (
    ".nbtrack-run-grid .nbtrack-pinned-select, .nbtrack-run-grid .nbtrack-pinned {position: sticky; z-index: 2;"
    " background: var(--jp-layout-color0, white)}"
    " .nbtrack-run-grid .nbtrack-pinned-select {left: 0}"
    f" .nbtrack-run-grid .nbtrack-pinned {{left: {SELECT_PX}px; box-shadow: 1px 0 0 var(--jp-border-color2, #e0e0e0)}}"
)


class RunTable(View):
    """The runs of a store: filter with the query language, pick columns, sort, page, select, compare.

    >>> RunTable("params.model = 'rf'", store=".nbtrack")       # doctest: +SKIP
    """

    def __init__(self, where: str | None = None, experiment: str | None = None,
                 store: Store | str | os.PathLike[str] | None = None, *, page_size: int = 20,
                 columns: list[str] | None = None) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise UsageError(f"The 'page_size' parameter of RunTable must be an int >= 1. Got {page_size!r} instead.")
        self.store = store if isinstance(store, Store) else open_store(store, create=False)
        self.experiment = experiment
        self.page_size = page_size
        self.where = (where or "").strip()
        self.order = "-started"
        self.page = 0
        self.total = 0
        self.runs: list[StoredRun] = []  # the current page
        self.selected: dict[str, None] = {}  # run ids in the order they were picked
        self.error = ""
        self._quiet = False  # set while checkboxes are changed by code, not by a click

        keys = self.store.field_keys()
        self.columns = list(columns) if columns is not None else FIXED_COLUMNS + self._varying_columns()

        self.filter_box = widgets.Text(
            value=self.where, placeholder="params.model = 'rf' and metrics.test.f1 > 0.9",
            description="Filter", continuous_update=False, layout=widgets.Layout(width="60%"))
        self.filter_box.add_class("nbtrack-filter")
        self.filter_box.observe(lambda change: self.apply_filter(change["new"]), names="value")
        self.filter_message = widgets.HTML()
        self.choosers = {
            key: widgets.Checkbox(value=key in self.columns, description=key, indent=False,
                                  layout=widgets.Layout(width="auto"))
            for key in [f"{kind}.{k}" for kind in ("params", "metrics", "tags") for k in keys[kind]]
        }
        for key, box in self.choosers.items():
            box.observe(lambda change, key=key: self._toggle_column(key, change["new"]), names="value")
        chooser = widgets.Accordion(children=[widgets.HBox(
            list(self.choosers.values()), layout=widgets.Layout(flex_flow="row wrap"))])
        chooser.set_title(0, "Columns")
        chooser.selected_index = None
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_gap="0px", overflow="auto", max_width="100%"))
        self.grid.add_class("nbtrack-run-grid")
        self.previous = widgets.Button(description="‹ Previous", layout=widgets.Layout(width="auto"))
        self.next = widgets.Button(description="Next ›", layout=widgets.Layout(width="auto"))
        self.previous.on_click(lambda _: self.show_page(self.page - 1))
        self.next.on_click(lambda _: self.show_page(self.page + 1))
        self.position = widgets.HTML()
        self.reload = widgets.Button(icon="refresh", tooltip="read the store again: new runs, new metrics",
                                     layout=widgets.Layout(width="36px"))
        self.reload.on_click(lambda _: self.refresh())
        self.compare_button = widgets.Button(description="Compare", button_style="primary",
                                             disabled=True, icon="columns")
        self.compare_button.add_class("nbtrack-compare")
        self.compare_button.on_click(lambda _: self.compare())
        self.selection_label = widgets.HTML()
        self.comparison = widgets.VBox()
        super().__init__([
            widgets.HTML(f"<style>{PINNED_CSS}</style>"),
            widgets.HBox([self.filter_box]), self.filter_message, chooser, self.grid,
            widgets.HBox([self.previous, self.position, self.next, self.reload, self.compare_button,
                          self.selection_label]),
            self.comparison,
        ])
        self.add_class("nbtrack-run-table")
        self.refresh()

    def _varying_columns(self) -> list[str]:
        """The params and metrics that vary among the runs shown: the rule of the Lab's runs table."""
        try:
            return list(self.store.fields(self.where or None, experiment=self.experiment)["default_columns"])
        except UsageError:  # a filter that does not parse: its error shows once the table renders
            return list(self.store.fields(None, experiment=self.experiment)["default_columns"])

    # -- actions ----------------------------------------------------------------

    def apply_filter(self, where: str) -> None:
        """Filter with the query language; a mistake is shown inline and the last good list stays."""
        previous = self.where
        self.where = where.strip()
        try:
            self.total = self.store.count(self.where or None, experiment=self.experiment)
        except UsageError as exc:
            self.where = previous
            self.error = str(exc)
            self.filter_message.value = error_line(self.error)
            return
        self.error = ""
        self.filter_message.value = ""
        self.show_page(0)

    def sort_by(self, column: str) -> None:
        """Sort by a column; choosing the same column again flips the direction."""
        field = "started" if column == "started" else column
        current = self.order.lstrip("-")
        if current == field:
            self.order = field if self.order.startswith("-") else f"-{field}"
        else:
            self.order = f"-{field}" if field in ("started", "duration") else field
        self.show_page(0)

    def show_page(self, page: int) -> None:
        """Load one page of runs: only that page is queried, whatever the store's size."""
        last = max(0, (self.total - 1) // self.page_size)
        self.page = min(max(page, 0), last)
        self.runs = self.store.runs(self.where or None, experiment=self.experiment, order_by=self.order,
                                    limit=self.page_size, offset=self.page * self.page_size)
        self._render()

    def refresh(self) -> None:
        """Count and load the current page again (new runs appear)."""
        self.total = self.store.count(self.where or None, experiment=self.experiment)
        self.show_page(self.page)

    def select(self, *run_ids: str) -> None:
        """Add runs to the selection, as ticking their boxes does."""
        for run_id in run_ids:
            self.selected[self.store.resolve(run_id)] = None
        self._render()

    def compare(self) -> Any:
        """Open a RunComparison of the selected runs below the table."""
        from nbtrack.views.comparison import RunComparison

        if len(self.selected) < 2:
            self.selection_label.value = error_line("select at least two runs to compare")
            return None
        view = RunComparison([self.store.run(run_id) for run_id in self.selected], store=self.store)
        previous = self.comparison.children
        self.comparison.children = [view]
        for widget in previous:
            _close_tree(widget)
        return view

    # -- rendering --------------------------------------------------------------

    def _toggle_column(self, key: str, shown: bool) -> None:
        if shown and key not in self.columns:
            self.columns.append(key)
        elif not shown and key in self.columns:
            self.columns.remove(key)
        self._render()

    def _render(self) -> None:
        # One HTML widget per column and one checkbox per row, laid out as a two-row grid:
        # a page costs about 2 widgets per column instead of one per cell.
        self.header_buttons: dict[str, widgets.Button] = {}
        for column in self.columns:
            arrow = ""
            if self.order.lstrip("-") == column:
                arrow = " ▼" if self.order.startswith("-") else " ▲"
            button = widgets.Button(description=column + arrow, tooltip=f"sort by {column}",
                                    layout=widgets.Layout(width="auto", height=f"{HEADER_PX}px", margin="0"))
            button.add_class("nbtrack-sort")
            if column == "id":
                button.add_class("nbtrack-pinned")
            button.on_click(lambda _, column=column: self.sort_by(column))
            self.header_buttons[column] = button
        self._quiet = True
        self.row_boxes: list[widgets.Checkbox] = []
        for run in self.runs:
            box = widgets.Checkbox(value=run.id in self.selected, indent=False,
                                   layout=widgets.Layout(width="24px", height=f"{ROW_PX}px", margin="0"))
            box.add_class("nbtrack-select")
            box.observe(lambda change, run_id=run.id: self._tick(run_id, change["new"]), names="value")
            self.row_boxes.append(box)
        self._quiet = False
        short = formatting.short_ids([run.id for run in self.runs])
        self.column_html: dict[str, widgets.HTML] = {
            column: widgets.HTML(join(tag("div", Html(_cell_html(run, column, short)), style=ROW_STYLE,
                                          cls="nbtrack-cell")
                                      for run in self.runs), layout=widgets.Layout(margin="0"))
            for column in self.columns
        }
        if "id" in self.column_html:
            self.column_html["id"].add_class("nbtrack-pinned")
        spacer = widgets.HTML("", layout=widgets.Layout(height=f"{HEADER_PX}px", margin="0"))
        boxes = widgets.VBox(self.row_boxes, layout=widgets.Layout(margin="0"))
        spacer.add_class("nbtrack-pinned-select")
        boxes.add_class("nbtrack-pinned-select")
        # max-content: headers and cells keep their full text on one line (the table scrolls instead)
        self.grid.layout.grid_template_columns = f"{SELECT_PX}px " + " ".join("max-content" for _ in self.columns)
        previous = self.grid.children
        self.grid.children = [spacer, *self.header_buttons.values(), boxes, *self.column_html.values()]
        for widget in previous:
            _close_tree(widget)  # the old page's models would otherwise live on in the kernel and the page
        first = self.page * self.page_size + 1 if self.runs else 0
        self.position.value = tag(
            "span", f"runs {first}–{first + len(self.runs) - 1 if self.runs else 0} of {self.total}",
            style="padding:0 8px;line-height:28px")
        self.previous.disabled = self.page == 0
        self.next.disabled = (self.page + 1) * self.page_size >= self.total
        self._show_selection()

    def _tick(self, run_id: str, ticked: bool) -> None:
        if self._quiet:
            return
        if ticked:
            self.selected[run_id] = None
        else:
            self.selected.pop(run_id, None)
        self._show_selection()

    def _show_selection(self) -> None:
        self.compare_button.disabled = len(self.selected) < 2
        self.selection_label.value = tag("span", f"{len(self.selected)} selected",
                                         style="padding:0 8px;line-height:28px")

    def summary(self) -> str:
        return f"RunTable: {self.total} runs" + (f" where {self.where}" if self.where else "")

    def static_html(self) -> Html:
        caption = f"{self.total} runs" + (f" where {self.where}" if self.where else "")
        parts = [tag("div", caption, style="font-weight:bold;margin:2px 0")]
        if self.error:
            parts.append(error_line(self.error))
        if self.runs:
            short = formatting.short_ids([run.id for run in self.runs])
            parts.append(table(["selected", *self.columns],
                               ([("✓" if run.id in self.selected else ""),
                                 *(Html(_cell_html(run, column, short)) for column in self.columns)]
                                for run in self.runs)))
            if self.total > len(self.runs):
                first = self.page * self.page_size + 1
                parts.append(note(f"showing runs {first}–{first + len(self.runs) - 1} of {self.total}"))
        else:
            parts.append(note("no runs match"))
        if self.comparison.children:
            parts.append(self.comparison.children[0].static_html())  # type: ignore[attr-defined]
        return Html(tag("div", Html("".join(parts)), cls="nbtrack-run-table"))


def _close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything inside it."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _cell_html(run: StoredRun, column: str, short: dict[str, str]) -> str:
    """One cell of the table as escaped HTML; short: the page's short ids (formatting.short_ids)."""
    if column == "status":
        return str(status_badge(run.status))
    if column == "id":
        swatch = tag("span", "", style=f"display:inline-block;width:8px;height:8px;margin-right:4px;"
                                       f"background:{run.colour}")
        return str(join([swatch, tag("code", short[run.id], title=run.id)]))
    if column == "started":
        return str(escape(datetime.fromtimestamp(run.started_at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")))
    if column == "duration":
        return str(escape("" if run.duration is None else f"{run.duration:.1f} s"))
    if column in ("name", "experiment"):
        return str(escape(getattr(run, column)))
    try:
        field = parse_field(column)
    except UsageError:
        return ""
    if field.kind == "params":
        return str(escape(run.params.get(field.key)))
    if field.kind == "metrics":
        summary = run.summaries.get(field.key)
        return str(escape(None if summary is None else getattr(summary, field.part or "last")))
    if field.kind == "tags":
        return str(escape(run.tags.get(field.key)))
    return ""

