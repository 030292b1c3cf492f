"""SweepAnalysis in a real JupyterLab through a kernel: the charts and table appear, the metric can be switched."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import nbformat
import pytest

from browser.lab import LabServer, launch_chromium, screenshot, start_lab
from views.test_sweep_analysis import SWEEP, sweep_store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-sweep-lab")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("sweep-lab")
    store, _ = sweep_store(root / "store")
    store.close()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"from nbtrack.views import SweepAnalysis\nSweepAnalysis(sweep={SWEEP!r}, metric='metrics.test.f1')")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "sweep.ipynb")
    server = start_lab(root, root / "store")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_sweep_analysis_draws_in_lab_and_switching_the_metric_redraws_it(browser: Any, lab: LabServer) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 1100})
    try:
        page.goto(lab.page("sweep.ipynb"))
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
            " return !!k && k.status === 'idle' && w.sessionContext.isReady; }", timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        body = page.locator(".nbtrack-sweep-analysis-body").first
        body.locator("img").nth(1).wait_for(timeout=90_000)
        assert body.locator("img").count() == 2
        first_row = body.locator("table tbody tr").first.locator("td")
        assert first_row.first.inner_text() == "max_depth"  # the param that drives test.f1 comes first
        assert "11 of 12 runs have metrics.test.f1" in body.inner_text()
        assert page.evaluate("() => window.__xss") is None  # the hostile param name stayed text
        screenshot(page, "views-sweep-analysis-light")
        page.locator(".nbtrack-sweep-analysis select").first.select_option("metrics.train.loss")
        page.wait_for_function("() => document.querySelector('.nbtrack-sweep-analysis-body')"
                               ".innerText.includes('runs have metrics.train.loss')", timeout=30_000)
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_timeout(1500)
        screenshot(page, "views-sweep-analysis-dark")
        # The table's header stays readable on Lab's dark theme: its text and background differ in lightness.
        text, ground = page.evaluate(
            "() => { const th = document.querySelector('.nbtrack-sweep-analysis-body th');"
            " const s = getComputedStyle(th); return [s.color, s.backgroundColor]; }")
        assert abs(_lightness(text) - _lightness(ground)) > 0.4, (text, ground)
    finally:
        page.close()


def _lightness(css: str) -> float:
    """0 (black) to 1 (white) for a computed rgb()/rgba() colour."""
    red, green, blue = (float(part) for part in css[css.index("(") + 1:].rstrip(")").split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
