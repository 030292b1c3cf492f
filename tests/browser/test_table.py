"""The runs table in a real JupyterLab, driven in headless Chromium as a person would use it.

Columns, sorting, grouping, the filter with completion, selection and bulk actions, saved views,
deep links, notes, renaming, the keyboard, live updates, and 10,000 runs.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.lab import LabServer, screenshot, start_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab-table")]

XSS = '<img src=x onerror="window.__nbtrack_xss=1">'
TABLE = "#nbtrack-table"
ROWS = f"{TABLE} .nbtrack-trow[data-run-id]"
# The sweep: model and C vary, max_depth and seed never change.
SWEEP = [("rf", 0.1), ("rf", 1.0), ("gb", 0.1), ("gb", 1.0), ("rf", 10.0), ("gb", 10.0)]
F1 = [0.81, 0.86, 0.72, 0.77, 0.9, 0.7]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, dict[str, str]]]:
    """Lab over a store with a sweep of six unnamed runs, two churn runs (one named with an XSS payload) and a
    registered model version."""
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("table")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids: dict[str, str] = {}
    for i, (model, c) in enumerate(SWEEP):
        run_id = store.create_run("train_classifier", params={"model": model, "C": c, "max_depth": 3, "seed": 0},
                                  tags={"sweep": "s1"})
        store.log_metrics(run_id, [("test.loss", step, 1.0 - F1[i] + 0.1 * (2 - step), 1_700_000_000_000 + step)
                                   for step in range(3)] + [("test.f1", 0, F1[i], 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        ids[f"s{i}"] = run_id
    for key, name in (("churn", "churn-a"), ("xss", XSS)):
        run_id = store.create_run("churn", name=name, params={"model": "lr"}, tags={"stage": "prod"})
        store.log_metrics(run_id, [("test.f1", 0, 0.5, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        ids[key] = run_id
    store.models.register("clf", ids["s4"])
    store.close()
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, ids
    finally:
        server.stop()


@pytest.fixture(scope="module")
def big_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Lab over 10,000 finished runs, seeded in bulk the way the benchmarks seed theirs."""
    from nbtrack.store import open_store

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    try:
        from benchmarks.measures.listing import seed
    finally:
        sys.path.pop(0)
    base = tmp_path_factory.mktemp("table-big")
    (base / "root").mkdir()
    store = open_store(base / "store")
    seed(store, 0, 10_000)
    store.close()
    server = start_lab(base / "root", base / "store", home=base / "home", timeout=120)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def api(server: LabServer, method: str, path: str, body: Any = None) -> Any:
    """The REST API as a script would call it (token auth, so no XSRF cookie is needed)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server.url}/nbtrack/api/{path}", data=data, method=method,
                                     headers={"Authorization": f"token {server.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def open_lab(page: Any, server: LabServer, query: str = "") -> None:
    url = server.page()
    page.goto(url.replace("?reset", f"?reset{query}"))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                           "window.jupyterapp.commands.hasCommand('nbtrack:open-table')")


def open_table(page: Any, server: LabServer, args: dict[str, str] | None = None, rows: int | None = None) -> None:
    """Load Lab, run nbtrack:open-table, and wait for rows (exactly `rows` of them when given)."""
    open_lab(page, server)
    page.evaluate("a => window.jupyterapp.commands.execute('nbtrack:open-table', a)", args or {})
    wait_rows(page, rows)


def wait_rows(page: Any, rows: int | None = None) -> None:
    if rows is None:
        page.wait_for_selector(ROWS)
    else:
        page.wait_for_function("([s, n]) => document.querySelectorAll(s).length === n", arg=[ROWS, rows])


def names(page: Any) -> list[str]:
    """Run names of the lines on screen, top to bottom."""
    return page.eval_on_selector_all(
        ROWS, "rows => rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))"
              ".map(r => r.querySelector('.nbtrack-run-link').textContent)")


def column(page: Any, field: str) -> list[str]:
    """The text of one column, top to bottom."""
    return page.evaluate(
        """([rows, field]) => {
          const heads = [...document.querySelectorAll('#nbtrack-table .nbtrack-thead .nbtrack-th')];
          const at = heads.findIndex(h => h.dataset.field === field);
          return [...document.querySelectorAll(rows)]
            .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
            .map(r => r.children[at].textContent);
        }""", [ROWS, field])


def headers(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{TABLE} .nbtrack-thead .nbtrack-th[data-field]:not([data-field=name])",
                                   "hs => hs.map(h => h.dataset.field)")


def column_menu(page: Any, field: str) -> None:
    """Open a column's menu as a person does: point at its header, click the ⋮ that appears."""
    head = f"{TABLE} .nbtrack-th[data-field='{field}']"
    page.hover(head)
    page.click(f"{head} .nbtrack-column-menu")


def set_theme(page: Any, theme: str) -> None:
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(600)


