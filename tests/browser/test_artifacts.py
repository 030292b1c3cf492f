"""Artifacts in the run detail, in a real JupyterLab in Chromium: each row opens a preview of its own
(image, CSV and Parquet heads, JSON, text, a stored notebook in the read-only viewer), errors reach the
row, payloads stay text, image URLs are released (issue 20 item 4)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from browser.conftest import XSS
from browser.lab import LabServer, screenshot, start_lab
from server.conftest import figure_png

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("nbtrack-lab")]

# A name the store refuses today; an older or foreign writer of the database could leave one.
HOSTILE_NAME = 'x<img src=x onerror="window.__nbtrack_xss=2">.csv'
TEXT = "epoch 1 loss 0.5\nepoch 2 loss 0.25\n"
XSS_JSON = XSS.replace('"', '\\"')
JSON_TEXT = (f'{{"big": 12345678901234567890, "lr": 0.10, "xss": "{XSS_JSON}", '
             '"empty": [], "nested": {"a": [1, 2]}, "fmt": "{a, b}: [c] \\\\"}')
WIDE_COLUMNS = 60


def head_csv() -> bytes:
    """120 rows: ids with leading zeros, long floats, and an XSS payload in one cell."""
    lines = ["id,loss,label"] + [f"{i:06d},{1 / (i + 3):.9f},{XSS if i == 1 else 'row' + str(i)}".replace(
        XSS, '"' + XSS.replace('"', '""') + '"') for i in range(120)]
    return ("\n".join(lines) + "\n").encode()


def parquet_bytes() -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame({"step": range(1000), "score": [i / 7 for i in range(1000)]}).to_parquet(buffer, index=False)
    return buffer.getvalue()


def stored_notebook() -> bytes:
    """An analysis notebook whose output is HTML with a payload: untrusted, it must render inert."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": XSS, "text/plain": "shown"})]
    scores = nbformat.v4.new_code_cell("print(scores)")
    scores.outputs = [nbformat.v4.new_output("stream", name="stdout", text=["f1 0.91\n", "accuracy 0.88\n"])]
    notebook.cells = [nbformat.v4.new_markdown_cell("# analysis of the churn data"), cell, scores]
    return nbformat.writes(notebook).encode()


@pytest.fixture(scope="module")
def artifacts_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, str]]:
    """Lab over one finished run holding an artifact of each preview kind, a malformed CSV and payloads."""
    import sqlalchemy as sa

    from nbtrack.store import open_store, schema
    from nbtrack.store.database import writing

    base = tmp_path_factory.mktemp("artifacts")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    run_id = store.create_run("churn", name="artifact-run", params={"C": 1.0})
    store.add_artifact(run_id, "data/head.csv", data=head_csv(), media_type="text/csv")
    store.add_artifact(run_id, "data/wide.csv", data=(",".join(f"c{i}" for i in range(WIDE_COLUMNS)) + "\n"
                                                       + ",".join("wide-value" for _ in range(WIDE_COLUMNS)) + "\n").encode(),
                       media_type="text/csv")
    store.add_artifact(run_id, "bad.csv", data=b"a,b\n1,2\n1,2,3\n", media_type="text/csv")
    store.add_artifact(run_id, "scores.parquet", data=parquet_bytes(), media_type="application/vnd.apache.parquet")
    store.add_artifact(run_id, "config.json", data=JSON_TEXT.encode(), media_type="application/json")
    store.add_artifact(run_id, "train.log", data=TEXT.encode(), media_type="text/plain")
    store.add_artifact(run_id, "figures/curve.png", data=figure_png("curve", 0.7), media_type="image/png")
    store.add_artifact(run_id, "analysis.ipynb", data=stored_notebook(), media_type="application/x-ipynb+json")
    store.add_artifact(run_id, "big.log", data=(b"x" * 99 + b"\n") * 1000, media_type="text/plain")
    store.add_artifact(run_id, "huge.gif", data=bytes(20_000_001), media_type="image/gif")
    store.add_artifact(run_id, "weights.bin", data=b"\x00\x01" * 700, media_type="application/octet-stream")
    store.add_artifact(run_id, "odd.dat", data=b"1", media_type=XSS)
    store.add_artifact(run_id, "renamed.csv", data=b"a\n1\n", media_type="text/csv")
    store.end_run(run_id, "finished")
    with writing(store.engine) as conn:
        conn.execute(sa.update(schema.artifacts).where(schema.artifacts.c.name == "renamed.csv")
                     .values(name=HOSTILE_NAME))
    server = start_lab(root, store_path, home=base / "home")
    try:
        yield server, run_id
    finally:
        server.stop()


