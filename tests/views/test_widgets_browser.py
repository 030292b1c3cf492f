"""The views in a real JupyterLab: live widgets through a kernel, static HTML without one, no XSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from browser.lab import LabServer, launch_chromium, screenshot, start_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-views-lab")]  # one Lab, one worker

REPO = Path(__file__).resolve().parents[2]
LIVE_CELLS = [
    "import time\nimport nbtrack\nfrom nbtrack.views import RunTable\ntable = RunTable(page_size=10)\ntable",
    "from sklearn.datasets import load_iris\nfrom sklearn.linear_model import LogisticRegression\n"
    "X, y = load_iris(return_X_y=True, as_frame=True)\n"
    "run = nbtrack.start_run(name='live')\n"
    "run.log_data(X, 'train', target=y)\n"
    "model = LogisticRegression(max_iter=500).fit(X, y)\n"
    "run.log_model(model, 'logreg')\n"
    "run.log_evaluation(model, X, y, split='train');",
    "for step in range(40):\n    run.log_metric('train.loss', 1 / (step + 1))\n    time.sleep(0.15)",
    "run.finish()",
]

WIDE_TABLE = ("from nbtrack.views import RunTable\n"
              "RunTable(columns=['id', 'name', 'experiment', 'status', 'started', 'duration', 'params.model',"
              " 'params.seed', 'params.depth', 'metrics.test.f1', 'metrics.train.loss', 'metrics.train.loss.min'])")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, fill_store: Any) -> Iterator[LabServer]:
    from nbtrack.store import open_store

    root = tmp_path_factory.mktemp("views-lab")
    store_path = root / "store"
    store = open_store(store_path)
    fill_store(store)
    store.close()
    executed = root / "executed.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "nbtrack", "run", str(REPO / "notebooks" / "train_classifier.ipynb"),
         "-o", str(executed)],
        capture_output=True, text=True, timeout=600, cwd=root,
        env={**os.environ, "NBTRACK_STORE": str(store_path), "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(executed.read_text())
    for key in ("kernelspec", "language_info"):  # nothing for Lab to pick a kernel by: it opens with none
        report["metadata"].pop(key, None)
    (root / "report.ipynb").write_text(json.dumps(report))
    live = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in LIVE_CELLS])
    live.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(live, root / "live.ipynb")
    wide = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WIDE_TABLE)])
    wide.metadata["kernelspec"] = live.metadata["kernelspec"]
    nbformat.write(wide, root / "wide.ipynb")
    server = start_lab(root, store_path)
    tracker = server.home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)  # render every cell, not only those scrolled into view
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_notebook(browser: Any, lab: LabServer, name: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.page(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    return page


def test_executed_notebook_without_a_kernel_shows_the_capture_views_as_html(browser: Any, lab: LabServer) -> None:
    page = open_notebook(browser, lab, "report.ipynb")
    try:
        page.locator(".jp-Dialog button", has_text="No Kernel").click(timeout=60_000)  # Lab asks which kernel
        page.wait_for_function("document.querySelectorAll('.jp-OutputArea-output img[src^=\"data:image/png\"]')"
                               ".length > 60", timeout=60_000)
        outputs = page.locator(".jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        assert "No Kernel" in page.locator(".jp-Toolbar-kernelName").first.inner_text()
        for expected in ("data train: 426 rows × 30 columns", "data test: 143 rows × 30 columns",
                         "model rf: RandomForestClassifier", "evaluation test", "experiment train_classifier"):
            assert expected in text
        assert page.locator(".jp-OutputArea-output table").count() >= 8
        assert "Error displaying widget" not in text and "VBox(" not in text
        page.locator(".jp-OutputArea-output", has_text="evaluation test").first.scroll_into_view_if_needed()
        screenshot(page, "views-report-without-kernel")
    finally:
        page.close()


WATCH_CARD_CHARTS = """() => {
  window.__cardCharts = new Set();
  const seen = () => document.querySelectorAll('.nbtrack-card-chart img')
    .forEach(img => window.__cardCharts.add(img.src));
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def kernel_idle(page: Any) -> None:
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
        " return !!k && k.status === 'idle' && w.sessionContext.isReady; }", timeout=90_000)


