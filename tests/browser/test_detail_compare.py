"""Run detail and Compare in a real JupyterLab in Chromium: runs of one sweep told apart, live updates in
place, charts that follow the theme, readable records, downloads, baseline and keyboard (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser.lab import LabServer, screenshot, start_lab
from server.conftest import data_profile, figure_png, seed

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab")]

WEIGHTS = bytes(range(256)) * 4823  # 1,234,688 bytes: "1.2 MB"
SWEEP_F1 = [0.9, 0.9, 0.8]  # two runs tie for the best


@pytest.fixture(scope="module")
def views_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, dict[str, Any]]]:
    """Lab over the seeded runs plus a sweep of three unnamed runs whose ids share their first 14 characters."""
    from sklearn.ensemble import RandomForestClassifier

    from nbtrack.capture.environment import capture_environment
    from nbtrack.capture.sklearn import describe_model
    from nbtrack.records import new_run_id
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("views")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids: dict[str, Any] = seed(store)
    prefix = new_run_id()[:14]
    model = RandomForestClassifier(n_estimators=7, max_depth=3, class_weight={0: 1.0, 1: 2.5}, random_state=0)
    model.fit([[0, 1], [1, 0], [1, 1], [0, 0]], [0, 1, 1, 0])
    environment = capture_environment()
    sweep = []
    for i, (c, f1) in enumerate(zip([0.1, 1.0, 10.0], SWEEP_F1, strict=True)):
        run_id = prefix + new_run_id()[14:]
        store.create_run("sweep", run_id=run_id, params={"C": c, "max_depth": 3})
        # run 0 falls, run 1 rises: merged into one series they would zig-zag
        store.log_metrics(run_id, [("test.loss", step, (1.0 - step / 25) if i == 0 else (0.2 + step / 25) if i == 1
                                    else 0.5, 1_700_000_000_000 + step) for step in range(20)])
        store.log_metrics(run_id, [("test.f1", 0, f1, 1_700_000_000_000)])
        store.add_record(run_id, "data", "train", data_profile(40.0, "c"))
        store.add_record(run_id, "model", "RandomForestClassifier", describe_model(model, fit_seconds=0.25))
        store.add_record(run_id, "environment", "environment", environment)
        store.add_artifact(run_id, "figures/loss.png", data=figure_png(f"loss {c}", 0.5), media_type="image/png")
        store.add_artifact(run_id, "weights.bin", data=WEIGHTS, media_type="application/octet-stream")
        store.end_run(run_id, "finished")
        sweep.append(run_id)
    ids["sweep"] = sweep
    ids["memory_bytes"] = environment["memory_bytes"]
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, ids
    finally:
        server.stop()


@pytest.fixture
def lab_page(views_lab: tuple[LabServer, dict[str, Any]], page: Any) -> Any:
    server, _ = views_lab
    page.goto(server.page())
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbtrack:compare')")
    set_theme(page, "JupyterLab Light")
    return page


def set_theme(page: Any, theme: str) -> None:
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(800)


# Compare's series section draws with the charts panel's plot: drawn once its data-points is not 0.
SERIES_DRAWN = ".nbtrack-series .nbtrack-plot[data-points]:not([data-points='0']) canvas"


def open_compare(page: Any, ids: list[str]) -> str:
    page.evaluate("ids => window.jupyterapp.commands.execute('nbtrack:compare', {ids})", ids)
    panel = ".nbtrack-compare:not(.lm-mod-hidden)"
    page.wait_for_selector(f"{panel} {SERIES_DRAWN}")
    page.wait_for_selector(f"{panel} img.nbtrack-figure")
    return panel


def open_run(page: Any, run_id: str) -> str:
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-run', {id})", run_id)
    panel = f"#nbtrack-run-{run_id}"
    page.wait_for_selector(f"{panel} h2")
    return panel


def rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


# How many pixels of each colour the charts under a selector drew (canvas or svg renderer).
COLOUR_PIXELS = """([selector, colours, tolerance]) => {
  const targets = colours.map(c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)));
  const counts = colours.map(() => 0);
  for (const canvas of document.querySelectorAll(selector + ' canvas')) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let p = 0; p < data.length; p += 4) {
      targets.forEach((t, i) => {
        if (Math.abs(data[p] - t[0]) <= tolerance && Math.abs(data[p + 1] - t[1]) <= tolerance
            && Math.abs(data[p + 2] - t[2]) <= tolerance) counts[i] += 1;
      });
    }
  }
  return counts;
}"""

# The top-left pixel of every chart canvas under a selector: the chart's background.
CORNERS = """selector => [...document.querySelectorAll(selector + ' .vega-embed canvas')]
  .map(c => Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data.slice(0, 3)))"""

# The mean brightness of the y tick labels a series plot drew (its canvas is transparent: the page shows through).
AXIS_INK = """selector => {
  const canvas = document.querySelector(selector + ' .nbtrack-series .nbtrack-plot canvas');
  const width = Math.round(50 * (window.devicePixelRatio || 1));
  const data = canvas.getContext('2d').getImageData(0, 0, width, canvas.height).data;
  let sum = 0, n = 0;
  for (let p = 0; p < data.length; p += 4) if (data[p + 3] > 60) { sum += data[p] + data[p + 1] + data[p + 2]; n += 3; }
  return n ? sum / n : -1;
}"""


def test_compare_keys_each_sweep_run_by_id_with_its_own_header_and_colour(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    from nbtrack.formatting import short_ids
    from nbtrack.store import open_store

    server, ids = views_lab
    page, sweep = lab_page, ids["sweep"]
    assert len({run_id[:10] for run_id in sweep}) == 1  # what made the old labels identical
    panel = open_compare(page, sweep)
    shorts = short_ids(sweep)
    colours = {run_id: open_store(server.store).run(run_id).colour for run_id in sweep}  # each run's own
    assert len(set(colours.values())) == len(sweep)  # created one after another: all different
    # One line per run, each in its run's colour (the colour field is the run id, not a label).
    page.wait_for_timeout(500)
    counts = page.evaluate(COLOUR_PIXELS, [f"{panel} .nbtrack-series", [colours[i] for i in sweep], 8])
    assert all(n > 50 for n in counts), counts
    heads = page.eval_on_selector_all(
        f"{panel} .nbtrack-section:has(h3:text('Runs')) thead .nbtrack-run-head",
        "hs => hs.map(h => [h.dataset.runId, h.querySelector('.nbtrack-short-id').textContent,"
        " getComputedStyle(h.querySelector('.nbtrack-swatch')).backgroundColor])")
    assert [h[0] for h in heads] == sweep  # started order, the baseline first
    for run_id, short, colour in heads:
        assert short == shorts[run_id]
        assert colour == "rgb({}, {}, {})".format(*rgb(colours[run_id]))
    assert len({h[1] for h in heads}) == 3
    legend = page.eval_on_selector_all(f"{panel} .nbtrack-series .nbtrack-legend-item",
                                       "items => items.map(i => i.dataset.key)")
    assert sorted(legend) == sorted(sweep)  # keyed by run id
    # The detail tab uses the same short-id rule and colour.
    detail = open_run(page, sweep[1])
    label = page.evaluate("id => [...window.jupyterapp.shell.widgets('main')]"
                          ".find(w => w.id === 'nbtrack-run-' + id).title.label", sweep[1])
    assert label.endswith(short_ids([sweep[1]])[sweep[1]]) and sweep[1][:8] not in label
    page.wait_for_selector(f"{detail} .nbtrack-series .vega-embed canvas")
    page.wait_for_timeout(500)
    # the same colour as in Compare: a run keeps its colour everywhere
    assert page.evaluate(COLOUR_PIXELS, [f"{detail} .nbtrack-series", [colours[sweep[1]]], 8])[0] > 50
    page.evaluate("ids => window.jupyterapp.commands.execute('nbtrack:compare', {ids})", sweep)
    page.wait_for_selector(f"{panel} {SERIES_DRAWN}")
    screenshot(page, "compare-sweep")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "compare-sweep-dark")


def test_two_runs_with_one_name_are_two_lines_not_one(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    from nbtrack.store import open_store

    server, _ = views_lab
    store = open_store(server.store)
    twins = []
    for rising in (False, True):
        run_id = store.create_run("twins", name="baseline")  # the same label: series keyed by it would merge
        store.log_metrics(run_id, [("test.loss", step, 0.2 + step / 25 if rising else 1.0 - step / 25,
                                    1_700_000_000_000 + step) for step in range(20)])
        store.end_run(run_id, "finished")
        twins.append(run_id)
    page = lab_page
    panel = open_compare_without_figures(page, twins)
    page.wait_for_timeout(500)
    colours = {run_id: store.run(run_id).colour for run_id in twins}
    counts = page.evaluate(COLOUR_PIXELS, [f"{panel} .nbtrack-series", [colours[i] for i in twins], 8])
    assert all(n > 50 for n in counts), counts
    heads = page.eval_on_selector_all(f"{panel} .nbtrack-section:has(h3:text('Runs')) thead .nbtrack-run-head",
                                      "hs => hs.map(h => h.textContent)")
    assert len(set(heads)) == 2 and all(h.startswith("baseline") for h in heads), heads
    screenshot(page, "compare-same-name")


def open_compare_without_figures(page: Any, ids: list[str]) -> str:
    page.evaluate("ids => window.jupyterapp.commands.execute('nbtrack:compare', {ids})", ids)
    panel = ".nbtrack-compare:not(.lm-mod-hidden)"
    page.wait_for_selector(f"{panel} {SERIES_DRAWN}")
    return panel


def test_compare_stars_every_tied_best_says_same_data_heads_figures_and_aligns_columns(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    _, ids = views_lab
    page, sweep = lab_page, ids["sweep"]
    panel = open_compare(page, sweep)
    f1 = page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Metrics')) tr:has(td:text-is('test.f1'))",
                               "tr => [...tr.cells].slice(1).map(td => td.querySelector('.nbtrack-best') !== null)")
    assert f1 == [True, True, False]  # 0.9, 0.9, 0.8: both tied runs starred
    data = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Data'))")
    assert "same data (fingerprint cccccccccccc) in all 3 runs" in data
    assert page.query_selector(f"{panel} .nbtrack-data-shift") is None  # no 30 rows of 0
    figure_heads = page.eval_on_selector_all(f"{panel} .nbtrack-figures thead .nbtrack-run-head",
                                             "hs => hs.map(h => h.dataset.runId)")
    assert figure_heads == sweep
    columns = page.eval_on_selector_all(
        f"{panel} table.nbtrack-compare-table",
        "ts => ts.map(t => [...t.rows[0].cells].map(c => [Math.round(c.getBoundingClientRect().left),"
        " Math.round(c.getBoundingClientRect().width)]))")
    assert len(columns) >= 5 and all(c == columns[0] for c in columns), columns
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Figures'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "compare-sweep-figures")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "compare-sweep-figures-dark")


def test_compare_baseline_is_shown_first_and_can_be_chosen(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    _, ids = views_lab
    page = lab_page
    panel = open_compare(page, [ids["lr"], ids["rf"]])  # ticked lr first; rf started first
    assert page.input_value(f"{panel} .nbtrack-baseline") == ids["rf"]
    assert page.get_attribute(f"{panel} .nbtrack-baseline-head .nbtrack-run-head", "data-run-id") == ids["rf"]
    assert "lr-run" in page.inner_text(f"{panel} .nbtrack-packages tr.nbtrack-package-changed")
    page.focus(f"{panel} .nbtrack-baseline")
    page.select_option(f"{panel} .nbtrack-baseline", ids["lr"])
    page.wait_for_function(f"() => document.querySelector('{panel} .nbtrack-baseline-head .nbtrack-run-head')"
                           f".dataset.runId === '{ids['lr']}'")
    page.wait_for_selector(f"{panel} {SERIES_DRAWN}")
    charted = page.eval_on_selector_all(f"{panel} .nbtrack-series .nbtrack-chart-card", "cs => cs.map(c => c.dataset.field)")
    assert charted == ["metrics.train.loss"]  # the curves only: test.f1's one value is in Metrics
    f1 = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Metrics')) tr:has(td:text-is('test.f1'))")
    assert "Δ +0.07" in f1  # rf's 0.91 against lr's 0.84
    assert "baseline (lr-run" in page.inner_text(f"{panel} .nbtrack-packages")
    notebook = page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Notebook'))")
    assert "rf-run" in notebook.split("against")[0] and "lr-run" in notebook.split("against")[1]
    assert page.evaluate("() => document.activeElement.classList.contains('nbtrack-baseline')")
    screenshot(page, "compare-baseline-chosen")


# What the series plot drew (plot.ts's data-* attributes) and a digest of its pixels.
DRAWN = """selector => {
  const plot = document.querySelector(selector);
  const canvas = plot.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let digest = 0;
  for (let p = 0; p < data.length; p += 4) digest = (digest * 31 + data[p] + 7 * data[p + 1] + 13 * data[p + 2]) % 1e9;
  return {draws: Number(plot.dataset.draws), view: JSON.parse(plot.dataset.view), points: Number(plot.dataset.points),
          digest};
}"""


def test_compare_series_have_the_charts_panel_controls(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    import math
    import time

    from nbtrack.store import open_store

    server, _ = views_lab
    store = open_store(server.store)
    runs = []
    for i in range(3):  # 500 steps each, a minute apart, noisy and falling: smoothing shows
        run_id = store.create_run("long", params={"lr": 10.0 ** -(i + 1)})
        started = int(time.time() * 1000)  # relative time counts from the run's start
        store.log_metrics(run_id, [("train.loss", step, (0.05 + i * 0.1) + 2 * math.exp(-step / (60 + 40 * i))
                                    * (1 + 0.3 * math.sin(step * 1.7 + i)), started + step * 60_000)
                                   for step in range(500)])
        store.end_run(run_id, "finished")
        runs.append(run_id)
    colours = [store.run(run_id).colour for run_id in runs]
    assert len(set(colours)) == 3
    page = lab_page
    panel = open_compare_without_figures(page, runs)
    plot = f"{panel} .nbtrack-series .nbtrack-chart-card[data-field$='train.loss'] .nbtrack-plot"
    page.wait_for_function(f"() => document.querySelector(\"{plot}\")?.dataset.points === '1500'")

    def each_run_in_its_colour() -> None:
        counts = page.evaluate(COLOUR_PIXELS, [f"{panel} .nbtrack-series", colours, 8])
        assert all(n > 50 for n in counts), counts

    each_run_in_its_colour()
    before = page.evaluate(DRAWN, plot)
    assert before["view"]["x1"] == pytest.approx(499, abs=1)  # x: step

    # Smoothing, by keyboard on the slider: the smoothed lines replace the raw ones (kept faint).
    page.focus(f"{panel} .nbtrack-charts-smoothing")
    page.keyboard.press("End")
    assert page.inner_text(f"{panel} .nbtrack-charts-smoothing-value") == "0.99"
    smoothed = page.evaluate(DRAWN, plot)
    assert smoothed["draws"] > before["draws"] and smoothed["digest"] != before["digest"]
    assert smoothed["view"] == before["view"]  # the same data and axes, other lines
    each_run_in_its_colour()
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Series'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "compare-series-smoothed")

    # The x axis: relative time (a minute a step), fetched again from the server.
    page.select_option(f"{panel} .nbtrack-charts-x", "relative")
    page.wait_for_function(f"() => JSON.parse(document.querySelector(\"{plot}\").dataset.view).x1 > 29000")
    relative = page.evaluate(DRAWN, plot)
    assert relative["view"]["x1"] == pytest.approx(499 * 60, rel=0.01) and relative["points"] == 1500
    each_run_in_its_colour()

    # Log y, by clicking its box: the drawn range is in log10 units.
    page.click(f"{panel} .nbtrack-charts-log")
    page.wait_for_function(f"() => JSON.parse(document.querySelector(\"{plot}\").dataset.view).y0 < -1")
    logged = page.evaluate(DRAWN, plot)
    assert logged["view"]["y1"] < 1 < 2 < relative["view"]["y1"]  # log10 of the highest point, not the point
    assert logged["digest"] != relative["digest"]
    each_run_in_its_colour()
    screenshot(page, "compare-series-controls")
    set_theme(page, "JupyterLab Dark")
    page.wait_for_timeout(300)
    each_run_in_its_colour()
    screenshot(page, "compare-series-controls-dark")


def test_live_run_detail_updates_in_place(views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    from nbtrack.records import CellTiming
    from nbtrack.store import open_store

    server, _ = views_lab
    page = lab_page
    store = open_store(server.store)
    run_id = store.create_run("live", params={f"p{i:02d}": i for i in range(60)})  # a long page to scroll
    panel = open_run(page, run_id)
    assert "no metrics" in page.inner_text(f"{panel} .nbtrack-section:has(h3:text('Metrics'))")
    page.fill(f"{panel} .nbtrack-tag-input", "stage=dra")
    page.eval_on_selector(panel, "p => p.scrollTop = 300")
    page.wait_for_timeout(2500)  # a refresh or more
    store.log_metrics(run_id, [("loss", step, 1 / (step + 1), 1_700_000_000_000 + step) for step in range(5)])
    metrics = f"{panel} .nbtrack-section:has(h3:text('Metrics'))"
    page.wait_for_selector(f"{metrics} td:text-is('loss')", timeout=5000)
    page.wait_for_selector(f"{panel} .nbtrack-series .vega-embed canvas")
    assert page.query_selector(f"{panel} .nbtrack-no-metrics") is None
    page.eval_on_selector(f"{panel} .nbtrack-series .nbtrack-chart", "c => { c.dataset.marked = 'yes'; }")
    store.add_cells(run_id, [CellTiming(0, 0.5, 0.4, 60_000_000, 0)])
    cells = f"{panel} .nbtrack-section:has(h3:text('Cells'))"
    page.wait_for_selector(f"{cells} .vega-embed canvas", timeout=5000)
    page.eval_on_selector(f"{cells} .nbtrack-chart", "c => { c.dataset.marked = 'yes'; }")
    store.add_cells(run_id, [CellTiming(1, 0.7, 0.6, 70_000_000, 0)])
    store.log_metrics(run_id, [("loss", step, 1 / (step + 1), 1_700_000_000_000 + step) for step in range(5, 10)])
    page.wait_for_selector(f"{metrics} tr:has(td:text-is('loss')) td:text-is('10')", timeout=5000)
    assert page.input_value(f"{panel} .nbtrack-tag-input") == "stage=dra"
    assert page.evaluate("() => document.activeElement.classList.contains('nbtrack-tag-input')")
    assert page.eval_on_selector(panel, "p => p.scrollTop") >= 290
    assert page.get_attribute(f"{panel} .nbtrack-series .nbtrack-chart", "data-marked") == "yes"  # same chart
    page.wait_for_selector(f"{cells} td:text-is('70.0 MB')", timeout=5000)  # peak memory, formatted
    assert page.get_attribute(f"{cells} .nbtrack-chart", "data-marked") == "yes"  # the cell chart redrawn in place
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Metrics'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "detail-live")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "detail-live-dark")
    page.focus(f"{panel} .nbtrack-tag-input")
    store.end_run(run_id, "finished")
    page.wait_for_selector(f"{panel} .nbtrack-status-finished", timeout=5000)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{panel} .nbtrack-tag:has-text('stage=dra')")


def patch_run(server: LabServer, path: str, body: dict[str, Any]) -> None:
    """Change a run the way another panel (the table) does: PATCH through the REST API."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{server.url}/nbtrack/api/{path}", method="PATCH", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def test_reopened_detail_shows_a_rename_tag_and_note_made_elsewhere_and_its_model_versions(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    server, ids = views_lab
    page = lab_page
    run_id = ids["rf"]
    detail = open_run(page, run_id)
    tab = f".lm-TabBar-tab[data-id='nbtrack-run-{run_id}'] .lm-TabBar-tabLabel"
    seeded_name = page.inner_text(f"{detail} h2")
    # the registered versions pointing at this run, with their aliases
    page.wait_for_selector(f"{detail} .nbtrack-model-version")
    assert page.inner_text(f"{detail} .nbtrack-detail-versions").split("\n") == ["registered as", "churn v1 @champion"] \
        or page.inner_text(f"{detail} .nbtrack-detail-versions") == "registered as churn v1 @champion"

    # Rename from the detail itself: the heading, the tab and the store follow
    page.click(f"{detail} .nbtrack-rename")
    page.keyboard.press("Control+A")
    page.keyboard.type("rf renamed here")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelector('{detail} h2')?.textContent === 'rf renamed here'")
    assert page.inner_text(tab).startswith("rf renamed here · ")

    # Changed elsewhere while another tab is in front, then reopened: the detail reads the run again
    open_run(page, ids["sweep"][0])
    patch_run(server, f"runs/{run_id}", {"name": "rf champion", "note": "**kept** for the demo <img src=x onerror=\"window.__nbtrack_note_xss=1\">"})
    patch_run(server, f"runs/{run_id}/tags", {"set": {"stage": "reviewed"}})
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-run', {id})", run_id)
    page.wait_for_function(f"() => document.querySelector('{detail} h2')?.textContent === 'rf champion'")
    page.wait_for_function("t => document.querySelector(t).textContent.startsWith('rf champion · ')", arg=tab)
    page.wait_for_selector(f"{detail} .nbtrack-tag:has-text('stage=reviewed')")
    page.wait_for_selector(f"{detail} .nbtrack-detail-note-body strong:has-text('kept')")
    assert page.evaluate("() => window.__nbtrack_note_xss") is None  # untrusted Markdown: sanitized
    assert page.eval_on_selector(f"{detail} .nbtrack-detail-note-body img", "i => i.getAttribute('onerror')") is None
    screenshot(page, "detail-note-rename-versions")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "detail-note-rename-versions-dark")
    set_theme(page, "JupyterLab Light")

    # Edit note opens the note editor of this run
    page.click(f"{detail} .nbtrack-edit-note")
    page.wait_for_selector(f"#nbtrack-note-{run_id}:not(.lm-mod-hidden) textarea")
    patch_run(server, f"runs/{run_id}", {"name": seeded_name, "note": ""})  # leave the seeded run as it was
    patch_run(server, f"runs/{run_id}/tags", {"delete": ["stage"]})


