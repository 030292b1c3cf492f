"""Browser fixtures: one real JupyterLab per test module over a seeded store, and one Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.lab import LabServer, launch_chromium, start_lab
from conftest import write_notebook
from server.conftest import seed, source_notebook

XSS = '<img src=x onerror="window.__nbtrack_xss=1">'


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, dict[str, str]]]:
    """Lab over a store with three ordinary runs, one run named and keyed with an XSS payload, a notebook."""
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("lab")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids = seed(store)
    evil = store.create_run("churn", name=XSS, params={XSS: XSS, "model": XSS})
    store.log_metrics(evil, [(XSS, step, step / 10, 1_700_000_000_000 + step) for step in range(5)])
    store.set_tags(evil, {XSS: XSS})
    # ... and as a data set and column name, a package name and version, and a notebook cell.
    store.add_record(evil, "data", XSS, {"rows": 1, "schema": {XSS: "object"},
                                         "categorical": {XSS: {"top": [[XSS, 1]], "other": 0}}})
    store.add_record(evil, "environment", "environment", {"python": {"version": XSS}, "packages": {XSS: XSS}})
    store.add_artifact(evil, "source.ipynb", data=source_notebook([XSS]), media_type="application/x-ipynb+json")
    store.end_run(evil, "finished")
    ids["xss"] = evil
    write_notebook(root / "nb.ipynb", ["import time\ntime.sleep(3)\nresult = C * 2",
                                       "import nbtrack\nnbtrack.start_run().log_metric('doubled', result)"],
                   parameters="C = 1.0\nlabel = 'a'")
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, ids
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def open_sidebar(page: Any, server: LabServer, path: str = "") -> None:
    """Load Lab and show the nbtrack Runs sidebar."""
    page.goto(server.page(path))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                           "document.querySelector('#nbtrack-runs') !== null")
    page.evaluate("() => window.jupyterapp.commands.execute('nbtrack:show-runs')")
    page.wait_for_selector("#nbtrack-runs .nbtrack-row")


def row_names(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#nbtrack-runs .nbtrack-row",
        "rows => rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))"
        ".map(r => r.querySelector('.nbtrack-run-name').textContent)")


__all__ = ["XSS", "open_sidebar", "row_names", "Path"]
