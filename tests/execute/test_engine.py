"""The nbtrack engine with a real kernel: how runs end, what they record."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

import nbtrack
from nbtrack.errors import ExecutionFailed, ParameterError
from nbtrack.records import RunStatus

pytestmark = pytest.mark.slow

LOGGING = ["import nbtrack\nrun = nbtrack.start_run()", "for i in range(5):\n    run.log_metric('loss', 1 / (i + 1))",
           "run.log_metrics({'test.f1': 0.9 + C / 100})"]


def test_finished_run_records_params_metrics_cells_and_both_notebooks(notebook, store):
    path = notebook(LOGGING, parameters="C = 1.0\nmodel = 'rf'  # which model")
    run = nbtrack.execute(path, {"C": 5}, store=store, tags={"who": "test"})
    assert run.status is RunStatus.FINISHED
    assert run.experiment == "nb" and run.tags == {"who": "test"}
    assert run.params == {"C": 5, "model": "rf"}
    assert run.metrics["test.f1"] == pytest.approx(0.95)
    assert run.summaries["loss"].count == 5
    assert run.notebook.path == str(path) and len(run.notebook.sha256) == 64
    assert run.artifact("source.ipynb") == path.read_bytes()
    executed = nbformat.reads(run.artifact("notebook.ipynb").decode(), as_version=4)
    nbformat.validate(executed)
    assert executed.metadata["nbtrack"]["run_id"] == run.id
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    cells = run.cells()
    written = [c for c in executed.cells if c.cell_type == "code"
               and not {"injected-parameters", "nbtrack-autolog"} & set(c.metadata.get("tags", []))]
    assert [c.index for c in cells] == list(range(1, len(written) + 1))  # the notebook's code cells as written
    assert all(c.wall_s >= 0 and c.status == "ok" for c in cells)


def test_undeclared_parameter_is_refused_before_any_run(notebook, store):
    path = notebook(["x = 1"], parameters="alpha = 0.1\nbeta = 2")
    with pytest.raises(ParameterError, match="declares no parameter 'gamma'; declared parameters: alpha, beta"):
        nbtrack.execute(path, {"gamma": 1}, store=store)
    assert store.count() == 0


def test_output_copy_is_the_executed_notebook(notebook, store, tmp_path):
    path = notebook(["print('hello')"])
    run = nbtrack.execute(path, store=store, output=tmp_path / "out" / "done.ipynb")
    assert (tmp_path / "out" / "done.ipynb").read_bytes() == run.artifact("notebook.ipynb")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["done.ipynb"]


def test_plain_papermill_with_the_nbtrack_engine_records_the_same_fields(notebook, store_path, tmp_path):
    path = notebook(LOGGING, parameters="C = 1.0\nmodel = 'rf'")
    out = tmp_path / "out.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "papermill", str(path), str(out), "--engine", "nbtrack", "-p", "C", "2"],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    by_papermill = nbtrack.open_store(store_path).runs()[0]
    by_nbtrack = nbtrack.execute(path, {"C": 2}, store=store_path)
    left, right = by_papermill.to_dict(), by_nbtrack.to_dict()
    # an unnamed run's name is from its id, its colour from its row number
    for volatile in ("id", "name", "colour", "started_at", "ended_at", "duration"):
        left.pop(volatile), right.pop(volatile)
    left["artifacts"].pop("notebook.ipynb"), right["artifacts"].pop("notebook.ipynb")
    assert left == right
    assert json.loads(out.read_text())["metadata"]["nbtrack"]["run_id"] == by_papermill.id
    # plain papermill shows no run of its own: one line says which run it was and how to see it
    short = by_papermill.id[-6:]
    said = [line for line in result.stderr.splitlines() if line.startswith("nbtrack: run")]
    assert said == [f"nbtrack: run {short} ({by_papermill.name}) finished in {store_path}; "
                    f"see it with: nbtrack show {short}"], result.stderr
