"""nbtrack in a real JupyterLab, driven in headless Chromium: sidebar, detail, compare, launch, XSS."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from browser.conftest import XSS, open_sidebar, row_names
from browser.lab import LabServer, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab")]


def test_sidebar_lists_runs_newest_first_and_filters(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-runs .nbtrack-row').length === 4")
    assert row_names(page) == [XSS, "svm-run", "lr-run", "rf-run"]
    assert page.inner_text("#nbtrack-runs .nbtrack-count") == "4 runs"
    first_metrics = page.inner_text(f"#nbtrack-runs [data-run-id='{ids['rf']}'] .nbtrack-row-metrics")
    assert "test.f1" in first_metrics and "0.91" in first_metrics
    screenshot(page, "sidebar")

    page.fill("#nbtrack-runs .nbtrack-filter", "metrics.test.f1 > 0.85")
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-runs .nbtrack-row').length === 2")
    assert row_names(page) == ["svm-run", "rf-run"]
    page.select_option("#nbtrack-runs .nbtrack-order", "metrics.test.f1")
    page.wait_for_function("() => document.querySelector('#nbtrack-runs .nbtrack-row .nbtrack-run-name')"
                           ".textContent === 'rf-run'")
    assert row_names(page) == ["rf-run", "svm-run"]
    screenshot(page, "sidebar-filtered")

    page.fill("#nbtrack-runs .nbtrack-filter", "metrics.test.f1 >> 1")
    page.wait_for_selector("#nbtrack-runs .nbtrack-filter-error:not(:empty)")
    assert page.inner_text("#nbtrack-runs .nbtrack-filter-error")
    screenshot(page, "sidebar-filter-error")

    # Typed key by key: each key asks the server (a half-typed filter may not parse, "0.8" matches
    # three runs); answers to earlier keys never overwrite the last one, and no error stays behind.
    page.fill("#nbtrack-runs .nbtrack-filter", "")
    page.type("#nbtrack-runs .nbtrack-filter", "metrics.test.f1 > 0.85", delay=20)
    page.wait_for_function("() => document.querySelector('#nbtrack-runs .nbtrack-count').textContent === '2 runs'")
    page.wait_for_timeout(1000)
    assert row_names(page) == ["rf-run", "svm-run"]  # still sorted by test.f1
    assert page.inner_text("#nbtrack-runs .nbtrack-count") == "2 runs"
    assert page.inner_text("#nbtrack-runs .nbtrack-filter-error") == ""


def test_run_detail_shows_params_charts_confusion_matrix_figures_and_cells(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    page.click(f"#nbtrack-runs [data-run-id='{ids['rf']}'] .nbtrack-run-name")
    panel = f"#nbtrack-run-{ids['rf']}"
    page.wait_for_selector(f"{panel} h2")
    assert page.inner_text(f"{panel} h2") == "rf-run"
    params = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Params'))")
    assert "model" in params and "rf" in params
    # Vega-Lite renders each chart through Lab's own renderer (a canvas or an svg inside .vega-embed).
    page.wait_for_selector(f"{panel} .nbtrack-series .vega-embed")
    page.wait_for_selector(f"{panel} .nbtrack-confusion .vega-embed")
    page.wait_for_selector(f"{panel} .nbtrack-roc .vega-embed")
    page.wait_for_selector(f"{panel} .nbtrack-pr .vega-embed")
    page.wait_for_selector(f"{panel} img.nbtrack-figure")
    assert page.eval_on_selector(f"{panel} img.nbtrack-figure", "img => img.complete && img.naturalWidth") == 240
    cells = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Cells'))")
    assert "0.5" in cells  # wall seconds, by the one value formatter (was "0.500")
    page.wait_for_timeout(500)  # let vega finish drawing before the picture
    screenshot(page, "run-detail")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(1000)
    screenshot(page, "run-detail-dark")

    page.fill(f"{panel} .nbtrack-tag-input", "stage=review")
    page.press(f"{panel} .nbtrack-tag-input", "Enter")
    page.wait_for_selector(f"{panel} .nbtrack-tag:has-text('stage=review')")
    request = urllib.request.Request(f"{server.url}/nbtrack/api/runs/{ids['rf']}",
                                     headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    assert body["tags"]["stage"] == "review"


def set_theme(page: Any, theme: str) -> None:
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(800)


def test_two_selected_runs_open_the_compare_panel(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    set_theme(page, "JupyterLab Light")  # an earlier test may have left Lab dark
    for key in ("rf", "lr"):
        page.check(f"#nbtrack-runs [data-run-id='{ids[key]}'] .nbtrack-select")
    page.click("#nbtrack-runs .nbtrack-compare-button")
    panel = ".nbtrack-compare"
    page.wait_for_selector(f"{panel} .nbtrack-best")
    best_row = page.inner_text(f"{panel} tr:has(.nbtrack-best)")
    assert "test.f1" in best_row and "★" in best_row
    page.check(f"{panel} .nbtrack-only-differences")
    params = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Params'))")
    assert "model" in params and "rf" in params and "lr" in params
    # Compare's series are the charts panel's canvas plot (with its controls), no longer Vega-Lite
    page.wait_for_selector(f"{panel} .nbtrack-series .nbtrack-plot[data-points]:not([data-points='0']) canvas")
    page.wait_for_function("() => document.querySelectorAll('.nbtrack-compare img.nbtrack-figure').length === 2")
    page.wait_for_function("() => document.querySelectorAll("
                           "'.nbtrack-compare-evaluations .nbtrack-confusion .vega-embed').length === 2")
    page.wait_for_timeout(500)
    screenshot(page, "compare")

    # What RunComparison shows beyond the table: lr's data moved, it ran a newer numpy, it changed a cell.
    age = page.inner_text(f"{panel} .nbtrack-data-shift tr[data-column='age']")
    assert age.split() == ["age", "0", "1.6"]  # by the one value formatter (was 0.000 and 1.600)
    assert page.inner_text(f"{panel} .nbtrack-data-shift tr[data-column='age'] .nbtrack-shifted") == "1.6"
    assert page.query_selector(f"{panel} .nbtrack-data-shift tr[data-column='city'] .nbtrack-shifted") is None
    assert "different" in page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Data'))")
    numpy = page.eval_on_selector(f"{panel} .nbtrack-packages tr.nbtrack-package-changed",
                                  "tr => [...tr.cells].map(c => c.textContent)")
    assert numpy[0].startswith("lr-run · ") and numpy[1:] == ["numpy", "changed", "2.0.0", "2.1.0"]  # name · short id
    changed = page.inner_text(f"{panel} .nbtrack-cell-diff tr.nbtrack-cell-changed")
    assert "cell 3" in changed and "-model = make_model('rf')" in changed
    assert page.inner_text(f"{panel} .nbtrack-cell-diff .nbtrack-line-added") == "+model = make_model('lr', C=C)\n"
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Data'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "compare-differences")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "compare-differences-dark")
    page.eval_on_selector(f"{panel} h2", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "compare-dark")
    set_theme(page, "JupyterLab Light")


def test_xss_payloads_render_as_text_everywhere(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    row = f"#nbtrack-runs [data-run-id='{ids['xss']}']"
    assert page.inner_text(f"{row} .nbtrack-run-name") == XSS
    page.click(f"{row} .nbtrack-run-name")
    panel = f"#nbtrack-run-{ids['xss']}"
    page.wait_for_selector(f"{panel} .nbtrack-series .vega-embed")
    assert page.inner_text(f"{panel} h2") == XSS
    text = page.inner_text(panel)
    assert text.count(XSS) >= 4  # name, param key and value, tag, metric key
    page.check(f"{row} .nbtrack-select")
    page.check(f"#nbtrack-runs [data-run-id='{ids['rf']}'] .nbtrack-select")
    page.click("#nbtrack-runs .nbtrack-compare-button")
    page.wait_for_selector(".nbtrack-compare .nbtrack-series .nbtrack-plot[data-points]:not([data-points='0']) canvas")
    assert XSS in page.inner_text(".nbtrack-compare .nbtrack-series")  # the metric key, as text
    assert XSS in page.inner_text(".nbtrack-compare .nbtrack-section:has(h3:text('Params'))")
    # as data set and column name, python version, package name and version, notebook cell: all text
    data = page.inner_text(".nbtrack-compare .nbtrack-section:has(h3:text('Data'))")
    assert data.count(XSS) >= 3  # data set heading, column, column header (the run's name)
    packages = page.inner_text(".nbtrack-compare .nbtrack-packages")
    assert packages.count(XSS) >= 3  # the base run's name, the package's name, its version
    assert XSS in page.inner_text(".nbtrack-compare .nbtrack-cell-diff")
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.__nbtrack_xss") is None
    assert page.query_selector("img[src='x']") is None
    screenshot(page, "xss-as-text")


def test_run_with_parameters_from_the_toolbar_finishes_and_appears(
        lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    server, _ = lab
    open_sidebar(page, server, "nb.ipynb")
    page.click(".jp-NotebookPanel-toolbar .nbtrack-run-button")
    dialog = ".jp-Dialog"
    page.wait_for_selector(f"{dialog} input[name='C']")
    assert page.input_value(f"{dialog} input[name='C']") == "1.0"
    assert page.input_value(f"{dialog} input[name='label']") == "a"
    screenshot(page, "launch-dialog")
    page.fill(f"{dialog} input[name='C']", "3.5")
    page.click(f"{dialog} .jp-mod-accept")
    page.wait_for_selector(".nbtrack-progress")
    # The run shows in the sidebar while it runs (the sidebar refreshes itself), then turns finished.
    page.wait_for_selector("#nbtrack-runs .nbtrack-row:has(.nbtrack-status-running)", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.nbtrack-progress-status')?.dataset.state === 'finished'",
                           timeout=120_000)
    status = page.inner_text(".nbtrack-progress-status")
    done = re.search(r"cell (\d+) of (\d+)", status)
    # the code cells as written (parameters and two more), as the CLI and error.cell count them
    assert done and done[1] == done[2] == "3" and "run finished" in status
    screenshot(page, "launch-finished")
    page.wait_for_function("() => [...document.querySelectorAll('#nbtrack-runs .nbtrack-run-name')]"
                           ".some(n => n.closest('.nbtrack-row').textContent.includes('doubled'))")
    page.click(".nbtrack-progress button.jp-mod-accept")
    page.wait_for_selector(".nbtrack-detail:not(.lm-mod-hidden) .nbtrack-section:has(h3:text('Params'))")
    params = page.inner_text(".nbtrack-detail:not(.lm-mod-hidden) .nbtrack-section:has(h3:text('Params'))")
    assert "3.5" in params
    screenshot(page, "launched-run")

    page.click(".nbtrack-detail:not(.lm-mod-hidden) .nbtrack-open-notebook")
    stored = ".nbtrack-stored-notebook:not(.lm-mod-hidden)"
    page.wait_for_selector(f"{stored} .jp-Cell")
    assert page.eval_on_selector_all(f"{stored} .jp-CodeCell", "cells => cells.length") >= 4
    assert "C = 3.5" in page.inner_text(stored)  # the injected parameters cell of this execution
    page.click(f"{stored} .jp-CodeCell .cm-content")
    page.keyboard.type("zzz_typed")
    assert "zzz_typed" not in page.inner_text(stored)  # read-only: typing changes nothing
    screenshot(page, "executed-notebook")


def test_sidebar_pages_and_virtualizes_a_long_list(lab: tuple[LabServer, dict[str, str]], page: Any) -> None:
    from nbtrack.store import open_store

    server, _ = lab
    store = open_store(server.store)
    for i in range(250):  # three pages of 100
        run_id = store.create_run("bulk", name=f"bulk-{i:03d}", params={"i": i})
        store.log_metrics(run_id, [("score", 0, i / 250, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
    open_sidebar(page, server)
    page.select_option("#nbtrack-runs .nbtrack-experiment", "bulk")
    page.wait_for_function("() => document.querySelector('#nbtrack-runs .nbtrack-count').textContent === '250 runs'")
    page.wait_for_function("() => document.querySelector('#nbtrack-runs .nbtrack-run-name')?.textContent === 'bulk-249'")
    page.eval_on_selector("#nbtrack-runs .nbtrack-list", "e => e.scrollTop = e.scrollHeight")
    page.wait_for_function("() => [...document.querySelectorAll('#nbtrack-runs .nbtrack-run-name')]"
                           ".some(n => n.textContent === 'bulk-000')")
    rows = page.eval_on_selector_all("#nbtrack-runs .nbtrack-row", "rows => rows.length")
    assert rows < 60  # only the rows in view (and a margin) are in the DOM
    screenshot(page, "sidebar-scrolled-to-oldest")
