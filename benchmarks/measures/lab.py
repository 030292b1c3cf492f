"""The JupyterLab Runs sidebar over 10,000 runs, in headless Chromium: first screen and a filter."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from benchmarks.context import Context
from benchmarks.timing import Row, Target

TESTS = Path(__file__).resolve().parents[2] / "tests"
FIRST = "Lab sidebar: first screen of runs"
FILTER = "Lab sidebar: filter applied"
ROWS = "() => document.querySelectorAll('#nbtrack-runs .nbtrack-row').length > 0"


def run(ctx: Context) -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks.measures.listing import WHERE, seed
    from nbtrack.store import open_store

    sys.path.insert(0, str(TESTS))
    try:
        from browser.lab import launch_chromium, start_lab
    finally:
        sys.path.remove(str(TESTS))
    size = ctx.size(10_000, 100)
    with ctx.scratch("lab") as where:
        store = open_store(where / "store")
        seed(store, 0, size)
        matching = len(store.runs(where=WHERE))
        (where / "root").mkdir()
        server = start_lab(where / "root", where / "store", timeout=180)
        first, filtered = [], []
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    for _ in range(ctx.reps):
                        page.goto(server.page(), timeout=180_000)
                        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell && "
                                               "document.querySelector('#nbtrack-runs') !== null", timeout=180_000)
                        start = time.perf_counter()
                        page.evaluate("() => window.jupyterapp.commands.execute('nbtrack:show-runs')")
                        page.wait_for_function(ROWS, timeout=60_000)
                        first.append(time.perf_counter() - start)
                        start = time.perf_counter()
                        page.fill("#nbtrack-runs .nbtrack-filter", WHERE)
                        page.wait_for_function(
                            "n => document.querySelector('#nbtrack-runs .nbtrack-count').textContent"
                            ".replace(/[^0-9]/g, '') === String(n)", arg=matching, timeout=60_000)
                        filtered.append(time.perf_counter() - start)
                finally:
                    browser.close()
        finally:
            server.stop()
    label = f"{size:,} runs"
    ctx.add(Row(f"{FIRST}, {label}", "nbtrack", statistics.median(first), "s", False, Target(1.0, False),
                note="from the show-runs command to rows on screen (Lab itself already loaded)", samples=first))
    ctx.add(Row(f"{FILTER}, {label}", "nbtrack", statistics.median(filtered), "s", False, Target(0.3, False),
                note=f"typing `{WHERE}` to the count showing its {matching:,} runs", samples=filtered))
