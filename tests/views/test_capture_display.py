"""Capture views appear where log_data/log_model/log_evaluation are called, unless display=False."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CELLS = [
    "import nbtrack\nfrom sklearn.datasets import load_iris\nfrom sklearn.tree import DecisionTreeClassifier\n"
    "X, y = load_iris(return_X_y=True, as_frame=True)\nrun = nbtrack.start_run()",
    "run.log_data(X, 'train', target=y)\nrun.log_data(X, 'quiet', display=False);",
    "model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)\nrun.log_model(model, 'tree');",
    "run.log_evaluation(model, X, y, split='train', display=False)\nrun.log_evaluation(model, X, y, split='all');",
    "for step in range(5):\n    run.log_metric('loss', 1 / (step + 1))",
]


def html_outputs(cell: dict[str, Any]) -> list[str]:
    return ["".join(o["data"]["text/html"]) for o in cell.get("outputs", [])
            if "text/html" in o.get("data", {}) and "application/vnd.jupyter.widget-view+json" in o["data"]]


@pytest.mark.slow
def test_each_capture_shows_its_view_in_the_executed_notebook(cli: Any, notebook: Any, tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    result = cli("run", notebook(CELLS), "-o", output, "--no-autolog")
    assert result.returncode == 0, result.stderr
    cells = json.loads(output.read_text())["cells"]
    card, data, model, evaluation, _ = (html_outputs(cell) for cell in cells)
    assert len(card) == 1 and "nbtrack-run-card" in card[0]
    assert ">loss<" in card[0] and "<img" in card[0]  # redrawn at each cell end: the loss curve is in
    assert len(data) == 1 and "data train: 150 rows × 4 columns" in data[0]  # not the quiet one
    assert data[0].count('<img src="data:image/png;base64,') == 4
    assert len(model) == 1 and "model tree: DecisionTreeClassifier" in model[0] and "top features" in model[0]
    assert len(evaluation) == 1 and "evaluation all" in evaluation[0] and evaluation[0].count("<img") == 3
    assert "<script" not in "".join(card + data + model + evaluation)
