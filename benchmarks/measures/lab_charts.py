"""The Lab charts and sweep analysis panels in headless Chromium: many curves overlaid, smoothing, parallel
coordinates, and a live run's new points.

Times are taken in the browser's own clock where the panel marks them (performance.now() at the command
and at the end of the draw), so Playwright's round trips are not counted; the live figure is from the
commit of the new points in this process to Playwright seeing them drawn, so it includes one poll interval
(2 s at most) and Playwright's own polling.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.context import Context, from_tests
from benchmarks.timing import Row, Target

T0 = 1_700_000_000_000
DEFAULT_BUDGET = 1000  # chartsPanel.ts DEFAULT_POINTS: buckets per run, each its last value and min/max band
OPEN = """([name, args]) => {
  window.__nbtrackStart = performance.now();
  window.jupyterapp.commands.execute(name, args);
}"""
LAST = "[...document.querySelectorAll('.nbtrack-charts')].pop()"
CHARTS_DRAWN = """n => {
  const panel = [...document.querySelectorAll('.nbtrack-charts')].pop();
  const plot = panel && panel.querySelector('.nbtrack-plot');
  return plot && panel.dataset.drawnAt && Number(plot.dataset.points) === n;
}"""
DRAWN_IN = f"() => (Number({LAST}.dataset.drawnAt) - window.__nbtrackStart) / 1000"
# One smoothing change as a user makes it (an input event on the slider) to the next animation frame.
SMOOTH = """async weight => {
  const slider = [...document.querySelectorAll('.nbtrack-charts')].pop().querySelector('.nbtrack-charts-smoothing');
  const start = performance.now();
  slider.value = String(weight);
  slider.dispatchEvent(new Event('input'));
  await new Promise(r => requestAnimationFrame(() => r()));
  return performance.now() - start;
}"""


def seed_curves(store: Any, runs: int, points: int) -> list[str]:
    ids = []
    steps = list(range(points))
    stamps = [T0 + 100 * s for s in steps]
    for n in range(runs):
        run_id = store.create_run("curves", params={"seed": n, "lr": 10 ** -(1 + n % 4)})
        values = [1.0 / (1 + s * (1 + n % 7) / 500) + 0.01 * ((s * 7919 + n) % 17) for s in steps]
        store.log_metric_columns(run_id, {"train.loss": (steps, values, stamps)})
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def seed_sweep(store: Any, runs: int) -> None:
    for n in range(runs):
        depth, lr, model = 2 + n % 9, 10 ** -(1 + (n // 9) % 4), ("rf", "gb", "lr")[n % 3]
        run_id = store.create_run("sweep", params={"max_depth": depth, "lr": lr, "model": model, "seed": n},
                                  tags={"sweep": "bench"})
        store.log_metrics(run_id, [("test.f1", 0, 0.6 + 0.03 * depth + 0.001 * (n % 5), T0)])
        store.end_run(run_id, "finished")


def run(ctx: Context) -> None:
    from playwright.sync_api import sync_playwright

    from nbtrack.store import open_store

    helpers = from_tests("browser.lab")
    launch_chromium = helpers.launch_chromium
    start_lab = helpers.start_lab
    runs, points, sweep = ctx.size(100, 10), ctx.size(10_000, 500), ctx.size(1000, 50)
    budget = min(points, DEFAULT_BUDGET)
    with ctx.scratch("lab-charts") as where:
        store = open_store(where / "store")
        ids = seed_curves(store, runs, points)
        seed_sweep(store, sweep)
        live = store.create_run("live", name="live-run")
        store.log_metric_columns(live, {"train.loss": (list(range(100)), [1.0] * 100, [T0] * 100)})
        (where / "root").mkdir()
        server = start_lab(where / "root", where / "store", timeout=180)
        first, every, smoothing, parcoords, parcoords_draw, appear = [], [], [], [], [], []
        logged = 100
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    for _ in range(ctx.reps):
                        page.goto(server.page(), timeout=180_000)
                        page.wait_for_function("() => window.jupyterapp && "
                                               "window.jupyterapp.commands.hasCommand('nbtrack:open-charts')",
                                               timeout=180_000)
                        page.evaluate(OPEN, ["nbtrack:open-charts", {"ids": ids, "metrics": ["metrics.train.loss"]}])
                        page.wait_for_function(CHARTS_DRAWN, arg=runs * budget, timeout=120_000)
                        first.append(page.evaluate(DRAWN_IN))
                        page.evaluate(OPEN, ["nbtrack:open-charts", {"ids": ids, "metrics": ["metrics.train.loss"],
                                                                     "points": points}])
                        page.wait_for_function(CHARTS_DRAWN, arg=runs * points, timeout=120_000)
                        every.append(page.evaluate(DRAWN_IN))
                        # As a person reads the chart before moving the slider: the page is idle once, and the
                        # chart prepares its faint raw lines then.
                        page.evaluate("() => new Promise(r => requestIdleCallback(() => r(), {timeout: 3000}))")
                        for weight in (0.6, 0.9, 0.3):
                            smoothing.append(page.evaluate(SMOOTH, weight) / 1000)

                        page.evaluate(OPEN, ["nbtrack:open-analysis", {"sweep": "bench", "metric": "metrics.test.f1"}])
                        page.wait_for_function("n => { const p = document.querySelector('.nbtrack-analysis'); "
                                               "return p && p.dataset.runs === String(n); }", arg=sweep,
                                               timeout=120_000)
                        parcoords.append(page.evaluate("() => (Number(document.querySelector('.nbtrack-analysis')"
                                                       ".dataset.drawnAt) - window.__nbtrackStart) / 1000"))
                        parcoords_draw.append(page.evaluate(
                            "() => Number(document.querySelector('.nbtrack-parcoords').dataset.drawMs) / 1000"))

                        # A running run without a heartbeat for 3 intervals reads as lost, and a lost run is not
                        # polled: this process beats for it, as a live notebook's flusher does.
                        store.heartbeat(live)
                        page.evaluate(OPEN, ["nbtrack:open-charts", {"ids": [live], "metrics": ["metrics.train.loss"]}])
                        page.wait_for_function("n => [...document.querySelectorAll('.nbtrack-charts .nbtrack-plot')]"
                                               ".some(p => Number(p.dataset.points) === n)", arg=logged,
                                               timeout=60_000)
                        page.wait_for_timeout(500)
                        store.heartbeat(live)
                        new = list(range(logged, logged + 10))
                        store.log_metric_columns(live, {"train.loss": (new, [0.5] * 10, [T0] * 10)})
                        start = time.perf_counter()
                        logged += 10
                        page.wait_for_function("n => [...document.querySelectorAll('.nbtrack-charts .nbtrack-plot')]"
                                               ".some(p => Number(p.dataset.points) === n)", arg=logged,
                                               timeout=60_000)
                        appear.append(time.perf_counter() - start)
                finally:
                    browser.close()
        finally:
            server.stop()
            store.close()
    overlay = f"{runs} runs x {points:,} points"
    ctx.add(Row(f"Lab charts: first draw, {overlay}", "nbtrack", statistics.median(first), "s", False,
                Target(1.0, False), samples=first,
                note=f"from the open-charts command to the drawn canvas (browser clock): runs, fields and series "
                     f"fetched at the default budget of {budget:,} buckets per run, each drawn as its last value "
                     "with its min/max band, so every point is represented"))
    ctx.add(Row(f"Lab charts: first draw, {overlay}, every point drawn (budget {points:,})", "nbtrack",
                statistics.median(every), "s", False, samples=every,
                note=f"the same with the point budget raised to {points:,}: {runs * points:,} points, about 70 MB "
                     "of series JSON at full size, which the fetch and parse dominate"))
    ctx.add(Row(f"Lab charts: smoothing change, {overlay}", "nbtrack", statistics.median(smoothing), "s", False,
                Target(0.2, False), samples=smoothing,
                note=f"on the chart of every point ({runs * points:,}), once the page has been idle: from the "
                     "slider's input event to the next frame, EMA of every line and a redraw over the faint raw "
                     "lines prepared while idle"))
    ctx.add(Row(f"Lab sweep analysis: parallel coordinates of {sweep:,} runs", "nbtrack",
                statistics.median(parcoords), "s", False, Target(1.0, False), samples=parcoords,
                note="from the open-analysis command to the drawn chart, including the server's analysis "
                     "(random-forest importance) of every run"))
    ctx.add(Row(f"Lab sweep analysis: drawing the parallel coordinates of {sweep:,} runs", "nbtrack",
                statistics.median(parcoords_draw), "s", False, samples=parcoords_draw,
                note="the canvas draw alone"))
    ctx.add(Row("Lab charts: a live run's new points on screen", "nbtrack", statistics.median(appear), "s", False,
                Target(2.0, False), samples=appear,
                note="from the commit of 10 new points to Playwright seeing them drawn; polled every 2 s with "
                     "after= (only the new points)"))