def test_live_widgets_filter_select_compare_through_the_kernel_and_escape_everything(
        browser: Any, lab: LabServer, xss: str) -> None:
    page = open_notebook(browser, lab, "live.ipynb")
    try:
        kernel_idle(page)
        page.evaluate(WATCH_CARD_CHARTS)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        table = page.locator(".nbtrack-run-table").first
        table.wait_for(timeout=90_000)
        rows = table.locator(".nbtrack-select")
        assert rows.count() == 4  # three filled runs and the executed train_classifier run

        # The run card's loss chart grows while the loop logs (the card polls the store).
        page.locator(".nbtrack-run-card .nbtrack-view-status-finished").wait_for(timeout=90_000)
        assert page.evaluate("window.__cardCharts.size") >= 3, "the run card did not redraw while the run logged"
        page.locator(".nbtrack-data-view").first.wait_for()
        page.locator(".nbtrack-model-view").first.wait_for()
        page.locator(".nbtrack-evaluation-view img").nth(2).wait_for()
        page.locator(".nbtrack-run-card").scroll_into_view_if_needed()
        screenshot(page, "views-run-card-and-captures")

        table.scroll_into_view_if_needed()
        filter_box = table.locator(".nbtrack-filter input")
        filter_box.fill("params.model = 'gb'")
        filter_box.press("Enter")
        page.wait_for_function("document.querySelectorAll('.nbtrack-run-table .nbtrack-select').length === 1")
        filter_box.fill("params.seed >")
        filter_box.press("Enter")
        table.locator(".nbtrack-error", has_text="expected a value").wait_for()
        filter_box.fill("")
        filter_box.press("Enter")
        page.wait_for_function("document.querySelectorAll('.nbtrack-run-table .nbtrack-select').length === 5")
        assert table.locator(".nbtrack-error").count() == 0

        compare = table.locator("button.nbtrack-compare")
        assert compare.is_disabled()
        boxes = table.locator(".nbtrack-select input")
        boxes.nth(2).check()
        boxes.nth(4).check()
        page.wait_for_function("!document.querySelector('.nbtrack-run-table button.nbtrack-compare').disabled")
        compare.click()
        comparison = table.locator(".nbtrack-run-comparison")
        comparison.wait_for(timeout=60_000)
        assert "Comparing 2 runs" in comparison.inner_text()
        comparison.locator(".lm-TabBar-tab", has_text="Metrics").click()
        comparison.locator(".nbtrack-compare-metrics", has_text="★").wait_for()
        comparison.scroll_into_view_if_needed()
        screenshot(page, "views-run-table-and-comparison")
        comparison.locator(".lm-TabBar-tab", has_text="Data").click()
        comparison.locator(".nbtrack-compare-data", has_text="different").wait_for()
        screenshot(page, "views-comparison-data")

        text = page.locator(".jp-Notebook").inner_text()
        assert xss in text  # shown as the literal text it is
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img[src='x']").count() == 0
    finally:
        page.close()


def test_the_run_table_keeps_ticks_and_ids_in_place_while_its_columns_scroll(browser: Any, lab: LabServer) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 800})
    page.goto(lab.page("wide.ipynb"))
    try:
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        kernel_idle(page)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        grid = page.locator(".nbtrack-run-grid").first
        grid.locator(".nbtrack-cell").first.wait_for(timeout=90_000)
        ids = grid.locator(".widget-html.nbtrack-pinned").first
        before = ids.bounding_box()
        width = page.evaluate("() => { const g = document.querySelector('.nbtrack-run-grid');"
                              " return [g.scrollWidth, g.clientWidth]; }")
        assert width[0] > width[1] + 200, "the table must be wider than its cell for this test"
        page.evaluate("() => { document.querySelector('.nbtrack-run-grid').scrollLeft = 100000; }")
        page.wait_for_timeout(300)
        after = ids.bounding_box()
        assert abs(after["x"] - before["x"]) < 2, (before, after)  # the id column did not move
        tick = grid.locator(".nbtrack-select input").first.bounding_box()
        assert tick["x"] < after["x"] and tick["x"] >= page.locator(".nbtrack-run-grid").first.bounding_box()["x"]
        screenshot(page, "views-run-table-scrolled-pinned-light")
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_timeout(1500)
        screenshot(page, "views-run-table-scrolled-pinned-dark")
    finally:
        page.close()