@pytest.fixture
def detail(artifacts_lab: tuple[LabServer, str], page: Any) -> tuple[Any, str]:
    """The run detail open in Lab (light theme), scrolled to its artifacts."""
    server, run_id = artifacts_lab
    page.goto(server.page())
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbtrack:open-run')")
    set_theme(page, "JupyterLab Light")
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-run', {id})", run_id)
    panel = f"#nbtrack-run-{run_id}"
    page.wait_for_selector(f"{panel} .nbtrack-artifacts .nbtrack-artifact-toggle")
    return page, panel


# WCAG contrast of an element's text colour against its background colour.
CONTRAST = """selector => {
  const e = document.querySelector(selector);
  const rgb = c => {  // rgb(r, g, b) or, for a color-mix, color(srgb r g b) in 0..1
    const n = c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    return c.startsWith('color(') ? n.map(v => v * 255) : n;
  };
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const s = getComputedStyle(e);
  const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def set_theme(page: Any, theme: str) -> None:
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_timeout(500)


def row(panel: str, name: str) -> str:
    """The artifact's row, as a plain CSS selector (the preview waits run it in the page)."""
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{panel} tr.nbtrack-artifact-row[data-artifact={quoted}]"


def expand(page: Any, panel: str, name: str) -> str:
    """Click the artifact's row, as a person would; return its preview's selector once it has loaded."""
    page.click(f"{row(panel, name)} .nbtrack-artifact-name")  # anywhere on the row but Download
    preview = f"{row(panel, name)} + tr.nbtrack-artifact-preview .nbtrack-preview"
    page.wait_for_function("s => { const p = document.querySelector(s); return p && !p.textContent.includes('loading'); }",
                           arg=preview)
    return preview


def test_a_csv_head_is_a_table_with_its_counts_and_formatted_numbers(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "data/head.csv")
    assert page.inner_text(f"{preview} .nbtrack-preview-counts") == "first 50 rows; the file may hold more · 3 columns"
    assert page.eval_on_selector_all(f"{preview} thead th", "c => c.map(x => x.textContent)") == ["id", "loss", "label"]
    cells = page.eval_on_selector_all(f"{preview} tbody tr:first-child td", "c => c.map(x => [x.textContent, x.title])")
    assert cells == [["000000", ""], ["0.3333", "0.333333333"], ["row0", ""]]  # ids keep their zeros
    assert page.eval_on_selector_all(f"{preview} tbody tr", "r => r.length") == 50
    assert page.eval_on_selector(f"{row(panel, 'data/head.csv')} .nbtrack-artifact-toggle",
                                 "b => b.getAttribute('aria-expanded')") == "true"
    page.eval_on_selector(preview, "p => p.scrollIntoView()")
    screenshot(page, "artifacts-csv")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "artifacts-csv-dark")


def test_a_wide_csv_scrolls_in_its_row_and_says_which_columns_it_shows(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "data/wide.csv")
    assert page.inner_text(f"{preview} .nbtrack-preview-counts") == f"1 row · first 50 of {WIDE_COLUMNS} columns"
    assert page.eval_on_selector(panel, "p => p.scrollWidth <= p.clientWidth + 1")  # the panel is not widened
    assert page.eval_on_selector(f"{preview} .nbtrack-preview-scroll", "s => s.scrollWidth > s.clientWidth")


def test_a_parquet_head_says_how_many_rows_the_file_holds(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "scores.parquet")
    assert page.inner_text(f"{preview} .nbtrack-preview-counts") == "first 50 of 1,000 rows · 2 columns"
    second = page.eval_on_selector_all(f"{preview} tbody tr:nth-child(2) td", "c => c.map(x => x.textContent)")
    assert second == ["1", "0.1429"]


