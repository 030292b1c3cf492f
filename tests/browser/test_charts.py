"""Issue 20's panels in a real JupyterLab, driven in headless Chromium: charts, sweep analysis, models."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser.lab import LabServer, screenshot, start_lab
from server.test_analysis_api import models

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab-charts")]

CHARTS = ".nbtrack-charts"
ANALYSIS = ".nbtrack-analysis"
MODELS = "#nbtrack-models"
STEPS = 400
SPIKE_STEP, SPIKE = 233, 40.0  # one point of one run, far above every other value
T0 = 1_700_000_000_000
SWEEP = "01SWEEPDEMO"


def loss_curve(store: Any, run_id: str, depth: int, *, steps: int = STEPS, spike: bool = False,
               start: int = 0) -> None:
    """train.loss falling faster for deeper trees, with noise; one run gets one spike."""
    values = [1.0 / (1 + step * depth / 100) + 0.02 * ((step * 7919) % 13) / 13 for step in range(start, steps)]
    if spike:
        values[SPIKE_STEP - start] = SPIKE
    store.log_metric_columns(run_id, {"train.loss": (list(range(start, steps)), values,
                                                     [T0 + 1000 * s for s in range(start, steps)])})


def demo_sweep(store: Any) -> list[str]:
    """The demo sweep's shape, 12 runs (model x max_depth x n_estimators): max_depth drives test.f1 and the loss
    curve, model barely matters, n_estimators not at all; the last run failed before logging anything."""
    ids = []
    for i, (model, depth, trees) in enumerate(
            [(m, d, t) for m in ("rf", "gb") for d in (2, 4, 8) for t in (50, 100)]):
        run_id = store.create_run("train_classifier", params={"model": model, "max_depth": depth,
                                                              "n_estimators": trees, "C": 1.0}, tags={"sweep": SWEEP})
        if i < 11:
            loss_curve(store, run_id, depth, spike=i == 0)
            f1 = 0.70 + 0.03 * depth + (0.004 if model == "gb" else 0.0) + 0.001 * (i % 2)
            store.log_metrics(run_id, [("test.f1", 0, f1, T0)])
        store.end_run(run_id, "finished" if i < 11 else "failed")
        ids.append(run_id)
    return ids


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, dict[str, Any]]]:
    """Lab over the demo sweep (12 runs, max_depth drives test.f1) with loss curves, the churn model's life
    (two versions, a gate verdict, a monitoring run whose alert launched a run) and one running run."""
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("charts")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    sweep = demo_sweep(store)
    life = models(store)
    store.add_record(life["v2"], "gate", "check@1", {
        "run_id": life["v2"], "baseline": "churn@champion", "baseline_run_id": life["v1"], "passed": True,
        "checked_at": 1_700_000_100.0,
        "results": [{"rule": "metrics.test.f1 >= 0.85", "status": "pass", "detail": "0.9 >= 0.85", "observed": {}}]},
        after_end=True)
    stopped = store.create_run("train_classifier", name="candidate-v3", params={"model": "rf"})
    store.end_run(stopped, "finished")
    store.add_record(stopped, "gate", "check@2", {
        "run_id": stopped, "baseline": "churn@champion", "baseline_run_id": life["v2"], "passed": False,
        "checked_at": 1_700_000_200.0,
        "results": [{"rule": "metrics.test.f1 >= 0.85", "status": "fail", "detail": "0.8 < 0.85", "observed": {}}]},
        after_end=True)
    live = store.create_run("train_classifier", name="live-run", params={"model": "rf", "max_depth": 4})
    loss_curve(store, live, 4, steps=100)
    store.close()
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, {"sweep": sweep, "models": life, "live": live, "store": store_path}
    finally:
        server.stop()


def open_lab(page: Any, server: LabServer) -> None:
    """Lab in its light theme (a theme chosen in an earlier test is kept in the server's settings)."""
    page.goto(server.page())
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbtrack:open-charts')")
    if page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")


def command(page: Any, name: str, args: dict[str, Any]) -> None:
    page.evaluate("([name, args]) => { window.jupyterapp.commands.execute(name, args); }", [name, args])


def dark(page: Any) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(800)


def plot_state(page: Any, field: str) -> dict[str, Any]:
    data = page.eval_on_selector(f"{CHARTS} .nbtrack-chart-card[data-field='{field}'] .nbtrack-plot",
                                 "n => ({...n.dataset})")
    return {"draws": int(data["draws"]), "zoomed": data["zoomed"] == "true", "points": int(data["points"]),
            "view": json.loads(data["view"]) if data.get("view") else None}


def wait_drawn(page: Any, field: str, lines: int) -> None:
    card = f"{CHARTS} .nbtrack-chart-card[data-field='{field}']"
    page.wait_for_function(f"n => {{ const c = document.querySelector(\"{card}\"); "
                           "return c && c.dataset.lines === String(n) && "
                           "Number(c.querySelector('.nbtrack-plot').dataset.points) > 0; }", arg=lines)


def drag(page: Any, selector: str, start: tuple[float, float], end: tuple[float, float], *,
         shift: bool = False) -> None:
    """A mouse drag between two points given as fractions of the element's box."""
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    if shift:
        page.keyboard.down("Shift")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=6)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def test_charts_overlay_runs_in_their_colours_with_names_short_ids_bands_smoothing_log_and_zoom(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    chosen = ids["sweep"][:6]
    open_lab(page, server)
    command(page, "nbtrack:open-charts", {"ids": chosen, "metrics": ["metrics.train.loss"]})
    wait_drawn(page, "metrics.train.loss", 6)
    legend = page.eval_on_selector_all(f"{CHARTS} .nbtrack-legend-item", "items => items.map(i => ["
                                       "i.querySelector('.nbtrack-legend-name').textContent, "
                                       "i.querySelector('.nbtrack-short-id').textContent, "
                                       "i.querySelector('.nbtrack-swatch').style.background])")
    assert len(legend) == 6
    assert len({short for _, short, _ in legend}) == 6  # a sweep's ids share their start: told apart
    assert len({colour for _, _, colour in legend}) == 6
    names = {ids_name for ids_name, _, _ in legend}
    assert all("train_classifier" in n or "-" in n for n in names)
    state = plot_state(page, "metrics.train.loss")
    assert state["points"] == 6 * STEPS
    assert state["view"]["y1"] > SPIKE  # the spike is drawn at full budget
    screenshot(page, "charts")

    # A budget of 20 points per run: each bucket's max still reaches the spike (the band keeps it).
    page.fill(f"{CHARTS} .nbtrack-charts-points", "20")
    page.dispatch_event(f"{CHARTS} .nbtrack-charts-points", "change")
    page.wait_for_function(f"() => document.querySelector(\"{CHARTS} .nbtrack-plot\").dataset.points === '120'")
    assert plot_state(page, "metrics.train.loss")["view"]["y1"] > SPIKE
    page.fill(f"{CHARTS} .nbtrack-charts-points", "1000")
    page.dispatch_event(f"{CHARTS} .nbtrack-charts-points", "change")
    page.wait_for_function(f"() => document.querySelector(\"{CHARTS} .nbtrack-plot\").dataset.points === '2400'")

    # Smoothing redraws without a request; the raw line stays (faint) under the smoothed one.
    draws = plot_state(page, "metrics.train.loss")["draws"]
    page.eval_on_selector(f"{CHARTS} .nbtrack-charts-smoothing",
                          "s => { s.value = '0.9'; s.dispatchEvent(new Event('input')); }")
    assert plot_state(page, "metrics.train.loss")["draws"] == draws + 1
    assert page.inner_text(f"{CHARTS} .nbtrack-charts-smoothing-value") == "0.90"

    # Log y: the drawn range is in log10 units, spike (40) included.
    page.check(f"{CHARTS} .nbtrack-charts-log")
    view = plot_state(page, "metrics.train.loss")["view"]
    assert view["y1"] > 1.5 and view["y0"] < 0
    page.mouse.move(0, 0)
    screenshot(page, "charts-log-smoothed")

    # Drag to zoom into steps ~100-200; shift-drag pans; double-click resets.
    plot = f"{CHARTS} .nbtrack-chart-card[data-field='metrics.train.loss'] canvas"
    drag(page, plot, (0.35, 0.5), (0.55, 0.5))
    zoomed = plot_state(page, "metrics.train.loss")
    assert zoomed["zoomed"] and 80 < zoomed["view"]["x0"] < zoomed["view"]["x1"] < 260
    drag(page, plot, (0.5, 0.5), (0.6, 0.5), shift=True)
    panned = plot_state(page, "metrics.train.loss")["view"]
    assert panned["x0"] < zoomed["view"]["x0"]
    assert panned["x1"] - panned["x0"] == pytest.approx(zoomed["view"]["x1"] - zoomed["view"]["x0"])
    page.dblclick(plot)
    assert not plot_state(page, "metrics.train.loss")["zoomed"]

    # x = wall time and another chart from the picker; a legend click hides a run.
    page.select_option(f"{CHARTS} .nbtrack-charts-x", "wall")
    page.wait_for_function(f"() => JSON.parse(document.querySelector(\"{CHARTS} .nbtrack-plot\").dataset.view)"
                           ".x0 > 1.6e9")
    page.select_option(f"{CHARTS} .nbtrack-charts-add", "metrics.test.f1")
    wait_drawn(page, "metrics.test.f1", 6)
    page.click(f"{CHARTS} .nbtrack-legend-item >> nth=0")
    page.wait_for_function(f"() => document.querySelector(\"{CHARTS} .nbtrack-plot\").dataset.points === "
                           f"'{5 * STEPS}'")
    page.click(f"{CHARTS} .nbtrack-legend-item >> nth=0")
    page.uncheck(f"{CHARTS} .nbtrack-charts-log")
    page.mouse.move(0, 0)
    screenshot(page, "charts-smoothed")
    dark(page)
    assert page.eval_on_selector(f"{CHARTS} .nbtrack-plot", "n => Number(n.dataset.draws)") > 0
    screenshot(page, "charts-dark")


def test_charts_group_runs_by_a_param_into_mean_and_std_bands(lab: tuple[LabServer, dict[str, Any]], page: Any
                                                              ) -> None:
    server, _ = lab
    open_lab(page, server)
    command(page, "nbtrack:open-charts", {"where": f"tags.sweep = '{SWEEP}'", "metrics": ["metrics.train.loss"],
                                          "group": "params.max_depth"})
    wait_drawn(page, "metrics.train.loss", 3)
    legend = page.eval_on_selector_all(f"{CHARTS} .nbtrack-legend-item", "items => items.map(i => i.textContent)")
    assert [text.split(" = ")[1][:1] for text in legend] == ["2", "4", "8"]
    assert all("4 runs" in text for text in legend)
    page.select_option(f"{CHARTS} .nbtrack-charts-group", "")
    wait_drawn(page, "metrics.train.loss", 12)
    assert plot_state(page, "metrics.train.loss")["points"] == 11 * STEPS  # the failed run has no curve
    page.select_option(f"{CHARTS} .nbtrack-charts-group", "params.max_depth")
    wait_drawn(page, "metrics.train.loss", 3)
    page.check(f"{CHARTS} .nbtrack-charts-log")
    page.mouse.move(0, 0)
    screenshot(page, "charts-grouped")
    dark(page)
    screenshot(page, "charts-grouped-dark")


def test_a_live_run_gets_its_new_points_in_place_and_keeps_the_zoom(lab: tuple[LabServer, dict[str, Any]],
                                                                    page: Any) -> None:
    from nbtrack.store import open_store

    server, ids = lab
    store = open_store(ids["store"])
    try:
        store.heartbeat(ids["live"])  # a running run silent for three heartbeats reads as lost, and is not polled
        open_lab(page, server)
        command(page, "nbtrack:open-charts", {"ids": [ids["live"]], "metrics": ["metrics.train.loss"]})
        wait_drawn(page, "metrics.train.loss", 1)
        page.wait_for_selector(f"{CHARTS} .nbtrack-charts-live:text('live: 1 running')")
        assert plot_state(page, "metrics.train.loss")["points"] == 100
        drag(page, f"{CHARTS} canvas", (0.3, 0.5), (0.6, 0.5))
        zoomed = plot_state(page, "metrics.train.loss")
        assert zoomed["zoomed"]
        store.heartbeat(ids["live"])
        loss_curve(store, ids["live"], 4, steps=150, start=100)
        logged = time.monotonic()
        page.wait_for_function(f"() => document.querySelector(\"{CHARTS} .nbtrack-plot\").dataset.points === '150'",
                               timeout=10_000)
        assert time.monotonic() - logged < 4.5  # polled every 2 s
        after = plot_state(page, "metrics.train.loss")
        assert after["zoomed"] and after["view"] == zoomed["view"]
        store.end_run(ids["live"], "finished")
    finally:
        store.close()
    page.wait_for_selector(f"{CHARTS} .nbtrack-charts-live:text-is('')", state="attached", timeout=10_000)


def test_charts_of_no_runs_say_why(lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    open_lab(page, server)
    command(page, "nbtrack:open-charts", {"where": "params.max_depth > 1000"})
    page.wait_for_selector(f"{CHARTS} .nbtrack-charts-error:text('no runs match')")
    command(page, "nbtrack:open-charts", {"where": "params.max_depht > 1"})
    page.wait_for_selector(f"{CHARTS} .nbtrack-charts-error:text('did you mean params.max_depth')")


def test_parallel_coordinates_brush_narrows_the_runs_table_and_importance_names_max_depth(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_lab(page, server)
    command(page, "nbtrack:open-analysis", {"sweep": SWEEP, "metric": "metrics.test.f1"})
    page.wait_for_selector(f"{ANALYSIS} .nbtrack-importance tbody tr")
    assert page.inner_text(f"{ANALYSIS} .nbtrack-analysis-summary").startswith("11 of 12 runs")
    first = page.get_attribute(f"{ANALYSIS} .nbtrack-importance tbody tr >> nth=0", "data-field")
    assert first == "params.max_depth"
    # one line says what drove the metric, and that 11 runs are too few to trust a forest's ranking
    said = page.inner_text(f"{ANALYSIS} .nbtrack-importance-summary")
    assert "max_depth" in said and "test.f1" in said, said
    assert page.locator(f"{ANALYSIS} .nbtrack-importance-summary.nbtrack-unreliable").count() == 1
    assert page.get_attribute(f"{ANALYSIS} .nbtrack-parcoords", "data-selected") == "11"
    screenshot(page, "analysis")

    # Axes: max_depth, model, n_estimators (the params that vary, by name), then test.f1. Brush max_depth's top.
    canvas = f"{ANALYSIS} .nbtrack-parcoords canvas"
    box = page.locator(canvas).bounding_box()
    x = box["x"] + 60
    top = box["y"] + 36
    page.mouse.move(x, top - 4)
    page.mouse.down()
    page.mouse.move(x, top + 40, steps=5)
    page.mouse.up()
    assert page.get_attribute(f"{ANALYSIS} .nbtrack-parcoords", "data-selected") == "3"
    where = page.inner_text(f"{ANALYSIS} .nbtrack-analysis-where")
    assert where == f"(tags.sweep = '{SWEEP}') and params.max_depth >= 8 and params.max_depth <= 8"
    # The runs table opens on that filter: the four depth-8 runs (the failed one too: it has the param).
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-trow[data-run-id]').length "
                           "=== 4")
    shown = set(page.eval_on_selector_all("#nbtrack-table .nbtrack-trow[data-run-id]",
                                          "rows => rows.map(r => r.dataset.runId)"))
    assert shown == {ids["sweep"][i] for i in (4, 5, 10, 11)}
    screenshot(page, "analysis-brushed-table")

    # The table opens split below the analysis, so brushing and its rows stay in view together.
    assert page.is_visible(f"{ANALYSIS} .nbtrack-parcoords canvas")
    page.click(f"{ANALYSIS} .nbtrack-analysis-clear")
    assert page.get_attribute(f"{ANALYSIS} .nbtrack-parcoords", "data-selected") == "11"
    page.select_option(f"{ANALYSIS} .nbtrack-scatter-param", "params.model")
    page.mouse.move(0, 0)
    screenshot(page, "analysis-light")
    dark(page)
    screenshot(page, "analysis-dark")


def test_parallel_coordinates_of_a_categorical_axis_filter_by_its_categories(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_lab(page, server)
    command(page, "nbtrack:open-analysis", {"ids": ids["sweep"], "metric": "metrics.test.f1"})
    page.wait_for_selector(f"{ANALYSIS} .nbtrack-importance tbody tr")
    canvas = f"{ANALYSIS} .nbtrack-parcoords canvas"
    box = page.locator(canvas).bounding_box()
    width = box["width"]
    # Hovering a line names its run and values; clicking it opens the run.
    between = box["x"] + 60 + (width - 120) / 6  # halfway from max_depth (8 at the top) to model (rf at the top)
    page.mouse.move(between, box["y"] + 36)
    tip = page.inner_text(f"{ANALYSIS} .nbtrack-parcoords .nbtrack-plot-tip")
    assert "max_depth 8 · model rf" in tip
    page.mouse.click(between, box["y"] + 36)
    page.wait_for_function("ids => ids.some(id => document.querySelector(`#nbtrack-run-${id}`))",
                           arg=[ids["sweep"][4], ids["sweep"][5]])
    page.click(".lm-DockPanel-tabBar .lm-TabBar-tab:has-text('sweep analysis')")
    x = box["x"] + 60 + (width - 120) / 3  # the second axis: model (gb at the bottom, rf at the top)
    page.mouse.move(x, box["y"] + 36 - 4)
    page.mouse.down()
    page.mouse.move(x, box["y"] + 80, steps=5)
    page.mouse.up()
    where = page.inner_text(f"{ANALYSIS} .nbtrack-analysis-where")
    assert where.endswith("params.model in ('rf')")
    page.wait_for_function("() => document.querySelectorAll('#nbtrack-table .nbtrack-trow[data-run-id]').length "
                           "=== 6")


def test_models_panel_shows_versions_aliases_gates_monitoring_lineage_and_moves_an_alias_after_confirming(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_lab(page, server)
    command(page, "nbtrack:open-models", {})
    page.wait_for_selector(f"{MODELS} .nbtrack-versions tbody tr")
    assert page.inner_text(f"{MODELS} .nbtrack-model-title .nbtrack-alias") == "champion → v2"
    versions = page.eval_on_selector_all(f"{MODELS} .nbtrack-versions tbody tr", "rows => rows.map(r => r.innerText)")
    assert versions[0].startswith("v2") and "train-v2" in versions[0] and "test.f1 0.9" in versions[0]
    assert "passed" in versions[0] and "metrics.test.f1 >= 0.85" in versions[0]
    assert "batch-1" in versions[1] and "drift 50%" in versions[1] and "alert retrain-on-drift fired" in versions[1]
    history = page.eval_on_selector_all(f"{MODELS} .nbtrack-alias-history tbody tr",
                                        "rows => rows.map(r => r.innerText.split('\\t').slice(0, 3).join(' '))")
    assert history == ["champion v1 v2", "champion (new) v1"]
    candidates = page.inner_text(f"{MODELS} .nbtrack-candidates tbody")
    assert "candidate-v3" in candidates and "failed" in candidates and "0.8 < 0.85" in candidates
    screenshot(page, "models")
    # A version's run opens in the run detail.
    page.click(f"{MODELS} tr[data-version='2'] .nbtrack-link:text('train-v2')")
    page.wait_for_selector(f"#nbtrack-run-{ids['models']['v2']}")
    page.click(".lm-DockPanel-tabBar .lm-TabBar-tab:has-text('models')")

    page.click(f"{MODELS} tr[data-version='1'] .nbtrack-lineage-button")
    page.wait_for_selector(f"{MODELS} .nbtrack-lineage-chain")
    chain = page.text_content(f"{MODELS} .nbtrack-lineage-chain")
    for part in ("train: 100 rows × 2 columns", "train-v1", "version 1", "champion: new → v1", "champion: v1 → v2", "batch-1"):
        assert part in chain, part
    screenshot(page, "models-lineage")

    # An alias that is not allowed: the server's one line reaches the panel, nothing moves.
    page.click(f"{MODELS} tr[data-version='1'] .nbtrack-promote")
    page.fill(".nbtrack-alias-input", "9 lives")
    page.click(".jp-Dialog button:has-text('Move alias')")
    page.wait_for_selector(f"{MODELS} .nbtrack-models-error:text('is not allowed')")
    # Cancel keeps everything; confirming moves champion back to v1.
    page.click(f"{MODELS} tr[data-version='1'] .nbtrack-promote")
    page.click(".jp-Dialog button:has-text('Cancel')")
    page.click(f"{MODELS} tr[data-version='1'] .nbtrack-promote")
    assert page.input_value(".nbtrack-alias-input") == "champion"
    screenshot(page, "models-promote-dialog")
    page.click(".jp-Dialog button:has-text('Move alias')")
    page.wait_for_function(f"() => document.querySelector('{MODELS} .nbtrack-model-title .nbtrack-alias')"
                           ".textContent === 'champion → v1'")
    assert page.inner_text(f"{MODELS} .nbtrack-models-error") == ""
    newest = page.eval_on_selector(f"{MODELS} .nbtrack-alias-history tbody tr", "r => r.innerText.split('\\t')")
    assert newest[:3] == ["champion", "v2", "v1"] and newest[4] != "-"  # the Lab's user moved it
    dark(page)
    screenshot(page, "models-dark")


@pytest.fixture(scope="module")
def no_execute_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """Lab whose authorizer refuses the "execute" action: reads work, moving an alias does not."""
    import os

    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("charts-no-execute")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    models(store)
    store.close()
    here = str(Path(__file__).resolve().parents[1] / "server")
    server = start_lab(root, store_path, home=base / "home",
                       extra_args=["--ServerApp.authorizer_class=authorizers.NoExecute"],
                       extra_env={"PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])})
    try:
        yield server
    finally:
        server.stop()


def test_promoting_without_the_execute_permission_shows_the_refusal_and_moves_nothing(
        no_execute_lab: LabServer, page: Any) -> None:
    open_lab(page, no_execute_lab)
    command(page, "nbtrack:open-models", {})
    page.wait_for_selector(f"{MODELS} .nbtrack-versions tbody tr")
    page.click(f"{MODELS} tr[data-version='1'] .nbtrack-promote")
    page.click(".jp-Dialog button:has-text('Move alias')")
    page.wait_for_selector(f"{MODELS} .nbtrack-models-error:not(:empty)")
    message = page.inner_text(f"{MODELS} .nbtrack-models-error")
    assert message.startswith("champion was not moved:") and "403" not in message.split(":")[0]
    assert page.inner_text(f"{MODELS} .nbtrack-model-title .nbtrack-alias") == "champion → v2"
    screenshot(page, "models-refused")