def test_a_charts_tooltip_takes_the_dark_themes_colours(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    _, ids = views_lab
    page = lab_page
    set_theme(page, "JupyterLab Dark")
    detail = open_run(page, ids["rf"])
    canvas = f"{detail} section[data-section='Cells'] .vega-embed canvas"
    page.wait_for_selector(canvas)
    page.locator(canvas).first.scroll_into_view_if_needed()
    box = page.locator(canvas).first.bounding_box()
    tooltip = "#vg-tooltip-element.visible"
    for x in range(int(box["x"]) + 40, int(box["x"] + box["width"] / 2), 4):  # across the wall-time bars
        page.mouse.move(x, box["y"] + box["height"] * 0.55)
        if page.query_selector(tooltip):
            break
    page.wait_for_selector(tooltip, timeout=5_000)
    colours = page.evaluate("""() => {
        const probe = document.createElement('div');
        probe.style.cssText = 'background: var(--jp-layout-color1); color: var(--jp-ui-font-color1)';
        document.body.append(probe);
        const lab = getComputedStyle(probe), tip = getComputedStyle(document.getElementById('vg-tooltip-element'));
        const seen = {lab: [lab.backgroundColor, lab.color], tip: [tip.backgroundColor, tip.color]};
        probe.remove();
        return seen;
    }""")
    assert colours["tip"] == colours["lab"], colours  # was light grey (vega's rgba(255, 255, 255, 0.95))
    screenshot(page, "detail-tooltip-dark")
    set_theme(page, "JupyterLab Light")
    page.mouse.move(0, 0)
    for x in range(int(box["x"]) + 40, int(box["x"] + box["width"] / 2), 4):
        page.mouse.move(x, box["y"] + box["height"] * 0.55)
        if page.query_selector(tooltip):
            break
    page.wait_for_selector(tooltip, timeout=5_000)
    screenshot(page, "detail-tooltip")


def test_open_charts_restyle_when_the_theme_changes(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    _, ids = views_lab
    page = lab_page
    detail = open_run(page, ids["rf"])
    page.wait_for_selector(f"{detail} .nbtrack-roc .vega-embed canvas")
    page.wait_for_selector(f"{detail} .nbtrack-series .vega-embed canvas")
    compare = open_compare(page, ids["sweep"])
    page.wait_for_timeout(800)
    corners = page.evaluate(CORNERS, detail)
    assert corners and all(min(c) > 200 for c in corners), corners  # light backgrounds
    assert 0 <= page.evaluate(AXIS_INK, compare) < 128  # Compare's series plot: dark tick labels on the light page
    set_theme(page, "JupyterLab Dark")
    page.wait_for_function(f"() => ({AXIS_INK})('{compare}') > 128", timeout=10_000)  # redrawn in the dark ink
    page.wait_for_function(f"""() => {{
      const corners = ({CORNERS})('{detail}');
      return corners.length > 0 && corners.every(c => Math.max(...c) < 80);
    }}""", timeout=10_000)
    screenshot(page, "compare-theme-switched-dark")
    page.evaluate("id => window.jupyterapp.shell.activateById('nbtrack-run-' + id)", ids["rf"])
    page.wait_for_timeout(300)
    screenshot(page, "detail-theme-switched-dark")


def test_detail_shows_models_environment_and_artifacts_readably_and_downloads(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    from nbtrack.cli.output import size

    _, ids = views_lab
    page, run_id = lab_page, ids["sweep"][0]
    panel = open_run(page, run_id)
    page.wait_for_selector(f"{panel} .nbtrack-model")
    model = page.inner_text(f"{panel} .nbtrack-model")
    for expected in ("class", "sklearn.ensemble", "params.n_estimators", "7", "params.class_weight",
                     "fitted.n_features_in", "fit_seconds", "0.25 s"):
        assert expected in model, expected
    assert page.eval_on_selector(panel, "p => p.scrollWidth <= p.clientWidth + 1")  # no 3,000 px panel
    environment = page.inner_text(f"{panel} .nbtrack-environment")
    assert f"memory_bytes\t{size(ids['memory_bytes'])}" in environment  # the CLI's size rule
    assert str(ids["memory_bytes"]) not in environment
    metrics = page.inner_text(f"{panel} .nbtrack-summaries")
    assert "0.9" in metrics and "0.9000" not in metrics
    artifacts = page.inner_text(f"{panel} .nbtrack-artifacts")
    assert "1.2 MB" in artifacts and str(len(WEIGHTS)) not in artifacts
    # The package list: collapsed, then opened and searched.
    packages = f"{panel} .nbtrack-packages-list"
    assert not page.eval_on_selector(packages, "d => d.open")
    page.click(f"{packages} summary")
    page.fill(f"{packages} .nbtrack-package-search", "scikit")
    shown = page.eval_on_selector_all(f"{packages} tbody tr", "rows => rows.filter(r => !r.hidden)"
                                      ".map(r => r.dataset.package)")
    assert shown and all("scikit" in name for name in shown)
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Models'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "detail-models-environment")
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Environment'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "detail-environment-packages")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "detail-environment-packages-dark")
    page.eval_on_selector(f"{panel} .nbtrack-section:has(h3:text('Models'))", "e => e.scrollIntoView()")
    page.wait_for_timeout(300)
    screenshot(page, "detail-models-environment-dark")
    set_theme(page, "JupyterLab Light")
    with page.expect_download() as download:
        page.click(f"{panel} .nbtrack-artifacts tr:has(td:text-is('weights.bin')) .nbtrack-download")
    assert download.value.suggested_filename == "weights.bin"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == WEIGHTS


def focus_ring(page: Any) -> list[str]:
    """The focused element's class and its outline, as the user sees it."""
    return page.evaluate("() => { const e = document.activeElement; const s = getComputedStyle(e);"
                         " return [e.className || e.tagName, s.outlineStyle, s.outlineWidth]; }")


def test_compare_and_detail_controls_are_reachable_by_keyboard_with_visible_focus(
        views_lab: tuple[LabServer, dict[str, Any]], lab_page: Any) -> None:
    _, ids = views_lab
    page = lab_page
    panel = open_compare(page, ids["sweep"])
    page.click(f"{panel} h2")
    page.keyboard.press("Tab")
    name, style, width = focus_ring(page)
    assert "nbtrack-baseline" in name and style != "none" and width != "0px", (name, style, width)
    page.keyboard.press("ArrowDown")  # a select changes by keyboard
    page.wait_for_function(f"() => document.querySelector('{panel} .nbtrack-baseline-head .nbtrack-run-head')"
                           f".dataset.runId === '{ids['sweep'][1]}'")
    page.keyboard.press("Tab")
    name, style, width = focus_ring(page)
    assert "nbtrack-only-differences" in name and style != "none", (name, style)
    page.keyboard.press("Space")
    assert page.is_checked(f"{panel} .nbtrack-only-differences")
    screenshot(page, "compare-keyboard")

    detail = open_run(page, ids["sweep"][2])
    page.wait_for_selector(f"{detail} .nbtrack-download")
    page.click(f"{detail} h2")
    reached: dict[str, list[str]] = {}
    for _ in range(80):
        page.keyboard.press("Tab")
        name, style, width = focus_ring(page)
        for wanted in ("nbtrack-tag-input", "SUMMARY", "nbtrack-download"):
            if wanted in name:
                reached.setdefault(wanted, [style, width])
        if "nbtrack-download" in reached:
            break
    assert set(reached) == {"nbtrack-tag-input", "SUMMARY", "nbtrack-download"}, reached
    assert all(style != "none" and width != "0px" for style, width in reached.values()), reached
    screenshot(page, "detail-keyboard")
