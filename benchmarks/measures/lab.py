"""The JupyterLab Runs sidebar over 10,000 runs, in headless Chromium: first screen and a filter.

The filter is timed in the browser's own clock, from the input event to the frame that shows the
new count: what a user waits for. Playwright's fill and its polling add round trips to the browser
that a user does not wait for (tens to hundreds of ms on a loaded machine); that end-to-end figure
is reported beside it, without a target.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.context import Context, from_tests
from benchmarks.timing import Row, Target

FIRST = "Lab sidebar: first screen of runs"
FILTER = "Lab sidebar: filter applied"
ROWS = "() => document.querySelectorAll('#nbtrack-runs .nbtrack-row').length > 0"
DRIVEN = "Lab sidebar: filter applied, as driven by Playwright (fill to a poll seeing the count)"
# Stamps the input event (capture phase on the document: before the sidebar's own listener) and the
# first animation frame after the count shows n runs.
WATCH = """n => {
  const input = document.querySelector('#nbtrack-runs .nbtrack-filter');
  const count = document.querySelector('#nbtrack-runs .nbtrack-count');
  const stamps = window.__nbtrackFilter = {start: null, end: null};
  document.addEventListener('input', e => {
    if (e.target === input && stamps.start === null) stamps.start = performance.now();
  }, {capture: true});
  new MutationObserver((_, observer) => {
    if (count.textContent.replace(/[^0-9]/g, '') === String(n)) {
      observer.disconnect();
      requestAnimationFrame(() => { stamps.end = performance.now(); });
    }
  }).observe(count, {childList: true, characterData: true, subtree: true});
}"""


def _settle(page: Any) -> None:
    """Let a freshly loaded Lab finish its start-up requests before the filter is typed, as a user reading
    the first screen does: typed at once, the filter also timed Lab's own start (samples 0.08-0.57 s)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=10_000)
    except PlaywrightTimeout:
        pass  # Lab kept polling: type anyway


def run(ctx: Context) -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks.measures.listing import WHERE, seed
    from nbtrack.store import open_store

    helpers = from_tests("browser.lab")
    launch_chromium = helpers.launch_chromium
    start_lab = helpers.start_lab
    size = ctx.size(10_000, 100)
    with ctx.scratch("lab") as where:
        store = open_store(where / "store")
        seed(store, 0, size)
        matching = len(store.runs(where=WHERE))
        (where / "root").mkdir()
        server = start_lab(where / "root", where / "store", timeout=180)
        first, filtered, driven = [], [], []
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
                        _settle(page)
                        page.evaluate(WATCH, matching)
                        start = time.perf_counter()
                        page.fill("#nbtrack-runs .nbtrack-filter", WHERE)
                        page.wait_for_function(
                            "n => document.querySelector('#nbtrack-runs .nbtrack-count').textContent"
                            ".replace(/[^0-9]/g, '') === String(n)", arg=matching, timeout=60_000)
                        driven.append(time.perf_counter() - start)
                        page.wait_for_function("() => window.__nbtrackFilter.end !== null", timeout=10_000)
                        stamps = page.evaluate("() => window.__nbtrackFilter")
                        filtered.append((stamps["end"] - stamps["start"]) / 1000)
                finally:
                    browser.close()
        finally:
            server.stop()
    label = f"{size:,} runs"
    ctx.add(Row(f"{FIRST}, {label}", "nbtrack", statistics.median(first), "s", False, Target(1.0, False),
                note="from the show-runs command to rows on screen (Lab itself already loaded)", samples=first))
    ctx.add(Row(f"{FILTER}, {label}", "nbtrack", statistics.median(filtered), "s", False, Target(0.3, False),
                note=f"from the input event of `{WHERE}` to the frame showing its {matching:,} runs "
                     "(browser clock)", samples=filtered))
    ctx.add(Row(f"{DRIVEN}, {label}", "nbtrack", statistics.median(driven), "s", False,
                note="includes Playwright's round trips to the browser", samples=driven))