def test_json_is_pretty_printed_with_every_digit_kept_and_text_is_shown_as_stored(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "config.json")
    shown = page.inner_text(f"{preview} pre.nbtrack-preview-json")
    assert shown.splitlines()[:3] == ["{", '  "big": 12345678901234567890,', '  "lr": 0.10,']  # not re-printed numbers
    assert '"empty": [],' in shown and '"a": [\n      1,' in shown
    assert '  "fmt": "{a, b}: [c] \\\\"\n}' in shown  # brackets, commas and an escape inside a string are text
    assert json.loads(shown) == json.loads(JSON_TEXT)
    text = expand(page, panel, "train.log")
    assert page.eval_on_selector(f"{text} pre.nbtrack-preview-text", "p => p.textContent") == TEXT
    page.eval_on_selector(preview, "p => p.scrollIntoView()")
    screenshot(page, "artifacts-json-text")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "artifacts-json-text-dark")


def test_a_long_text_says_it_shows_only_its_start_and_a_huge_image_is_not_fetched(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "big.log")
    assert page.inner_text(f"{preview} .nbtrack-preview-counts") == "first 65.5 kB of 100.0 kB; Download for the whole file"
    assert len(page.eval_on_selector(f"{preview} pre", "p => p.textContent")) == 64 * 1024
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    preview = expand(page, panel, "huge.gif")
    assert page.inner_text(preview) == "an image of 20.0 MB, more than a preview shows; use Download"
    assert not [url for url in fetched if "huge.gif" in url]


def test_an_image_shows_inline_and_its_object_url_is_released_when_collapsed(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "figures/curve.png")
    page.wait_for_function("s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
                           arg=f"{preview} img.nbtrack-preview-image")
    url = page.get_attribute(f"{preview} img", "src")
    assert url.startswith("blob:")
    page.eval_on_selector(preview, "p => p.scrollIntoView()")
    screenshot(page, "artifacts-image")
    set_theme(page, "JupyterLab Dark")
    screenshot(page, "artifacts-image-dark")
    page.click(f"{row(panel, 'figures/curve.png')} .nbtrack-artifact-toggle")
    assert page.query_selector(preview) is None
    released = "u => fetch(u).then(() => false, () => true)"
    assert page.evaluate(released, url)
    # ... and when the panel closes
    preview = expand(page, panel, "figures/curve.png")
    page.wait_for_selector(f"{preview} img.nbtrack-preview-image")
    url = page.get_attribute(f"{preview} img", "src")
    assert not page.evaluate(released, url)
    page.evaluate("id => Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.id === id).close()", panel[1:])
    page.wait_for_function(f"() => !document.querySelector('{panel}')")
    assert page.evaluate(released, url)


def test_a_malformed_csv_shows_the_servers_message_in_its_row_and_the_panel_keeps_working(
        detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "bad.csv")
    message = page.inner_text(f"{preview} .nbtrack-preview-error")
    assert message.startswith("artifact 'bad.csv' is not readable as CSV (") and "download it instead" in message
    assert "\n" not in message
    page.eval_on_selector(preview, "p => p.scrollIntoView()")
    screenshot(page, "artifacts-error")
    other = expand(page, panel, "train.log")  # the next preview opens as before
    assert page.eval_on_selector(f"{other} pre", "p => p.textContent") == TEXT


def test_an_artifact_of_no_known_type_says_no_preview_and_downloads(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "weights.bin")
    assert page.inner_text(preview) == "no preview for application/octet-stream; use Download"
    assert page.inner_text(f"{row(panel, 'weights.bin')} td:nth-child(3)") == "1.4 kB"
    with page.expect_download() as download:
        page.click(f"{row(panel, 'weights.bin')} .nbtrack-download")
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == b"\x00\x01" * 700
    assert page.query_selector(preview) is not None  # Download did not toggle the row


