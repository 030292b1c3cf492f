"""The run card saved in an executed notebook shows how the run ended, not "running"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def card_outputs(path: Path) -> tuple[list[str], list[str], list[str]]:
    """The card's text/html and text/plain outputs, and its header's saved widget state."""
    nb = json.loads(path.read_text())
    html, text = [], []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "nbtrack-run-card" in "".join(data.get("text/html", "")):
                html.append("".join(data["text/html"]))
                text.append("".join(data["text/plain"]))
    states = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}).values()
    headers = [m["state"]["value"] for m in states if "nbtrack-card-header" in m["state"].get("_dom_classes", [])]
    return html, text, headers


@pytest.mark.slow
def test_the_card_in_the_output_notebook_of_a_finished_run_says_finished(
        cli: Any, notebook: Any, tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    path = notebook(["import nbtrack\nrun = nbtrack.start_run()\nrun.log_metric('loss', 0.5)", "x = 1"])
    result = cli("run", path, "-o", output, "--no-autolog", "--store", tmp_path / "store")
    assert result.returncode == 0, result.stderr
    html, text, headers = card_outputs(output)
    assert len(html) == 1 and len(headers) == 1
    assert "nbtrack-view-status-finished" in html[0] and "nbtrack-view-status-running" not in html[0]
    assert ">loss<" in html[0]  # the rest of the card is still drawn
    assert text[0].endswith("(finished)")
    assert "nbtrack-view-status-finished" in headers[0]


@pytest.mark.slow
def test_the_card_in_the_output_notebook_of_a_failed_run_says_failed(
        cli: Any, notebook: Any, tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    path = notebook(["import nbtrack\nrun = nbtrack.start_run()", "raise ValueError('boom')"])
    result = cli("run", path, "-o", output, "--no-autolog", "--store", tmp_path / "store")
    assert result.returncode != 0
    html, text, headers = card_outputs(output)
    assert len(html) == 1 and "nbtrack-view-status-failed" in html[0] and "running" not in text[0]
    assert "nbtrack-view-status-failed" in headers[0]
