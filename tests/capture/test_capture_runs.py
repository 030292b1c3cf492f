"""Capture end to end: `nbtrack run` with a real kernel, read back with `nbtrack show --format json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("capture_runs")]  # one worker runs the shared example run

REPO = Path(__file__).resolve().parents[2]
DIGITS = Path(__file__).parent / "notebooks" / "digits_search.ipynb"
CANARY = "canary-4c1d9e77"
INLINE = "module://matplotlib_inline.backend_inline"  # figures are displayed, as in JupyterLab


def nbtrack(store: Path, *args: str, backend: str = INLINE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NBTRACK_STORE": str(store), "MPLBACKEND": backend, "SERVICE_API_TOKEN": CANARY}
    env.pop("NBTRACK_RUN_ID", None)
    return subprocess.run([sys.executable, "-m", "nbtrack", *args], capture_output=True, text=True,
                          env=env, cwd=store.parent, timeout=600)


def run_and_show(store: Path, *args: str, backend: str = INLINE) -> tuple[dict, str]:
    done = nbtrack(store, "run", *args, "--format", "json", backend=backend)
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["id"]
    shown = nbtrack(store, "show", run_id, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout), shown.stdout


def executed_notebook(store: Path, run: dict) -> nbformat.NotebookNode:
    from nbtrack.store import open_store

    return nbformat.reads(open_store(store).read_artifact(run["id"], "notebook.ipynb").decode(), as_version=4)


@pytest.fixture(scope="module")
def classifier_run(tmp_path_factory):
    store = tmp_path_factory.mktemp("classifier") / "store"
    run, text = run_and_show(store, str(REPO / "notebooks" / "train_classifier.ipynb"), "-p", "n_estimators", "20")
    return store, run, text


def test_example_notebook_records_profiles_model_evaluation_figures_environment_and_cells(classifier_run):
    store, run, text = classifier_run
    records = run["records"]
    train, test = records["data"]["train"], records["data"]["test"]
    assert train["rows"] + test["rows"] == 569 and train["columns"] == 30
    assert train["fingerprint"] != test["fingerprint"] and train["target"]["kind"] == "categorical"
    assert train["numeric"]["mean radius"]["histogram"]["counts"]

    model = records["model"]["rf"]
    assert model["class"].endswith("RandomForestClassifier") and model["params"]["n_estimators"] == 20
    assert model["file"]["format"] == "skops" and model["file"]["artifact"] in run["artifacts"]
    assert model["fit_seconds"] > 0  # measured by autolog around the notebook's own fit

    evaluation = records["evaluation"]["test"]
    assert evaluation["confusion_matrix"]["labels"] == ["0", "1"]
    assert sum(map(sum, evaluation["confusion_matrix"]["matrix"])) == test["rows"]
    assert evaluation["roc"]["1"]["fpr"] and evaluation["pr"]["1"]["precision"]
    assert run["metrics"]["test.f1"] == evaluation["metrics"]["f1"]
    assert {"train.f1", "test.accuracy", "test.roc_auc", "test.expected_cost"} <= set(run["metrics"])
    assert run["summaries"]["test.f1"]["count"] == 1

    assert "roc.png" in run["artifacts"]
    assert not [name for name in run["artifacts"] if name.startswith("figures/")]  # logged once, by name

    environment = records["environment"]["environment"]
    assert environment["packages"]["scikit-learn"] and environment["python"]["version"]
    assert CANARY not in text and "SERVICE_API_TOKEN" not in text

    telemetry = records["telemetry"]["run"]
    cells = run["cells"]
    written = nbformat.read(REPO / "notebooks" / "train_classifier.ipynb", as_version=4)
    code = sum(1 for c in written.cells if c.cell_type == "code")
    # numbered as the notebook is written, from 1: papermill's parameters and the autolog cell are not
    assert [c["index"] for c in cells] == list(range(1, code + 1))
    assert telemetry["cells"] == len(cells) and telemetry["rss_peak"] > 0 and telemetry["cpu_s"] > 0
    assert telemetry["sampling_share"] < 0.02
    assert all(c["cpu_s"] is not None and c["rss_peak"] > 0 for c in cells)


def test_autolog_cell_is_in_the_executed_notebook_and_not_in_the_source(classifier_run):
    store, run, _ = classifier_run
    executed = executed_notebook(store, run)
    tagged = [c for c in executed.cells if "nbtrack-autolog" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "nbtrack.autolog()" in tagged[0].source
    first_code = next(c for c in executed.cells if c.cell_type == "code")
    assert first_code is tagged[0]
    from nbtrack.store import open_store

    source = open_store(store).read_artifact(run["id"], "source.ipynb").decode()
    assert "nbtrack-autolog" not in source


def test_notebook_that_never_mentions_nbtrack_has_its_fit_metrics_and_figure_recorded(tmp_path):
    assert "nbtrack" not in DIGITS.read_text()
    run, _ = run_and_show(tmp_path / "store", str(DIGITS))
    models = run["records"]["model"]
    assert list(models) == ["GridSearchCV(SVC)"]  # the SVC candidates fitted inside are not records
    search = models["GridSearchCV(SVC)"]
    assert search["params"]["estimator"]["class"].endswith("SVC") and search["fit_seconds"] > 0
    assert "file" not in search  # autolog describes fits; model files are log_model's (or model_files=True)
    assert 0.8 < run["metrics"]["test.accuracy"] <= 1  # the search's predictions, on data it was not fitted on
    assert 0.8 < run["metrics"]["test.f1_macro"] <= 1
    report = run["records"]["metric"]["test.classification_report"]
    assert "precision" in report["value"] and "macro avg" in report["value"]
    assert "figures/Digits-confusion-matrix.png" in run["artifacts"]



def test_figures_shown_under_a_backend_that_displays_nothing_are_recorded_once(tmp_path):
    """MPLBACKEND=Agg, as CI sets it: plt.show() displays nothing, autolog still keeps each figure."""
    path = tmp_path / "agg.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([3, 2, 1])\nax.set_title('Loss')\n"
        "plt.show()",
        "plt.show()  # shown again: still one artifact",
        "fig2, ax2 = plt.subplots()\nax2.bar([0, 1], [1, 2])\nax2.set_title('Counts')\nplt.show()")]
    nbformat.write(nb, path)
    run, _ = run_and_show(tmp_path / "store", str(path), backend="agg")
    figures = sorted(name for name in run["artifacts"] if name.startswith("figures/"))
    assert figures == ["figures/Counts.png", "figures/Loss.png"], figures
    from nbtrack.store import open_store

    png = open_store(tmp_path / "store").read_artifact(run["id"], "figures/Loss.png")
    assert png.startswith(b"\x89PNG") and len(png) > 1000


def test_no_autolog_leaves_the_cell_out_and_records_no_fits_metrics_or_figures(tmp_path):
    path = tmp_path / "plain.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfrom sklearn.dummy import DummyClassifier\n"
        "from sklearn.metrics import accuracy_score\n"
        "model = DummyClassifier().fit([[0], [1], [2]], [0, 1, 1])\n"
        "print(accuracy_score([0, 1], model.predict([[0], [1]])))\nplt.plot([1, 2]); plt.show()")]
    nbformat.write(nb, path)
    quiet, _ = run_and_show(tmp_path / "store", str(path), "--no-autolog")
    assert "model" not in quiet["records"] and "metric" not in quiet["records"] and not quiet["metrics"]
    assert not [n for n in quiet["artifacts"] if n.startswith("figures/")]
    assert "environment" in quiet["records"] and len(quiet["cells"]) == 1
    executed = executed_notebook(tmp_path / "store", quiet)
    assert not any("nbtrack-autolog" in c.metadata.get("tags", []) for c in executed.cells)


def test_show_prints_what_each_of_the_notebooks_cells_cost(classifier_run):
    store, run, _ = classifier_run
    shown = nbtrack(store, "show", run["id"])
    assert shown.returncode == 0, shown.stderr
    table = shown.stdout[shown.stdout.index("\ncell ") + 1:].splitlines()
    assert table[0].split() == ["cell", "wall", "(s)", "cpu", "(s)", "peak", "memory", "status"]
    assert [int(line.split()[0]) for line in table[2:]] == list(range(1, len(run["cells"]) + 1))
    assert all(line.split()[-1] == "ok" and " MB" in line for line in table[2:])