def test_table_shows_every_run_with_a_distinct_name_short_id_and_the_columns_that_vary(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, rows=8)
    assert page.inner_text(f"{TABLE} .nbtrack-count") == "8 runs"
    shown = names(page)
    assert len(set(shown)) == 8 and all(shown)  # generated names tell the sweep's runs apart
    shorts = page.eval_on_selector_all(f"{ROWS} .nbtrack-short-id", "s => s.map(e => e.textContent)")
    assert len(set(shorts)) == 8 and all(len(s) >= 6 for s in shorts)
    assert page.eval_on_selector_all(ROWS, "rs => rs.every(r => r.dataset.runId.endsWith("
                                           "r.querySelector('.nbtrack-short-id').textContent))")
    swatches = page.eval_on_selector_all(f"{ROWS} .nbtrack-swatch", "s => s.map(e => e.style.background)")
    assert all(swatches)
    fields = api(server, "GET", "runs/fields")
    assert headers(page) == ["status", "started", *fields["default_columns"]]
    assert "params.model" in headers(page) and "metrics.test.f1" in headers(page)
    assert XSS in shown and page.evaluate("() => window.__nbtrack_xss") is None
    set_theme(page, "JupyterLab Light")
    screenshot(page, "table")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-dark")
    set_theme(page, "JupyterLab Light")