def test_a_stored_notebook_artifact_opens_in_the_read_only_untrusted_viewer(detail: tuple[Any, str]) -> None:
    page, panel = detail
    preview = expand(page, panel, "analysis.ipynb")
    page.click(f"{preview} .nbtrack-open-artifact-notebook")
    viewer = ".nbtrack-stored-notebook:not(.lm-mod-hidden)"
    page.wait_for_selector(f"{viewer} .jp-OutputArea-output")
    assert "Read-only copy of the notebook analysis.ipynb stored with run" in page.inner_text(
        f"{viewer} .nbtrack-readonly-banner")
    page.wait_for_selector(f"{viewer} h1:has-text('analysis of the churn data')")  # markdown renders async
    assert page.eval_on_selector_all(f"{viewer} .jp-Cell", "cells => cells.length") == 3
    assert "f1 0.91\naccuracy 0.88" in page.inner_text(viewer)  # a stream stored as a list of lines
    tab = page.inner_text(".lm-DockPanel-tabBar .lm-mod-current .lm-TabBar-tabLabel")
    assert tab.startswith("analysis.ipynb artifact-run")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__nbtrack_xss") is None
    screenshot(page, "artifacts-notebook")
    set_theme(page, "JupyterLab Dark")
    assert page.evaluate(CONTRAST, f"{viewer} .nbtrack-readonly-banner") >= 4.5  # was light text on light blue
    screenshot(page, "artifacts-notebook-dark")


def test_payloads_in_an_artifact_name_its_type_a_csv_cell_and_a_json_value_stay_text(detail: tuple[Any, str]) -> None:
    page, panel = detail
    names = page.eval_on_selector_all(f"{panel} .nbtrack-artifact-name", "b => b.map(x => x.textContent)")
    assert HOSTILE_NAME in names
    assert XSS in page.inner_text(f"{panel} .nbtrack-artifacts")  # the type column, as text
    cell = expand(page, panel, "data/head.csv")
    assert page.inner_text(f"{cell} tbody tr:nth-child(2) td:nth-child(3)") == XSS
    expand(page, panel, "config.json")
    expand(page, panel, "odd.dat")
    hostile = expand(page, panel, HOSTILE_NAME)
    assert page.inner_text(hostile)  # the server refuses the name: its message, as text
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__nbtrack_xss") is None
    assert page.eval_on_selector_all(f"{panel} .nbtrack-artifacts img", "imgs => imgs.length") == 0


def test_previews_open_and_close_from_the_keyboard(detail: tuple[Any, str]) -> None:
    page, panel = detail
    page.click(f"{panel} h2")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('tr')?.dataset.artifact") == "train.log":
            break
    focused = page.evaluate("() => [document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["nbtrack-artifact-toggle", "solid"], focused
    page.keyboard.press("Enter")
    preview = f"{row(panel, 'train.log')} + tr.nbtrack-artifact-preview pre"
    page.wait_for_selector(preview)
    assert page.get_attribute(f"{row(panel, 'train.log')} .nbtrack-artifact-toggle", "aria-expanded") == "true"
    screenshot(page, "artifacts-keyboard")
    page.keyboard.press("Space")
    page.wait_for_selector(preview, state="detached")
    assert page.get_attribute(f"{row(panel, 'train.log')} .nbtrack-artifact-toggle", "aria-expanded") == "false"


def test_a_live_runs_new_artifact_joins_the_list_and_an_open_preview_stays_open(
        artifacts_lab: tuple[LabServer, str], page: Any) -> None:
    from nbtrack.store import open_store

    server, _ = artifacts_lab
    store = open_store(server.store)
    run_id = store.create_run("live", name="live-artifacts")
    store.add_artifact(run_id, "progress.log", data=b"step 1\n", media_type="text/plain")
    page.goto(server.page())
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('nbtrack:open-run')")
    page.evaluate("id => window.jupyterapp.commands.execute('nbtrack:open-run', {id})", run_id)
    panel = f"#nbtrack-run-{run_id}"
    page.wait_for_selector(f"{panel} .nbtrack-artifact-toggle")
    preview = expand(page, panel, "progress.log")
    page.eval_on_selector(preview, "p => { p.dataset.marked = 'yes'; }")
    page.focus(f"{row(panel, 'progress.log')} .nbtrack-artifact-toggle")
    store.add_artifact(run_id, "later.json", data=b'{"done": false}', media_type="application/json")
    page.wait_for_selector(row(panel, "later.json"), timeout=6000)
    assert page.get_attribute(preview, "data-marked") == "yes"  # the same preview, not a rebuilt one
    assert page.evaluate("() => document.activeElement.closest('tr')?.dataset.artifact") == "progress.log"
    assert page.eval_on_selector_all(f"{panel} tr.nbtrack-artifact-row", "r => r.map(x => x.dataset.artifact)") == [
        "later.json", "progress.log"]
    store.end_run(run_id, "finished")
