"""The Runs sidebar, Run with parameters, the progress panel and the executed-notebook viewer in a real Lab.

Issue 19's defects 1 (runs told apart), 2 (launch errors), 3 (viewer commas), 6 (row metrics and
sort), 7 (filter errors), 8 (selection), 12 (progress panel) and 13 (keyboard), in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import open_sidebar
from browser.lab import LabServer, screenshot, start_lab
from conftest import write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab")]

SIDEBAR = "#nbtrack-runs"
SWEEP = "train_classifier"
SWEEP_GRID = [(0.1, 3), (0.1, 5), (1.0, 3), (1.0, 5)]
LIST_OUTPUTS = "list-outputs"
TUNED = "train_classifier_tuned"
TUNED_GRID = [("logreg", 4), ("rf", 4), ("logreg", 12)]


def executed_notebook() -> bytes:
    """An executed notebook as nbformat writes it: multi-line strings stored as lists of lines."""
    cell = {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {},
            "source": ["print('line one')\n", "print('line two')"],
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["line one\n", "line two\n"]},
                {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                 "data": {"text/plain": ["first\n", "second"]}},
                {"output_type": "display_data", "metadata": {},
                 "data": {"text/html": ["<b class='nbtrack-test-bold'>bold</b>\n", "<i>after</i>\n",
                                        "<img src=x onerror=\"window.__nbtrack_viewer_xss=1\">\n",
                                        "<script>window.__nbtrack_viewer_xss=2</script>"],
                          "text/plain": ["<html>"]}},
            ]}
    notebook = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook).encode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, dict[str, Any]]]:
    """Lab over a sweep whose run ids share 20 characters, two named runs, and notebooks to launch."""
    from nbtrack.records import new_run_id
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("sidebar")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids: dict[str, Any] = {}
    for name, f1, accuracy in [("rf-run", 0.91, 0.7), ("lr-run", 0.84, 0.9)]:
        run_id = store.create_run("churn", name=name, params={"model": name[:2], "C": 0.5})
        store.log_metrics(run_id, [("aaa.first", 0, 1.0, 1_700_000_000_000),
                                   ("sklearn.log_loss", 0, 0.3, 1_700_000_000_000),
                                   ("test.accuracy", 0, accuracy, 1_700_000_000_000),
                                   ("test.f1", 0, f1, 1_700_000_000_000)])
        store.add_artifact(run_id, "notebook.ipynb", data=executed_notebook(), media_type="application/x-ipynb+json")
        store.end_run(run_id, "finished")
        ids[name] = run_id
    prefix = new_run_id()[:20]  # a sweep's runs start within one millisecond: their ids share a prefix
    ids["sweep"] = []
    for i, (c, depth) in enumerate(SWEEP_GRID):
        run_id = store.create_run(SWEEP, run_id=f"{prefix}{i:06d}", params={"C": c, "max_depth": depth, "model": "rf"})
        store.log_metrics(run_id, [("aaa.first", 0, 1.0, 1_700_000_000_000),
                                   ("test.f1", 0, 0.8 + i / 100, 1_700_000_000_000),
                                   ("test.loss", 0, 0.5 - i / 100, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        ids["sweep"].append(run_id)
    ids["tuned"] = []
    for i, (model, depth) in enumerate(TUNED_GRID):
        run_id = store.create_run(TUNED, name=f"model={model} max_depth={depth}",
                                  params={"model": model, "max_depth": depth, "seed": 0})
        store.set_tags(run_id, {"sweep": "tuned-1"})
        store.log_metrics(run_id, [("test.accuracy", 0, 0.7 + i / 100, 1_700_000_000_000),
                                   ("test.f1", 0, 0.6 + i / 50, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        ids["tuned"].append(run_id)
    write_notebook(root / "train.ipynb", ["import time\ntime.sleep(1)", "result = n_estimators * 2"],
                   parameters="n_estimators = 100\nlabel = 'a'")
    write_notebook(root / "slow.ipynb", ["import time", "time.sleep(120)", "done = True"], parameters="C = 1.0")
    write_notebook(root / "bad.ipynb", ["x = C", "raise ValueError('boom')", "never = True"], parameters="C = 1.0")
    many = "\n".join(f"extra_{i} = {i}  # a parameter to scroll past" for i in range(14))
    write_notebook(root / "choices.ipynb", ["result = 1"],
                   parameters=f"model = 'rf'  # rf | logreg | gb\n{many}\nn_estimators = 100  # trees in the forest")
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, ids
    finally:
        server.stop()


def set_theme(page: Any, theme: str) -> None:
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(600)


def screenshots(page: Any, name: str) -> None:
    """The same view in Lab's light and dark themes; Lab is left light."""
    set_theme(page, "JupyterLab Light")
    screenshot(page, name)
    set_theme(page, "JupyterLab Dark")
    screenshot(page, f"{name}-dark")
    set_theme(page, "JupyterLab Light")