def test_clicking_headers_sorts_on_the_server_best_first_and_shift_click_adds_a_second_key(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    f1 = "metrics.test.f1"
    page.click(f"{TABLE} .nbtrack-th[data-field='{f1}'] .nbtrack-th-label")  # best first: the highest f1
    page.wait_for_function("f => document.querySelector(`#nbtrack-table .nbtrack-th[data-field='${f}']`)"
                           ".getAttribute('aria-sort') === 'descending'", arg=f1)
    page.wait_for_function("([s, want]) => [...document.querySelectorAll(s)].sort((a, b) => parseFloat(a.style.top) - "
                           "parseFloat(b.style.top))[0].dataset.runId === want", arg=[ROWS, ids["s4"]])
    assert column(page, f1) == ["0.9", "0.86", "0.81", "0.77", "0.72", "0.7"]
    page.click(f"{TABLE} .nbtrack-th[data-field='{f1}'] .nbtrack-th-label")  # again: ascending
    page.wait_for_function("([s, want]) => [...document.querySelectorAll(s)].sort((a, b) => parseFloat(a.style.top) - "
                           "parseFloat(b.style.top))[0].dataset.runId === want", arg=[ROWS, ids["s5"]])
    assert column(page, f1) == ["0.7", "0.72", "0.77", "0.81", "0.86", "0.9"]
    # a loss is best when lowest: its first click sorts ascending
    loss = next(f for f in headers(page) if f.startswith("metrics.test.loss"))
    page.click(f"{TABLE} .nbtrack-th[data-field='{loss}'] .nbtrack-th-label")
    page.wait_for_function("f => document.querySelector(`#nbtrack-table .nbtrack-th[data-field='${f}']`)"
                           ".getAttribute('aria-sort') === 'ascending'", arg=loss)
    # a param's first click sorts ascending too
    page.click(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-th-label")
    page.wait_for_function("() => document.querySelector(\"#nbtrack-table .nbtrack-th[data-field='params.C']\")"
                           ".getAttribute('aria-sort') === 'ascending'")
    # model first (gb before rf), then C descending within each model: shift-click adds the second key.
    page.click(f"{TABLE} .nbtrack-th[data-field='params.model'] .nbtrack-th-label")
    page.click(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-th-label", modifiers=["Shift"])
    page.click(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-th-label", modifiers=["Shift"])
    page.wait_for_function("([s, want]) => [...document.querySelectorAll(s)].sort((a, b) => parseFloat(a.style.top) - "
                           "parseFloat(b.style.top))[0].dataset.runId === want", arg=[ROWS, ids["s5"]])
    assert column(page, "params.model") == ["gb", "gb", "gb", "rf", "rf", "rf"]
    assert column(page, "params.C") == ["10", "1", "0.1", "10", "1", "0.1"]
    assert page.inner_text(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-sort") == "▼2"


def test_columns_are_chosen_with_search_moved_pinned_hidden_and_resized(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, _ = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    assert "params.max_depth" not in headers(page)  # the same in every run of the sweep: not a default column
    page.click(f"{TABLE} .nbtrack-columns-button")
    page.fill(".nbtrack-column-search", "max_d")
    assert page.eval_on_selector_all(".nbtrack-column-option", "o => o.map(e => e.textContent)") == ["params.max_depth"]
    page.check(".nbtrack-column-option input[data-field='params.max_depth']")
    page.wait_for_selector(f"{TABLE} .nbtrack-th[data-field='params.max_depth']")
    page.fill(".nbtrack-column-search", "loss")
    found = page.eval_on_selector_all(".nbtrack-column-option", "o => o.map(e => e.textContent)")
    assert "metrics.test.loss.min" in found and "metrics.test.loss.max" in found
    page.check(".nbtrack-column-option input[data-field='metrics.test.loss.min']")
    page.wait_for_selector(f"{TABLE} .nbtrack-th[data-field='metrics.test.loss.min']")
    page.keyboard.press("Escape")
    assert headers(page)[-2:] == ["params.max_depth", "metrics.test.loss.min"]
    wait_rows(page, 6)
    assert set(column(page, "params.max_depth")) == {"3"}

    # "hide columns that never change" hides max_depth, and unticking shows it again.
    page.check(f"{TABLE} .nbtrack-hide-constant")
    page.wait_for_function("() => !document.querySelector(\"#nbtrack-table .nbtrack-th[data-field='params.max_depth']\")")
    page.uncheck(f"{TABLE} .nbtrack-hide-constant")
    page.wait_for_selector(f"{TABLE} .nbtrack-th[data-field='params.max_depth']")

    # Move left through the column's menu.
    before = headers(page)
    column_menu(page, "params.max_depth")
    page.click(".nbtrack-menu-item:text('Move left')")
    after = headers(page)
    at = before.index("params.max_depth")
    assert after[at - 1] == "params.max_depth" and after[at] == before[at - 1]

    # Pin: the pinned column moves to the left and stays in view when the grid scrolls sideways.
    column_menu(page, "metrics.test.loss.min")
    page.click(".nbtrack-menu-item:text('Pin to the left')")
    assert headers(page)[0] == "metrics.test.loss.min"
    page.set_viewport_size({"width": 700, "height": 700})
    page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollLeft = g.scrollWidth")
    page.wait_for_timeout(200)
    grid_left = page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.getBoundingClientRect().left")
    pinned_left = page.eval_on_selector(f"{TABLE} .nbtrack-th[data-field='metrics.test.loss.min']",
                                        "h => h.getBoundingClientRect().left")
    name_left = page.eval_on_selector(f"{ROWS} .nbtrack-name-cell", "c => c.getBoundingClientRect().left")
    assert pinned_left < grid_left + 34 + 260 + 5 and name_left < grid_left + 40  # still in view on the left
    screenshot(page, "table-pinned-scrolled")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollLeft = 0")

    # Resize by dragging the header's right edge.
    handle = page.query_selector(f"{TABLE} .nbtrack-th[data-field='params.model'] .nbtrack-resize")
    box = handle.bounding_box()
    width = page.eval_on_selector(f"{TABLE} .nbtrack-th[data-field='params.model']", "h => h.offsetWidth")
    page.mouse.move(box["x"] + 3, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 83, box["y"] + 5, steps=5)
    page.mouse.up()
    page.wait_for_function("w => document.querySelector(\"#nbtrack-table .nbtrack-th[data-field='params.model']\")"
                           ".offsetWidth >= w + 60", arg=width)
    cell = page.evaluate("() => { const heads = [...document.querySelectorAll('#nbtrack-table .nbtrack-thead > div')];"
                         " const at = heads.findIndex(h => h.dataset.field === 'params.model');"
                         " return document.querySelector('#nbtrack-table .nbtrack-trow[data-run-id]').children[at].offsetWidth; }")
    assert cell >= width + 60  # the cells follow their header

    # Hide through the menu.
    column_menu(page, "params.max_depth")
    page.click(".nbtrack-menu-item:text('Hide column')")
    page.wait_for_function("() => !document.querySelector(\"#nbtrack-table .nbtrack-th[data-field='params.max_depth']\")")


def test_filter_completes_keys_and_values_and_keeps_the_last_results_on_an_error(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, _ = lab
    open_table(page, server, rows=8)
    box = f"{TABLE} .nbtrack-table-filter"
    page.click(box)
    page.keyboard.type("params.mo")
    page.wait_for_selector(f"{TABLE} .nbtrack-suggestions li")
    assert page.inner_text(f"{TABLE} .nbtrack-suggestions li .nbtrack-suggestion-text") == "params.model"
    page.keyboard.press("Tab")
    assert page.input_value(box) == "params.model "
    page.keyboard.type("= ")
    page.wait_for_selector(f"{TABLE} .nbtrack-suggestions li")
    values = page.eval_on_selector_all(f"{TABLE} .nbtrack-suggestions .nbtrack-suggestion-text",
                                       "s => s.map(e => e.textContent)")
    assert "'rf'" in values and "'gb'" in values
    page.keyboard.type("'r")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value(box) == "params.model = 'rf' "
    wait_rows(page, 3)
    assert page.inner_text(f"{TABLE} .nbtrack-count") == "3 runs"
    screenshot(page, "table-filter-completion")

    # A filter that does not parse: the error shows under the box and the three runs stay, marked stale.
    assert not page.is_visible(f"{TABLE} .nbtrack-stale-note")
    page.fill(box, "params.model = ")
    page.wait_for_selector(f"{TABLE} .nbtrack-filter-error:not(:empty)")
    assert len(names(page)) == 3
    page.wait_for_selector(f"{TABLE} .nbtrack-stale-note", state="visible")
    assert page.inner_text(f"{TABLE} .nbtrack-stale-note") == "showing the last results"
    assert float(page.eval_on_selector(f"{TABLE} .nbtrack-tbody", "b => getComputedStyle(b).opacity")) < 0.6
    # A misspelt key: the server names it and suggests the near one.
    page.fill(box, "params.modle = 'rf'")
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-filter-error').textContent"
                           ".includes('params.modle')")
    assert "params.model" in page.inner_text(f"{TABLE} .nbtrack-filter-error")
    assert "params.modle" in page.inner_text(f"{TABLE} .nbtrack-filter-error")
    assert len(names(page)) == 3
    # the refused filter is not sent again by the live refresh (the sidebar's used to be, every 1.5 s)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "modle" in request.url else None)
    page.wait_for_timeout(4500)
    assert sent == []
    screenshot(page, "table-filter-error")
    page.fill(box, "")
    wait_rows(page, 8)
    assert page.inner_text(f"{TABLE} .nbtrack-filter-error") == ""
    page.wait_for_selector(f"{TABLE} .nbtrack-stale-note", state="hidden")
    assert page.eval_on_selector(f"{TABLE} .nbtrack-tbody", "b => getComputedStyle(b).opacity") == "1"


def test_grouping_by_a_param_shows_counts_and_mean_and_std_and_opens_a_group(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.select_option(f"{TABLE} .nbtrack-group-select", "params.model")
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-group-row').length === 2")
    groups = page.eval_on_selector_all(f"{TABLE} .nbtrack-group-row .nbtrack-name-cell",
                                       "cells => cells.map(c => c.textContent)")
    assert sorted(groups) == ["params.model = gb3 runs", "params.model = rf3 runs"]
    assert page.inner_text(f"{TABLE} .nbtrack-count") == "6 runs in 2 groups"
    heads = page.eval_on_selector_all(f"{TABLE} .nbtrack-thead > div", "hs => hs.map(h => h.dataset.field || '')")
    at = heads.index("metrics.test.f1")
    # the group rows come first, their mean ± std in a second answer
    rf = f"{TABLE} .nbtrack-group-row:has-text('= rf')"
    page.wait_for_selector(f"{rf} > div:nth-child({at + 1}):has-text('±')")
    stats = " ".join(page.inner_text(f"{rf} > div:nth-child({at + 1})").split())  # mean above ± std
    mean = (0.81 + 0.86 + 0.9) / 3
    std = (sum((x - mean) ** 2 for x in (0.81, 0.86, 0.9)) / 2) ** 0.5  # the sample standard deviation
    assert stats == f"{mean:.4g} ± {std:.4g}"  # 0.8567 ± 0.04509, by the one value formatter
    page.click(rf)
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-trow[data-run-id]').length === 3")
    assert {r for r in page.eval_on_selector_all(ROWS, "rs => rs.map(r => r.dataset.runId)")} == {
        ids["s0"], ids["s1"], ids["s4"]}
    screenshot(page, "table-grouped")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-grouped-dark")
    set_theme(page, "JupyterLab Light")

    # A column's menu groups and ungroups too.
    column_menu(page, "params.model")
    page.click(".nbtrack-menu-item:text('Stop grouping')")
    wait_rows(page, 6)
    assert not page.query_selector(f"{TABLE} .nbtrack-group-row")
    column_menu(page, "params.model")
    page.click(".nbtrack-menu-item:text('Group rows by this column')")
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-group-row').length === 2")
    assert page.input_value(f"{TABLE} .nbtrack-group-select") == "params.model"

    # A refused filter is asked once; the live refresh of the groups does not send it again every 2 s.
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "modle" in request.url else None)
    page.fill(f"{TABLE} .nbtrack-table-filter", "params.modle = 'rf'")
    page.wait_for_selector(f"{TABLE} .nbtrack-filter-error:not(:empty)")
    page.wait_for_timeout(4500)
    assert len(sent) == 1, sent
    assert page.query_selector_all(f"{TABLE} .nbtrack-group-row")  # the last groups stay


def test_ticked_runs_with_a_shift_range_open_compare_and_copy_its_link(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    compare = f"{TABLE} .nbtrack-compare-selected"
    assert page.is_disabled(compare)
    boxes = page.query_selector_all(f"{ROWS} .nbtrack-select")
    ordered = sorted(boxes, key=lambda b: b.evaluate("b => parseFloat(b.closest('.nbtrack-trow').style.top)"))
    ordered[0].click()
    ordered[2].click(modifiers=["Shift"])
    assert page.inner_text(f"{TABLE} .nbtrack-selection-count") == "3 selected"
    assert page.inner_text(compare) == "Compare (3)" and page.is_enabled(compare)
    page.click(f"{TABLE} .nbtrack-compare-link")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert "/lab?nbtrack-compare=" in link
    page.click(compare)
    page.wait_for_selector(".nbtrack-compare")
    # the selection stays; Clear empties it and disables the actions
    page.evaluate("() => window.jupyterapp.commands.execute('nbtrack:open-table', {})")
    page.click(f"{TABLE} .nbtrack-clear-selection")
    assert page.inner_text(f"{TABLE} .nbtrack-selection-count") == "none selected"
    assert page.is_disabled(compare) and page.is_disabled(f"{TABLE} .nbtrack-bulk-archive")
    # select every loaded run from the header box
    page.check(f"{TABLE} .nbtrack-select-all")
    assert page.inner_text(f"{TABLE} .nbtrack-selection-count") == "6 selected"


def test_bulk_tag_archive_restore_and_delete_with_confirmation_and_refusals(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'churn'"}, rows=2)
    page.check(f"{TABLE} .nbtrack-select-all")
    page.click(f"{TABLE} .nbtrack-bulk-tag")
    page.fill(".jp-Dialog input", "owner=ana, -stage")
    page.click(".jp-Dialog .jp-mod-accept")
    for key in ("churn", "xss"):
        page.wait_for_function("([u, t]) => fetch(u, {headers: {Authorization: 'token ' + t}}).then(r => r.json())"
                               ".then(r => r.tags.owner === 'ana' && !('stage' in r.tags))",
                               arg=[f"{server.url}/nbtrack/api/runs/{ids[key]}", server.token])

    # Archive: both leave the default listing, come back with "archived only", and restore.
    page.click(f"{TABLE} .nbtrack-bulk-archive")
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-count').textContent === '0 runs'")
    page.select_option(f"{TABLE} .nbtrack-archived-select", "only")
    wait_rows(page, 2)
    assert page.query_selector_all(f"{ROWS} .nbtrack-archived-badge")
    screenshot(page, "table-archived-only")
    page.check(f"{TABLE} .nbtrack-select-all")
    assert page.is_enabled(f"{TABLE} .nbtrack-bulk-restore")  # archived runs: Restore acts, Archive would not
    assert page.is_disabled(f"{TABLE} .nbtrack-bulk-archive")
    page.click(f"{TABLE} .nbtrack-bulk-restore")
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-count').textContent === '0 runs'")
    page.select_option(f"{TABLE} .nbtrack-archived-select", "hide")
    wait_rows(page, 2)

    # Delete asks first, naming how many; cancel keeps them.
    page.check(f"{TABLE} .nbtrack-select-all")
    page.click(f"{TABLE} .nbtrack-bulk-delete")
    assert "Delete 2 runs" in page.inner_text(".jp-Dialog-header")
    screenshot(page, "table-delete-confirm")
    page.click(".jp-Dialog .jp-mod-reject")
    wait_rows(page, 2)
    page.click(f"{TABLE} .nbtrack-bulk-delete")
    page.click(".jp-Dialog .jp-mod-warn")
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-count').textContent === '0 runs'")
    assert page.evaluate("() => window.__nbtrack_xss") is None

    # A run a model version points to is refused, with the version named.
    box = f"{TABLE} .nbtrack-table-filter"
    page.fill(box, "experiment = 'train_classifier'")
    wait_rows(page, 6)
    page.check(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s4']}'] .nbtrack-select")
    page.click(f"{TABLE} .nbtrack-bulk-delete")
    page.click(".jp-Dialog .jp-mod-warn")
    page.wait_for_selector(".jp-Dialog .nbtrack-refused")
    refusal = page.inner_text(".jp-Dialog .nbtrack-refused")
    assert ids["s4"] in refusal and "clf" in refusal
    screenshot(page, "table-delete-refused")
    page.click(".jp-Dialog .jp-mod-accept")
    wait_rows(page, 6)


def test_saved_views_are_saved_listed_opened_linked_and_deleted(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.select_option(f"{TABLE} .nbtrack-group-select", "params.model")
    page.click(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-th-label")
    pinned = headers(page)[-1]  # a column pinned to the left and one widened are kept with the view
    column_menu(page, pinned)
    page.click(".nbtrack-menu-item:text('Pin to the left')")
    handle = page.query_selector(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-resize").bounding_box()
    page.mouse.move(handle["x"] + 3, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 83, handle["y"] + 5, steps=5)
    page.mouse.up()
    widened = page.eval_on_selector(f"{TABLE} .nbtrack-th[data-field='params.C']", "h => h.offsetWidth")
    page.click(f"{TABLE} .nbtrack-views-button")
    page.click(".nbtrack-view-save")
    page.fill(".jp-Dialog input", "by model")
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_function("() => document.querySelector(\".lm-TabBar-tab[data-id='nbtrack-table']\")?.textContent"
                           ".includes('Runs: by model')")
    saved = [v for v in api(server, "GET", "views")["views"] if v["name"] == "by model"]
    assert saved and saved[0]["where"] == "experiment = 'train_classifier'"
    assert saved[0]["group"] == "params.model" and "params.C" in saved[0]["order"][0]
    assert saved[0]["pinned"] == [pinned] and saved[0]["widths"]["params.C"] >= 160, saved[0]

    # The link opens the table with the view in a fresh Lab.
    page.click(f"{TABLE} .nbtrack-views-button")
    page.wait_for_selector(".nbtrack-views-list li[data-view='by model']")
    screenshot(page, "table-views-menu")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-views-menu-dark")
    set_theme(page, "JupyterLab Light")
    page.click(".nbtrack-views-list li[data-view='by model'] .nbtrack-view-link")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link.endswith("/lab?nbtrack-view=by%20model")
    open_lab(page, server, "&nbtrack-view=by%20model")
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-group-row').length === 2")
    assert page.input_value(f"{TABLE} .nbtrack-table-filter") == "experiment = 'train_classifier'"
    assert headers(page)[0] == pinned  # the fresh Lab lays the columns out as they were saved
    assert page.eval_on_selector(f"{TABLE} .nbtrack-th[data-field='params.C']", "h => h.offsetWidth") == widened

    # Delete from the menu.
    page.click(f"{TABLE} .nbtrack-views-button")
    page.click(".nbtrack-views-list li[data-view='by model'] .nbtrack-view-delete")
    page.wait_for_function("() => !document.querySelector(\".nbtrack-views-list li[data-view='by model']\")")
    assert not [v for v in api(server, "GET", "views")["views"] if v["name"] == "by model"]


def test_links_open_a_run_and_a_comparison(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_lab(page, server, f"&nbtrack-run={ids['s1']}")
    page.wait_for_selector(f"#nbtrack-run-{ids['s1']} h2")
    open_lab(page, server, f"&nbtrack-compare={ids['s0']},{ids['s1']}")
    page.wait_for_selector(".nbtrack-compare")
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.hover(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s2']}']")
    page.click(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s2']}'] .nbtrack-run-copy-link")
    assert page.evaluate("() => navigator.clipboard.readText()").endswith(f"/lab?nbtrack-run={ids['s2']}")


def test_a_note_is_written_rendered_safely_searchable_and_shown_in_the_table(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.click(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s0']}'] .nbtrack-note-cell")
    editor = f"#nbtrack-note-{ids['s0']}"
    page.wait_for_selector(f"{editor} .nbtrack-note-text")
    page.fill(f"{editor} .nbtrack-note-text", f"The **baseline** run.\n\n{XSS}\n\n<script>window.__nbtrack_xss=2</script>")
    page.wait_for_selector(f"{editor} .nbtrack-note-preview strong")
    assert page.inner_text(f"{editor} .nbtrack-note-preview strong") == "baseline"
    page.press(f"{editor} .nbtrack-note-text", "Control+s")
    page.wait_for_function("e => document.querySelector(e + ' .nbtrack-note-status').textContent === 'saved'",
                           arg=editor)
    assert page.query_selector(f"{editor} .nbtrack-note-preview script") is None
    assert page.query_selector(f"{editor} .nbtrack-note-preview img[onerror]") is None
    page.wait_for_timeout(300)
    screenshot(page, "note-editor")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "note-editor-dark")
    set_theme(page, "JupyterLab Light")
    assert api(server, "GET", f"runs/{ids['s0']}")["note"].startswith("The **baseline** run.")
    page.evaluate("() => window.jupyterapp.commands.execute('nbtrack:open-table', {})")
    page.wait_for_function("id => document.querySelector(`#nbtrack-table .nbtrack-trow[data-run-id='${id}']"
                           " .nbtrack-note-cell`).textContent.includes('baseline')", arg=ids["s0"])
    page.fill(f"{TABLE} .nbtrack-table-filter", "notes like '%baseline%'")
    wait_rows(page, 1)
    assert page.eval_on_selector(ROWS, "r => r.dataset.runId") == ids["s0"]
    assert page.evaluate("() => window.__nbtrack_xss") is None


def test_a_run_is_renamed_in_place_and_a_bad_name_keeps_the_field(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    row = f"{TABLE} .nbtrack-trow[data-run-id='{ids['s3']}']"
    page.hover(row)
    page.click(f"{row} .nbtrack-rename")
    page.fill(f"{row} .nbtrack-rename-input", "gb C=1 (kept)")
    page.press(f"{row} .nbtrack-rename-input", "Enter")
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-run-link')?.textContent === 'gb C=1 (kept)'",
                           arg=row)
    assert api(server, "GET", f"runs/{ids['s3']}")["name"] == "gb C=1 (kept)"
    # F2 from the keyboard; an empty name is refused by the server and the field stays for a fix.
    page.focus(row)
    page.keyboard.press("F2")
    page.fill(f"{row} .nbtrack-rename-input", "")
    page.press(f"{row} .nbtrack-rename-input", "Enter")
    page.wait_for_selector(f"{row} .nbtrack-rename-input.nbtrack-invalid")
    assert page.inner_text(f"{TABLE} .nbtrack-filter-error").startswith("rename:")
    page.press(f"{row} .nbtrack-rename-input", "Escape")
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-run-link')?.textContent === 'gb C=1 (kept)'",
                           arg=row)


def test_rows_are_reached_and_opened_from_the_keyboard(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.click(f"{TABLE} .nbtrack-th[data-field='metrics.test.f1'] .nbtrack-th-label")  # best first: s4
    page.wait_for_function("([s, want]) => [...document.querySelectorAll(s)].sort((a, b) => parseFloat(a.style.top) - "
                           "parseFloat(b.style.top))[0].dataset.runId === want", arg=[ROWS, ids["s4"]])
    page.focus(f"{TABLE} .nbtrack-table-filter")
    for _ in range(12):  # Tab through the toolbar to the grid
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.nbtrack-tbody')"):
            break
    assert page.evaluate("() => document.activeElement.dataset.runId") == ids["s4"]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.dataset.runId") == ids["s1"]  # 0.86
    page.keyboard.press("Space")
    assert page.inner_text(f"{TABLE} .nbtrack-selection-count") == "1 selected"
    screenshot(page, "table-keyboard")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#nbtrack-run-{ids['s1']} h2")


def test_a_live_run_updates_in_place_without_losing_scroll_selection_or_focus(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    from nbtrack.store import open_store

    server, _ = lab
    store = open_store(server.store)
    live = store.create_run("live", name="live-run", params={"lr": 0.1})
    others = []
    for i in range(60):
        run_id = store.create_run("live", name=f"old-{i:02d}", params={"lr": 0.2})
        store.log_metrics(run_id, [("loss", 0, 1.0, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        others.append(run_id)
    store.log_metrics(live, [("loss", 0, 0.9, 1_700_000_000_000)])
    open_table(page, server, {"where": "experiment = 'live'"})
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-count').textContent === '61 runs'")
    # newest first: the live run, the oldest, is at the bottom; scroll down to it, tick it and focus it
    page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollTop = g.scrollHeight")
    row = f"{TABLE} .nbtrack-trow[data-run-id='{live}']"
    page.wait_for_selector(row)
    page.check(f"{row} .nbtrack-select")
    page.focus(row)
    scroll = page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollTop")
    assert scroll > 0
    store.log_metrics(live, [("loss", 1, 0.25, 1_700_000_000_001)])
    page.wait_for_function("s => document.querySelector(s)?.textContent.includes('0.25')", arg=row, timeout=10_000)
    assert page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollTop") == scroll
    assert page.is_checked(f"{row} .nbtrack-select")
    assert page.evaluate("() => document.activeElement.dataset.runId") == live
    store.end_run(live, "finished")
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-status')?.textContent === 'finished'"
                           " || !document.querySelector(s + ' .nbtrack-status')", arg=row, timeout=10_000)
    store.close()


def tab_labels(page: Any) -> list[str]:
    return page.eval_on_selector_all(".lm-DockPanel .lm-TabBar-tab .lm-TabBar-tabLabel", "ts => ts.map(t => t.textContent)")


def show_table(page: Any) -> None:
    page.click(".lm-TabBar-tab[data-id='nbtrack-table']")
    page.wait_for_selector(TABLE, state="visible")


def test_charts_and_analyse_open_the_ticked_runs_else_the_filter_else_the_sweep(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.click(f"{TABLE} .nbtrack-open-charts")  # nothing ticked: the filter's six runs
    page.wait_for_function("() => [...document.querySelectorAll('.lm-TabBar-tabLabel')]"
                           ".some(t => t.textContent === 'charts: 6 runs')")
    show_table(page)
    page.check(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s0']}'] .nbtrack-select")
    page.check(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s1']}'] .nbtrack-select")
    page.click(f"{TABLE} .nbtrack-open-charts")  # the ticked two
    page.wait_for_function("() => [...document.querySelectorAll('.lm-TabBar-tabLabel')]"
                           ".some(t => t.textContent === 'charts: 2 runs')")
    show_table(page)
    page.click(f"{TABLE} .nbtrack-clear-selection")
    page.select_option(f"{TABLE} .nbtrack-group-select", "tags.sweep")  # grouped by the sweep: that sweep
    page.wait_for_selector(f"{TABLE} .nbtrack-group-row")
    page.click(f"{TABLE} .nbtrack-open-analysis")
    page.wait_for_function("() => [...document.querySelectorAll('.lm-TabBar-tabLabel')]"
                           ".some(t => t.textContent === 'sweep s1')")
    show_table(page)
    page.select_option(f"{TABLE} .nbtrack-group-select", "")
    page.fill(f"{TABLE} .nbtrack-table-filter", "params.model = 'rf'")  # not a sweep: the filter's runs
    wait_rows(page, 3)
    before = len(tab_labels(page))
    page.click(f"{TABLE} .nbtrack-open-analysis")
    page.wait_for_function("n => document.querySelectorAll('.lm-DockPanel .lm-TabBar-tab').length > n", arg=before)
    assert "sweep analysis" in tab_labels(page)
    show_table(page)
    screenshot(page, "table-charts-analyse-buttons")


def test_a_saved_views_link_opens_a_table_headed_by_field_labels(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, _ = lab
    api(server, "PUT", "views/f1%20view", {"where": "experiment = 'train_classifier'", "experiment": "",
                                           "columns": ["params.model", "params.C", "metrics.test.f1"],
                                           "order": ["-metrics.test.f1"], "group": "", "archived": "hide"})
    labels = {f["field"]: f["label"] for f in api(server, "GET", "runs/fields")["fields"]}
    open_lab(page, server, "&nbtrack-view=f1%20view")
    wait_rows(page, 6)
    head = f"{TABLE} .nbtrack-th[data-field='metrics.test.f1']"
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-th-kind')?.textContent === 'metric'",
                           arg=head, timeout=5000)
    assert page.inner_text(f"{head} .nbtrack-th-label") == labels["metrics.test.f1"] != "metrics.test.f1"
    assert page.inner_text(f"{TABLE} .nbtrack-th[data-field='params.C'] .nbtrack-th-label") == labels["params.C"]
    assert page.eval_on_selector(f"{head} .nbtrack-th-label", "l => l.scrollWidth <= l.clientWidth")  # not cut off
    screenshot(page, "table-view-link-headers")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-view-link-headers-dark")
    set_theme(page, "JupyterLab Light")
    api(server, "DELETE", "views/f1%20view")


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('#nbtrack-table .nbtrack-toolbar > *, '
    + '#nbtrack-table .nbtrack-selection-bar > *')]
    .filter(e => !e.classList.contains('nbtrack-selection-bar') && e.offsetParent)
    .map(e => [e.className || e.tagName, e.getBoundingClientRect()]);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [n, a] = boxes[i], [m, b] = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) hits.push([n, m]);
  }
  return hits;
}"""


@pytest.mark.parametrize("width", [1400, 900])
def test_the_toolbar_keeps_its_labels_on_one_line_without_overlaps_and_inert_buttons_look_disabled(
        lab: tuple[LabServer, dict[str, str]], page: Any, width: int) -> None:
    server, ids = lab
    page.set_viewport_size({"width": width, "height": 800})
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.select_option(f"{TABLE} .nbtrack-group-select", "params.model")
    page.wait_for_selector(f"{TABLE} .nbtrack-group-row")
    label = f"{TABLE} .nbtrack-constant-label"
    assert page.eval_on_selector(label, "l => l.getBoundingClientRect().height") <= 28  # one line
    assert page.evaluate(OVERLAPS) == []
    delete, tag = f"{TABLE} .nbtrack-bulk-delete", f"{TABLE} .nbtrack-bulk-tag"
    assert page.is_disabled(delete)
    background = "e => getComputedStyle(e).backgroundColor"
    assert page.eval_on_selector(delete, background) == page.eval_on_selector(tag, background)  # not solid red
    for theme, name in (("JupyterLab Light", ""), ("JupyterLab Dark", "-dark")):
        set_theme(page, theme)
        screenshot(page, f"table-toolbar-{width}{name}")
    set_theme(page, "JupyterLab Light")
    page.select_option(f"{TABLE} .nbtrack-group-select", "")
    wait_rows(page, 6)
    page.check(f"{TABLE} .nbtrack-trow[data-run-id='{ids['s0']}'] .nbtrack-select")
    assert page.is_disabled(f"{TABLE} .nbtrack-bulk-restore")  # none of the ticked runs is archived
    assert page.is_enabled(f"{TABLE} .nbtrack-bulk-archive") and page.is_enabled(delete)
    assert page.eval_on_selector(delete, background) != page.eval_on_selector(tag, background)  # red once it acts
    assert page.evaluate(OVERLAPS) == []
    screenshot(page, f"table-toolbar-{width}-selected")


def test_groups_follow_the_sort_and_label_mean_and_sd_of_metrics_only(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, _ = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.click(f"{TABLE} .nbtrack-th[data-field='metrics.test.f1'] .nbtrack-th-label")  # best first
    page.select_option(f"{TABLE} .nbtrack-group-select", "params.C")
    group_names = ("() => [...document.querySelectorAll('#nbtrack-table .nbtrack-group-row')]"
                   ".sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))"
                   ".map(r => r.querySelector('.nbtrack-group-label').textContent)")
    # mean f1: C=1 0.815, C=10 0.8, C=0.1 0.765
    page.wait_for_function(f"() => ({group_names})().join() === 'params.C = 1,params.C = 10,params.C = 0.1'")
    page.click(f"{TABLE} .nbtrack-th[data-field='metrics.test.f1'] .nbtrack-th-label")  # worst first
    page.wait_for_function(f"() => ({group_names})().join() === 'params.C = 0.1,params.C = 10,params.C = 1'")
    heads = page.eval_on_selector_all(f"{TABLE} .nbtrack-thead > div", "hs => hs.map(h => h.dataset.field || '')")
    row = f"{TABLE} .nbtrack-group-row:has-text('params.C = 1')"
    f1 = f"{row} > div:nth-child({heads.index('metrics.test.f1') + 1})"
    page.wait_for_selector(f"{f1}:has-text('±')")
    for field in ("params.C", "params.model"):  # no stats of the grouping column nor of params
        assert page.inner_text(f"{row} > div:nth-child({heads.index(field) + 1})").strip() == ""
    assert page.is_visible(f"{TABLE} .nbtrack-group-caption")
    assert page.inner_text(f"{TABLE} .nbtrack-group-caption") == "group rows: mean ± sd"
    assert "mean ± sd" in page.get_attribute(f"{TABLE} .nbtrack-th[data-field='metrics.test.f1']", "title")
    assert page.eval_on_selector(f1, "c => c.scrollHeight <= c.clientHeight && c.clientHeight >= 40")  # not squeezed
    page.click(row)  # its runs follow the taller group row without overlapping it
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-trow[data-run-id]').length === 2")
    bottom = page.eval_on_selector(row, "r => r.getBoundingClientRect().bottom")
    tops = page.eval_on_selector_all(ROWS, "rs => rs.map(r => r.getBoundingClientRect().top)")
    assert min(tops) >= bottom - 1
    screenshot(page, "table-grouped-sorted")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-grouped-sorted-dark")
    set_theme(page, "JupyterLab Light")


def test_a_rename_and_a_saved_note_show_in_the_row_at_once_and_the_note_as_plain_text(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_table(page, server, {"where": "experiment = 'train_classifier'"}, rows=6)
    page.wait_for_timeout(2500)  # a live refresh has read the rows again
    row = f"{TABLE} .nbtrack-trow[data-run-id='{ids['s2']}']"
    page.hover(row)
    page.click(f"{row} .nbtrack-rename")
    page.fill(f"{row} .nbtrack-rename-input", "gb C=0.1 renamed")
    page.press(f"{row} .nbtrack-rename-input", "Enter")
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-run-link')?.textContent === 'gb C=0.1 renamed'",
                           arg=row, timeout=600)
    row = f"{TABLE} .nbtrack-trow[data-run-id='{ids['s5']}']"
    page.click(f"{row} .nbtrack-note-cell")
    editor = f"#nbtrack-note-{ids['s5']}"
    page.fill(f"{editor} .nbtrack-note-text", "## Worst\n\n**Best gb** of [the sweep](https://example.org) with `C=10`, *not* kept")
    page.press(f"{editor} .nbtrack-note-text", "Control+s")
    page.wait_for_function("e => document.querySelector(e + ' .nbtrack-note-status').textContent === 'saved'",
                           arg=editor)
    show_table(page)
    page.wait_for_function("s => document.querySelector(s + ' .nbtrack-note-cell').textContent"
                           " === 'Worst Best gb of the sweep with C=10, not kept'", arg=row, timeout=600)
    screenshot(page, "table-note-plain")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "table-note-plain-dark")
    set_theme(page, "JupyterLab Light")


def test_ten_thousand_runs_scroll_to_the_end_and_sort(big_lab: LabServer, page: Any) -> None:
    open_table(page, big_lab)
    page.wait_for_function("() => document.querySelector('#nbtrack-table .nbtrack-count').textContent === '10,000 runs'")
    page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollTop = g.scrollHeight")
    page.wait_for_function("s => [...document.querySelectorAll(s)].some(r => r.dataset.position === '9999')", arg=ROWS)
    assert len(page.query_selector_all(f"{TABLE} .nbtrack-trow")) < 80  # only what is in view, and a margin
    screenshot(page, "table-10k-end")
    page.click(f"{TABLE} .nbtrack-th[data-field='metrics.test.f1'] .nbtrack-th-label")  # best first
    page.wait_for_function("() => document.querySelector(\"#nbtrack-table .nbtrack-th[data-field='metrics.test.f1']\")"
                           ".getAttribute('aria-sort') === 'descending'")
    page.wait_for_function("s => { const top = [...document.querySelectorAll(s)].find(r => r.dataset.position === '0');"
                           " return top && top.textContent.includes('0.99'); }", arg=ROWS)
    assert page.eval_on_selector(f"{TABLE} .nbtrack-grid", "g => g.scrollTop") == 0
