"""notebooks/compare_runs.ipynb, executed as a user would: its views land in the output as HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbtrack.store import open_store

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_compare_runs_notebook_ranks_and_compares_the_best_and_worst_runs(
        cli: Any, tmp_path: Path, fill_store: Any) -> None:
    store = tmp_path / "demo-store"
    ids = fill_store(open_store(store))
    output = tmp_path / "compared.ipynb"
    result = cli("run", REPO / "notebooks" / "compare_runs.ipynb", "-p", "experiment", "demo",
                 "-o", output, "--store", store)  # the tour is itself a run of the store it shows
    assert result.returncode == 0, result.stderr
    cells = json.loads(output.read_text())["cells"]
    outputs = [o for cell in cells if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    html = ["".join(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})]
    printed = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    assert any("3 runs" in h and "nbtrack-run-table" in h for h in html)
    comparison = next(h for h in html if "Comparing 2 runs" in h)
    assert ids[2][-6:] in comparison and ids[0][-6:] in comparison  # the gb run (best f1) and run 0 (worst)
    assert f"best  {ids[2]}" in printed and f"worst {ids[0]}" in printed
    assert all(o["data"].get("application/vnd.jupyter.widget-view+json") for o in outputs
               if "text/html" in o.get("data", {}) and "nbtrack-" in "".join(o["data"]["text/html"]))