def show_experiment(page: Any, experiment: str, rows: int) -> None:
    page.select_option(f"{SIDEBAR} .nbtrack-experiment", experiment)
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-count').textContent === '{rows} runs'")
    page.wait_for_function(f"n => document.querySelectorAll('{SIDEBAR} .nbtrack-row').length === n", arg=rows)


def rows(page: Any) -> list[dict[str, str]]:
    """Each row top to bottom: id, label (name and short id), the metric keys shown, swatch colour."""
    return page.eval_on_selector_all(
        f"{SIDEBAR} .nbtrack-row",
        """rows => rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map(r => ({
            id: r.dataset.runId,
            name: r.querySelector('.nbtrack-run-name').textContent,
            short: r.querySelector('.nbtrack-short-id')?.textContent ?? '',
            keys: [...r.querySelectorAll('.nbtrack-metric-key')].map(k => k.textContent),
            colour: getComputedStyle(r.querySelector('.nbtrack-swatch') ?? r).backgroundColor}))""")


def test_a_sweeps_runs_are_told_apart_by_name_short_id_and_colour(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    show_experiment(page, SWEEP, 4)
    # each row painted with its swatch's colour (under load the rows can be read between two paints)
    page.wait_for_function(f"() => [...document.querySelectorAll('{SIDEBAR} .nbtrack-row .nbtrack-swatch')]"
                           ".every(s => s.isConnected && !['', 'rgba(0, 0, 0, 0)'].includes("
                           "getComputedStyle(s).backgroundColor))")
    shown = rows(page)
    assert {r["id"] for r in shown} == set(ids["sweep"])
    labels = [f"{r['name']} {r['short']}" for r in shown]
    assert len(set(labels)) == 4, labels  # was the first 10 id characters, the same for all four
    for row in shown:
        short = row["short"] or row["name"]  # a run without a name is labelled by its short id
        assert len(short) >= 6 and row["id"].endswith(short)
    assert len({r["short"] or r["name"] for r in shown}) == 4
    assert len({r["colour"] for r in shown}) == 4 and "rgba(0, 0, 0, 0)" not in {r["colour"] for r in shown}
    screenshots(page, "sidebar-sweep")

    # The executed notebook's tab uses the same rule: the name and the short id, never the id's first 8.
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-executed-notebook', {id})", ids["rf-run"])
    page.wait_for_selector(".nbtrack-stored-notebook .jp-Cell")
    page.wait_for_function(f"() => [...document.querySelectorAll('.lm-TabBar-tabLabel')]"
                           f".some(t => t.textContent === 'executed rf-run · {ids['rf-run'][-6:]} (read-only)')")


def test_the_executed_notebook_joins_multi_line_outputs_and_keeps_html_untrusted(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-executed-notebook', {id})", ids["rf-run"])
    stored = ".nbtrack-stored-notebook"
    page.wait_for_selector(f"{stored} .jp-OutputArea-output")
    page.wait_for_selector(f"{stored} .nbtrack-test-bold")
    stream = page.inner_text(f"{stored} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']")
    assert stream.strip() == "line one\nline two"  # was "line one\n,line two"
    plain = page.inner_text(f"{stored} .jp-OutputArea-executeResult .jp-OutputArea-output")
    assert plain.strip() == "first\nsecond"
    html = page.inner_text(f"{stored} .jp-RenderedHTMLCommon")
    assert "," not in html and "bold" in html and "after" in html
    assert "print('line one')\nprint('line two')" in page.inner_text(f"{stored} .jp-InputArea-editor")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__nbtrack_viewer_xss") is None  # untrusted: sanitized, no script
    assert page.query_selector(f"{stored} script") is None
    assert page.eval_on_selector(f"{stored} .jp-RenderedHTMLCommon img", "i => i.getAttribute('onerror')") is None
    screenshots(page, "executed-notebook-lists")


def test_rows_show_the_sort_field_first_then_the_metrics_that_vary(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    show_experiment(page, SWEEP, 4)
    options = page.eval_on_selector_all(f"{SIDEBAR} .nbtrack-order option", "os => os.map(o => o.value)")
    assert {"started", "metrics.test.f1", "metrics.test.loss", "params.C", "params.max_depth"} <= set(options)
    # The sweep varies in test.f1 and test.loss; aaa.first is the same everywhere (was shown first).
    assert rows(page)[0]["keys"][:2] == ["test.f1", "test.loss"]
    page.select_option(f"{SIDEBAR} .nbtrack-order", "metrics.test.loss")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-row-metrics .nbtrack-metric-key')"
                           ".textContent === 'test.loss'")
    assert [r["id"] for r in rows(page)] == ids["sweep"]  # descending test.loss: the first run first
    page.select_option(f"{SIDEBAR} .nbtrack-order", "params.max_depth")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-row-metrics .nbtrack-metric-key')"
                           ".textContent === 'max_depth'")
    depths = page.eval_on_selector_all(f"{SIDEBAR} .nbtrack-row", "rs => rs.sort((a, b) => parseFloat(a.style.top) - "
                                       "parseFloat(b.style.top)).map(r => r.querySelector('.nbtrack-metric').textContent)")
    assert depths == ["max_depth 5", "max_depth 5", "max_depth 3", "max_depth 3"]

    # Sorting by a metric no run on the first page has is offered too: every field of the store.
    show_experiment(page, "churn", 2)
    page.select_option(f"{SIDEBAR} .nbtrack-order", "metrics.test.accuracy")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-row .nbtrack-run-name')"
                           ".textContent === 'lr-run'")
    assert rows(page)[0]["keys"][0] == "test.accuracy"
    screenshots(page, "sidebar-sorted-by-accuracy")


