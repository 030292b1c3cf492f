"""Autolog under the engine: the kernel relays its calls over IOPub and never opens the store itself
(track/relay.py), until the notebook starts a run of its own."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import nbformat
import pytest

from capture.test_capture_runs import executed_notebook, run_and_show
from nbtrack.errors import UsageError
from nbtrack.track.relay import RELAY_MIME, apply_relayed

LOADED = ("import sys\n"
          "print('store loaded:', sorted(m for m in ('sqlalchemy', 'nbtrack.store') if m in sys.modules))")
FIT_SCORE_SHOW = (
    "import matplotlib.pyplot as plt\n"
    "from sklearn.datasets import load_iris\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score\n"
    "from sklearn.model_selection import train_test_split\n"
    "X, y = load_iris(return_X_y=True)\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
    "model = LogisticRegression(max_iter=500).fit(X_train, y_train)\n"
    "print(accuracy_score(y_test, model.predict(X_test)))\n"
    "plt.plot([1, 2, 3]); plt.title('Loss'); plt.show()")


def notebook(path, *sources: str):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def printed(executed: nbformat.NotebookNode, cell: int) -> str:
    return "".join(o.get("text", "") for o in executed.cells[cell].outputs if o.output_type == "stream")


def every_mime(executed: nbformat.NotebookNode) -> set[str]:
    return {mime for cell in executed.cells if cell.cell_type == "code"
            for output in cell.outputs for mime in output.get("data", {})}


@pytest.mark.slow
def test_an_uninstrumented_notebook_is_recorded_by_the_engine_and_its_kernel_never_loads_the_store(tmp_path):
    store = tmp_path / "store"
    run, _ = run_and_show(store, str(notebook(tmp_path / "plain.ipynb", FIT_SCORE_SHOW, LOADED)))
    records = run["records"]
    assert list(records["model"]) == ["LogisticRegression(max_iter=500)"]
    assert list(records["data"]) == ["train"] and records["data"]["train"]["rows"] == 112
    assert list(records["evaluation"]) == ["test"]
    assert 0.8 < run["metrics"]["test.accuracy"] <= 1 and run["summaries"]["test.accuracy"]["count"] == 1
    assert "figures/Loss.png" in run["artifacts"]
    executed = executed_notebook(store, run)
    assert printed(executed, 2) == "store loaded: []\n"  # cell 0 is autolog's
    assert RELAY_MIME not in every_mime(executed)  # the engine took every relayed call


@pytest.mark.slow
def test_a_notebook_that_starts_its_run_later_keeps_one_run_with_what_autolog_relayed_before(tmp_path):
    store = tmp_path / "store"
    path = notebook(tmp_path / "late.ipynb", FIT_SCORE_SHOW,
                    "import nbtrack\nrun = nbtrack.start_run()\nrun.log_metric('test.loss', 0.25)",
                    "model.fit(X_train, y_train)\nprint(accuracy_score(y_train, model.predict(X_train)))", LOADED)
    run, _ = run_and_show(store, str(path))
    assert 0.8 < run["metrics"]["test.accuracy"] <= 1 and run["metrics"]["test.loss"] == 0.25
    assert 0.8 < run["metrics"]["train.accuracy"] <= 1  # written by the notebook's own run from then on
    assert list(run["records"]["model"]) == ["LogisticRegression(max_iter=500)"]  # the refit is the same model
    listed = json.loads(subprocess.run([sys.executable, "-m", "nbtrack", "runs", "--format", "json"],
                                       capture_output=True, text=True, check=True,
                                       env={**os.environ, "NBTRACK_STORE": str(store)}).stdout)
    assert [r["id"] for r in listed] == [run["id"]]
    assert printed(executed_notebook(store, run), 4) == "store loaded: ['nbtrack.store', 'sqlalchemy']\n"


class Recorded:
    """A run that keeps the calls made on it."""

    id = "01TESTRUN"

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.store = self

    def add_record(self, run_id, kind, name, body):
        self.calls.append(("add_record", run_id, kind, name, body))

    def log_metric(self, key, value, step=None):
        self.calls.append(("log_metric", key, value, step))

    def log_artifact(self, data, name, *, media_type):
        self.calls.append(("log_artifact", data, name, media_type))


def test_relayed_calls_are_made_on_the_run_with_nan_and_bytes_intact():
    run = Recorded()
    apply_relayed(run, json.dumps({"call": "log_metric", "key": "test.loss", "value": float("nan"), "step": 2}))
    apply_relayed(run, json.dumps({"call": "log_artifact", "name": "figures/a.png", "media_type": "image/png",
                                   "data": "AAEC/w=="}))
    apply_relayed(run, json.dumps({"call": "add_record", "kind": "data", "name": "train", "body": {"rows": 3}}))
    (metric, key, value, step), artifact, record = run.calls
    assert (metric, key, step) == ("log_metric", "test.loss", 2) and math.isnan(value)
    assert artifact == ("log_artifact", b"\x00\x01\x02\xff", "figures/a.png", "image/png")
    assert record == ("add_record", Recorded.id, "data", "train", {"rows": 3})


@pytest.mark.parametrize("text", [
    json.dumps({"call": "finish"}),  # not a call autolog makes
    json.dumps({"call": "__class__"}),
    json.dumps(["log_metric"]),
    "{not json",
    json.dumps({"call": "log_artifact", "name": "a", "media_type": "x", "data": "not base64!"}),
    b"bytes",
])
def test_anything_but_a_call_autolog_relays_is_refused_and_nothing_is_made(text):
    run = Recorded()
    with pytest.raises((UsageError, ValueError)):
        apply_relayed(run, text)
    assert run.calls == []