def test_a_rows_name_has_a_line_of_its_own_and_a_sweeps_varying_params_come_first(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    show_experiment(page, TUNED, 3)
    shown = rows(page)
    names = {f"model={m} max_depth={d}" for m, d in TUNED_GRID}
    assert {r["name"] for r in shown} == names
    for row_id in ids["tuned"]:
        line = page.eval_on_selector(f"#nbtrack-row-{row_id} .nbtrack-run-name", """n => ({
            parts: [...n.parentElement.children].map(c => c.className),
            clipped: n.scrollWidth > n.clientWidth})""")
        # line 1: status mark, swatch, name, nothing else; the name is not cut at the default width
        assert [p.split()[0] for p in line["parts"]] == ["nbtrack-status", "nbtrack-swatch", "nbtrack-run-name"]
        assert not line["clipped"], line
        second = page.inner_text(f"#nbtrack-row-{row_id} .nbtrack-row-metrics")
        assert second.startswith(row_id[-6:])  # line 2: short id, age, then the values
        # a narrow sidebar cuts line 2: its tooltip has every value on a line of its own
        tip = page.get_attribute(f"#nbtrack-row-{row_id} .nbtrack-row-metrics", "title").split("\n")
        assert tip[0] == row_id[-6:] and {t.split()[0] for t in tip[1:]} == {"max_depth", "model", "test.accuracy",
                                                                              "test.f1"}, tip
    # one sweep: the params that vary first (seed does not vary), then the metrics that vary
    keys = shown[0]["keys"]
    assert set(keys[:2]) == {"max_depth", "model"} and set(keys[2:]) == {"test.accuracy", "test.f1"}, keys
    screenshots(page, "sidebar-tuned-sweep")


def test_an_invalid_filter_keeps_the_runs_says_why_and_is_not_sent_again(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/nbtrack/api/runs?" in r.url else None)
    open_sidebar(page, server)
    show_experiment(page, "churn", 2)
    page.fill(f"{SIDEBAR} .nbtrack-filter", "metrics.test.f1 >> 1")
    page.wait_for_selector(f"{SIDEBAR} .nbtrack-filter-error:not(:empty)")
    assert len(rows(page)) == 2 and page.inner_text(f"{SIDEBAR} .nbtrack-count") == "2 runs"  # was emptied
    screenshots(page, "sidebar-invalid-filter")
    bad = [u for u in sent if "%3E%3E" in u]
    page.wait_for_timeout(4000)  # two and more refresh periods
    assert [u for u in sent if "%3E%3E" in u] == bad and len(bad) == 1  # was re-sent every 1.5 s
    assert len(rows(page)) == 2

    page.fill(f"{SIDEBAR} .nbtrack-filter", "params.modle = 'rf'")
    page.press(f"{SIDEBAR} .nbtrack-filter", "Enter")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-filter-error')"
                           ".textContent.includes('params.modle')")
    error = page.inner_text(f"{SIDEBAR} .nbtrack-filter-error")
    assert "unknown key params.modle" in error and "did you mean params.model" in error
    assert len(rows(page)) == 2
    screenshots(page, "sidebar-unknown-key")

    page.fill(f"{SIDEBAR} .nbtrack-filter", "params.model = 'rf'")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-count').textContent === '1 run'")
    assert page.inner_text(f"{SIDEBAR} .nbtrack-filter-error") == ""


def test_ticked_runs_a_filter_hides_are_counted_and_clear_unticks_them(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, ids = lab
    open_sidebar(page, server)
    show_experiment(page, "churn", 2)
    compare = f"{SIDEBAR} .nbtrack-compare-button"
    disabled_look = page.eval_on_selector(compare, "b => [b.disabled, getComputedStyle(b).backgroundColor]")
    for name in ("rf-run", "lr-run"):
        page.check(f"{SIDEBAR} [data-run-id='{ids[name]}'] .nbtrack-select")
    enabled_look = page.eval_on_selector(compare, "b => [b.disabled, getComputedStyle(b).backgroundColor]")
    assert disabled_look[0] and not enabled_look[0]
    assert disabled_look[1] != enabled_look[1]  # a disabled button no longer wears the accept colour
    page.fill(f"{SIDEBAR} .nbtrack-filter", "params.model = 'rf'")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-selection')"
                           ".textContent === '2 ticked, 1 hidden by the filter'")
    assert page.inner_text(compare) == "Compare (2)"
    screenshots(page, "sidebar-selection-hidden")
    page.click(f"{SIDEBAR} .nbtrack-clear-button")
    assert page.inner_text(compare) == "Compare"
    assert page.eval_on_selector(compare, "b => b.disabled")
    assert page.eval_on_selector(f"{SIDEBAR} .nbtrack-clear-button", "b => b.disabled")
    assert not page.is_checked(f"{SIDEBAR} [data-run-id='{ids['rf-run']}'] .nbtrack-select")
    page.fill(f"{SIDEBAR} .nbtrack-filter", "")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-count').textContent === '2 runs'")
    assert not page.is_checked(f"{SIDEBAR} [data-run-id='{ids['lr-run']}'] .nbtrack-select")


def test_rows_are_reached_ticked_and_opened_from_the_keyboard(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    open_sidebar(page, server)
    show_experiment(page, SWEEP, 4)
    page.focus(f"{SIDEBAR} .nbtrack-filter")
    page.keyboard.press("Tab")  # the sort select, the direction, then the list
    for _ in range(6):
        if page.evaluate("() => document.activeElement.classList.contains('nbtrack-list')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "listbox"
    page.keyboard.press("ArrowDown")
    active = page.eval_on_selector(f"{SIDEBAR} .nbtrack-row.nbtrack-active", "r => r.dataset.runId")
    assert active == page.eval_on_selector(f"{SIDEBAR} .nbtrack-list",
                                           "l => l.getAttribute('aria-activedescendant')").removeprefix("nbtrack-row-")
    ring = (f"() => getComputedStyle(document.querySelector('{SIDEBAR} .nbtrack-row.nbtrack-active'))"
            ".outlineStyle !== 'none'")
    try:  # a visible focus ring on the keyboard's row
        page.wait_for_function(ring, timeout=3000)
    except Exception:
        # Under make test's load Lab's start-up Launcher activated late and took focus away from the
        # list (seen twice: the focused element was the jp-Launcher). Focus back on the list, the ring
        # must show on the same row; anything else holding focus is a failure that names it.
        focused = page.evaluate("() => [document.hasFocus(), document.activeElement.className]")
        assert "jp-Launcher" in focused[1], f"no focus ring on the active row; document focus, focused: {focused}"
        page.focus(f"{SIDEBAR} .nbtrack-list")
        page.wait_for_function(ring, timeout=3000)
        assert page.eval_on_selector(f"{SIDEBAR} .nbtrack-row.nbtrack-active", "r => r.dataset.runId") == active
    page.keyboard.press(" ")
    assert page.is_checked(f"{SIDEBAR} [data-run-id='{active}'] .nbtrack-select")
    assert page.inner_text(f"{SIDEBAR} .nbtrack-selection").startswith("1 ticked")
    screenshot(page, "sidebar-keyboard")
    set_theme(page, "JupyterLab Dark")
    page.focus(f"{SIDEBAR} .nbtrack-list")
    screenshot(page, "sidebar-keyboard-dark")
    set_theme(page, "JupyterLab Light")
    page.focus(f"{SIDEBAR} .nbtrack-list")
    page.keyboard.press("ArrowUp")
    first = page.eval_on_selector(f"{SIDEBAR} .nbtrack-row.nbtrack-active", "r => r.dataset.runId")
    assert first != active
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#nbtrack-run-{first} h2")
    # Closed, the run's tab opens again from its row (a closed panel used to stay half alive: no tab).
    page.click(f".lm-TabBar-tab[data-id='nbtrack-run-{first}'] .lm-TabBar-tabCloseIcon")
    page.wait_for_selector(f"#nbtrack-run-{first}", state="detached")
    page.click(f"{SIDEBAR} [data-run-id='{first}'] .nbtrack-run-name")
    page.wait_for_selector(f"#nbtrack-run-{first} h2")


def test_the_header_opens_the_runs_table_once_that_command_exists(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    open_sidebar(page, server)
    button = f"{SIDEBAR} .nbtrack-open-table"
    registered = page.evaluate("() => window.jupyterapp.commands.hasCommand('nbtrack:open-table')")
    if not registered:  # the table's plugin is another slice: stand in for it
        assert page.is_hidden(button)
        page.evaluate("() => window.jupyterapp.commands.addCommand('nbtrack:open-table', "
                      "{execute: () => { window.__nbtrack_table_opened = true; }})")
        page.wait_for_selector(button, state="visible")
        page.click(button)
        assert page.evaluate("() => window.__nbtrack_table_opened") is True
    else:
        page.click(button)
        page.wait_for_selector(".nbtrack-table-panel, .nbtrack-runs-table", timeout=10_000)


def open_launch_dialog(page: Any, server: LabServer, notebook: str) -> str:
    open_sidebar(page, server, notebook)
    page.click(".jp-NotebookPanel-toolbar .nbtrack-run-button")
    dialog = ".jp-Dialog"
    page.wait_for_selector(f"{dialog} .nbtrack-params-form")
    return dialog


def test_a_refused_launch_shows_the_servers_message_and_keeps_the_values(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    dialog = open_launch_dialog(page, server, "train.ipynb")
    page.fill(f"{dialog} input[name='n_estimators']", "lots")
    page.fill(f"{dialog} input[name='label']", "typed by hand")
    page.click(f"{dialog} .jp-mod-accept")
    page.wait_for_selector(f"{dialog} .nbtrack-launch-error:not(:empty)")
    error = page.inner_text(f"{dialog} .nbtrack-launch-error")
    assert "n_estimators" in error and "lots" in error
    assert page.input_value(f"{dialog} input[name='n_estimators']") == "lots"
    assert page.input_value(f"{dialog} input[name='label']") == "typed by hand"
    assert page.eval_on_selector(f"{dialog} input[name='n_estimators']", "i => i.getAttribute('aria-invalid')") == "true"
    assert page.query_selector(".nbtrack-progress") is None
    screenshots(page, "launch-refused")
    page.fill(f"{dialog} input[name='n_estimators']", "7")
    page.press(f"{dialog} input[name='n_estimators']", "Enter")
    page.wait_for_selector(".nbtrack-progress")
    assert page.query_selector(".jp-Dialog") is None
    page.wait_for_function("() => document.querySelector('.nbtrack-progress-status')?.dataset.state === 'finished'",
                           timeout=120_000)
    assert '"n_estimators":7' in page.inner_text(".nbtrack-progress .nbtrack-facts")


def test_a_refusal_shows_at_the_top_of_a_fixed_width_dialog_and_listed_choices_are_offered(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    dialog = open_launch_dialog(page, server, "choices.ipynb")
    model = f"{dialog} input[name='model']"
    # the help text lists rf | logreg | gb: offered as suggestions, any other value still typed
    choices = page.eval_on_selector(model, "i => [...i.list.options].map(o => o.value)")
    assert choices == ["rf", "logreg", "gb"]
    assert page.eval_on_selector(f"{dialog} input[name='n_estimators']", "i => i.list") is None
    page.click(model)
    page.keyboard.press("Control+A")
    page.keyboard.type("xgb")
    width = page.eval_on_selector(f"{dialog} .jp-Dialog-content", "d => d.getBoundingClientRect().width")
    last = f"{dialog} input[name='n_estimators']"
    page.click(last)
    page.keyboard.press("Control+A")
    page.keyboard.type("lots of them, more than the dialog is wide")
    page.click(f"{dialog} .jp-mod-accept")
    error = f"{dialog} .nbtrack-launch-error[role='alert']:not(:empty)"
    page.wait_for_selector(error)
    assert "n_estimators" in page.inner_text(error)
    # was: under the last input, out of the visible body; and the dialog grew wider
    seen = page.evaluate("""() => {
        const body = document.querySelector('.jp-Dialog-body').getBoundingClientRect();
        const inside = e => { const r = e.getBoundingClientRect(); return r.top >= body.top - 1 && r.bottom <= body.bottom + 1; };
        return {error: inside(document.querySelector('.nbtrack-launch-error')),
                field: inside(document.querySelector(".jp-Dialog input[name='n_estimators']")),
                scrolls: document.querySelector('.jp-Dialog-body').scrollHeight > body.height};
    }""")
    assert seen == {"error": True, "field": True, "scrolls": True}, seen
    assert page.eval_on_selector(f"{dialog} .jp-Dialog-content", "d => d.getBoundingClientRect().width") == width
    assert page.input_value(model) == "xgb"
    screenshots(page, "launch-refused-at-top")


def launch_from_toolbar(page: Any, server: LabServer, notebook: str) -> None:
    dialog = open_launch_dialog(page, server, notebook)
    page.fill(f"{dialog} input[name='C']", "2.0")
    page.click(f"{dialog} .jp-mod-accept")
    page.wait_for_selector(".nbtrack-progress")


def test_the_progress_panel_counts_steadily_and_stop_ends_the_run_killed(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    launch_from_toolbar(page, server, "slow.ipynb")
    status = ".nbtrack-progress-status"
    seen = []
    for _ in range(40):
        seen.append(page.inner_text(status))
        if "cell 3 of" in seen[-1]:
            break
        page.wait_for_timeout(250)
    totals = {m[1] for text in seen if (m := re.search(r"of (\d+)", text))}
    assert totals == {"4"}, seen  # the four code cells as written, from the first poll: never jumps
    screenshots(page, "progress-running")
    page.click(".nbtrack-progress .nbtrack-stop")
    page.wait_for_function(f"() => document.querySelector('{status}').dataset.state === 'killed'", timeout=30_000)
    text = page.inner_text(status)
    assert "killed in code cell 3 of 4" in text and "run killed" in text  # time.sleep(120), the third
    assert page.is_hidden(".nbtrack-progress .nbtrack-stop")
    screenshots(page, "progress-stopped")

    # Open run twice, and the progress tab again: each is one tab, activated, never a second.
    page.click(".nbtrack-progress .nbtrack-open-run")
    page.wait_for_selector(".nbtrack-detail:not(.lm-mod-hidden) h2")
    tab = ".lm-TabBar-tab[data-id^='nbtrack-execution-']"
    run = page.evaluate("() => fetch('/nbtrack/api/executions').then(r => r.json())")["executions"][0]["run"]
    label = f"{run['name']} · {run['id'][-6:]}" if run["name"] else f"slow.ipynb · {run['id'][-6:]}"
    assert page.inner_text(f"{tab} .lm-TabBar-tabLabel") == label  # was "killed slow.ipynb"
    page.click(tab)
    page.click(".nbtrack-progress .nbtrack-open-run")
    page.wait_for_selector(".nbtrack-detail:not(.lm-mod-hidden) h2")
    assert page.eval_on_selector_all(".nbtrack-detail", "ds => ds.length") == 1
    assert page.eval_on_selector_all(".nbtrack-progress", "ps => ps.length") == 1

    # The sidebar lists the executions launched here: an entry re-activates its open progress tab,
    # and brings a closed one back; never a second tab for one execution.
    entry = f"{SIDEBAR} .nbtrack-execution-entry:has-text('slow.ipynb')"
    page.wait_for_selector(f"{entry}:has-text('killed')")
    assert page.inner_text(f"{entry} .nbtrack-execution-notebook") == label  # was the notebook stem
    page.click(entry)
    page.wait_for_selector(".nbtrack-progress:not(.lm-mod-hidden)")
    assert page.eval_on_selector_all(".nbtrack-progress", "ps => ps.length") == 1
    page.click(f"{tab} .lm-TabBar-tabCloseIcon")
    page.wait_for_selector(".nbtrack-progress", state="detached")
    page.click(entry)
    page.wait_for_selector(".nbtrack-progress:not(.lm-mod-hidden) .nbtrack-progress-status[data-state='killed']")
    page.click(entry)
    assert page.eval_on_selector_all(".nbtrack-progress", "ps => ps.length") == 1
    screenshots(page, "sidebar-executions")


def test_a_failed_execution_names_the_cell_its_count_names(lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    launch_from_toolbar(page, server, "bad.ipynb")
    page.wait_for_function("() => document.querySelector('.nbtrack-progress-status')?.dataset.state === 'failed'",
                           timeout=120_000)
    status = page.inner_text(".nbtrack-progress-status")
    error = page.inner_text(".nbtrack-progress .nbtrack-error")
    assert "failed in code cell 3 of 4" in status  # parameters, x = C, raise: the third code cell as written
    # the CLI's words: "nbtrack: run <id> failed in code cell 3: ValueError: boom"
    assert error.startswith("failed in code cell 3: ValueError: boom")
    screenshots(page, "progress-failed")
    # the run detail names the same cell in the same words
    page.click(".nbtrack-progress .nbtrack-open-run")
    detail_error = ".nbtrack-detail:not(.lm-mod-hidden) .nbtrack-detail-head .nbtrack-error"
    page.wait_for_selector(detail_error)
    assert page.inner_text(detail_error).startswith("failed in code cell 3: ValueError: boom")


def test_a_list_the_server_could_not_answer_is_asked_again_by_the_refresh(
        lab: tuple[LabServer, dict[str, Any]], page: Any) -> None:
    server, _ = lab
    failing = {"on": True}

    def runs(route: Any) -> None:
        if failing["on"]:
            route.fulfill(status=503, content_type="application/json", body='{"message": "store busy; try again"}')
        else:
            route.continue_()

    page.route("**/nbtrack/api/runs?*", runs)
    page.goto(server.page())
    page.wait_for_function("() => window.jupyterapp && document.querySelector('#nbtrack-runs') !== null")
    page.evaluate("() => window.jupyterapp.commands.execute('nbtrack:show-runs')")
    page.wait_for_function(f"() => document.querySelector('{SIDEBAR} .nbtrack-filter-error')"
                           ".textContent.includes('store busy')")
    failing["on"] = False  # the server is back: the next refresh asks again, with no key pressed
    page.wait_for_selector(f"{SIDEBAR} .nbtrack-row", timeout=10_000)
    assert page.inner_text(f"{SIDEBAR} .nbtrack-filter-error") == ""
