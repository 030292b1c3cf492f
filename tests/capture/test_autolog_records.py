"""What autolog records for notebooks like scikit-learn's gallery, run with `nbtrack run` as a new user would.

Each notebook under notebooks/ never mentions nbtrack (but the papermill one); each test reads the
stored run back with `nbtrack show --format json` and checks the records a user expects, and
that scikit-learn's internal fits, predictions and scores left none.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("autolog_records")]

NOTEBOOKS = Path(__file__).parent / "notebooks"
INLINE = "module://matplotlib_inline.backend_inline"  # figures are displayed, as in JupyterLab


def environment(store: Path) -> dict[str, str]:
    env = {**os.environ, "NBTRACK_STORE": str(store), "MPLBACKEND": INLINE}
    env.pop("NBTRACK_RUN_ID", None)
    return env


def nbtrack(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nbtrack", *args], capture_output=True, text=True,
                          env=environment(store), cwd=store.parent, timeout=600)


def show(store: Path, run_id: str) -> dict:
    shown = nbtrack(store, "show", run_id, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def run_notebook(tmp_path_factory: pytest.TempPathFactory, name: str) -> tuple[Path, dict]:
    store = tmp_path_factory.mktemp(name) / "store"
    done = nbtrack(store, "run", str(NOTEBOOKS / f"{name}.ipynb"), "--format", "json")
    assert done.returncode == 0, done.stderr
    return store, show(store, json.loads(done.stdout)["id"])


def read_artifact(store: Path, run: dict, name: str) -> bytes:
    from nbtrack.store import open_store

    return open_store(store).read_artifact(run["id"], name)


def test_the_demo_notebook_records_its_model_once_and_its_loss_only_as_test_loss(tmp_path_factory):
    store = tmp_path_factory.mktemp("demo") / "store"
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "train_classifier.ipynb"
    done = nbtrack(store, "run", str(notebook), "-p", "model", "rf", "-p", "n_estimators", "20", "--format", "json")
    assert done.returncode == 0, done.stderr
    run = show(store, json.loads(done.stdout)["id"])
    assert list(run["records"]["model"]) == ["rf"]  # not also as RandomForestClassifier(...) from autolog
    assert run["records"]["model"]["rf"]["data"] == "train" and "file" in run["records"]["model"]["rf"]
    assert run["summaries"]["test.loss"]["count"] == 20
    assert not [key for key in run["metrics"] if key.startswith("sklearn.")]  # log_loss is test.loss already


def test_repeated_predict_proba_of_a_calibrated_model_records_one_model_and_its_scores(tmp_path_factory):
    _, run = run_notebook(tmp_path_factory, "calibration")
    records = run["records"]
    assert list(records["model"]) == ["CalibratedClassifierCV(GaussianNB)"]  # 31 predict_proba calls fitted no LabelEncoder
    assert set(run["metrics"]) == {"test.brier_score_loss", "test.roc_auc"}
    assert 0.85 < run["metrics"]["test.roc_auc"] < 1 and run["summaries"]["test.roc_auc"]["count"] == 1
    evaluation = records["evaluation"]["test"]
    assert evaluation["rows"] == 1200 and evaluation["confusion_matrix"]["labels"] == ["0", "1"]
    assert abs(evaluation["metrics"]["roc_auc"] - run["metrics"]["test.roc_auc"]) < 1e-9
    train = records["data"]["train"]
    assert train["rows"] == 1800 and train["columns"] == 12 and train["target"]["kind"] == "categorical"
    assert records["model"]["CalibratedClassifierCV(GaussianNB)"]["data"] == "train"


def test_a_path_of_many_fits_is_bounded_out_loud_and_keeps_the_last_fit(tmp_path_factory):
    _, run = run_notebook(tmp_path_factory, "logistic_path")
    models = run["records"]["model"]
    assert not [name for name in models if "LabelBinarizer" in name]  # l1_min_c's own fit
    path = [name for name in models if name.startswith("LogisticRegression(")]
    assert len(path) == 100 and len(set(path)) == 100  # one name per C: what varies
    assert run["tags"]["nbtrack.autolog.models_dropped"] == "10"  # 111 fits: 100, the latest, 10 replaced
    last = models["LogisticRegression-latest"]  # the user's final fit, after the bound
    assert last["params"]["C"] == 0.5 and last["fitted"]["classes"] == [0, 1]  # classes as JSON values
    assert "StandardScaler" in models  # fit_transform is the user's fit
    assert set(run["records"]["data"]) == {"train", "X"}  # raw data first, then the scaled X by its name


def test_many_classifiers_compared_by_score_each_have_their_own_named_series(tmp_path_factory):
    store, run = run_notebook(tmp_path_factory, "compare_classifiers")
    models = list(run["records"]["model"])
    assert sorted(models) == ["Pipeline(DecisionTreeClassifier, max_depth=5, random_state=0)",
                              "Pipeline(KNeighborsClassifier, n_neighbors=3)",
                              "Pipeline(SVC, C=0.025, kernel=linear)", "Pipeline(SVC, C=1, gamma=2)"]
    metrics = run["metrics"]
    for model in models:
        assert run["summaries"][f"{model}.test.accuracy"]["count"] == 1
        assert f"{model}.test" in run["records"]["evaluation"]
    tree = "Pipeline(DecisionTreeClassifier, max_depth=5, random_state=0)"
    assert metrics[f"{tree}.train.accuracy"] > metrics[f"{tree}.test.accuracy"]  # train kept apart
    assert not [key for key in metrics if key.startswith("sklearn.")]  # score's own accuracy_score is internal
    assert metrics["test.accuracy"] == metrics["Pipeline(KNeighborsClassifier, n_neighbors=3).test.accuracy"]
    figures = sorted(name for name in run["artifacts"] if name.startswith("figures/"))
    assert figures == ["figures/cell7.png", "figures/test-split-and-accuracy-by-model.png"]
    shown = nbtrack(store, "show", run["id"])
    assert shown.returncode == 0 and "Pipeline(SVC, C=0.025, kernel=linear)" in shown.stdout


def test_permutation_importance_leaves_the_models_score_alone(tmp_path_factory):
    _, run = run_notebook(tmp_path_factory, "permutation_importance")
    assert set(run["metrics"]) == {"test.r2"}  # 5 x 10 shuffled scores were permutation_importance's own
    summary = run["summaries"]["test.r2"]
    assert summary["count"] == 2 and summary["min"] == pytest.approx(summary["max"])  # r2_score, then .score
    assert list(run["records"]["model"]) == ["Ridge(alpha=0.01)"]
    evaluation = run["records"]["evaluation"]["test"]
    assert evaluation["task"] == "regression" and evaluation["rows"] == 111
    assert evaluation["metrics"]["r2"] == pytest.approx(run["metrics"]["test.r2"])
    assert run["records"]["data"]["train"]["schema"]["bmi"] == "float64"  # a frame keeps its columns


def test_cross_validate_with_estimators_and_indices_keeps_fold_scores_and_sizes(tmp_path_factory):
    _, run = run_notebook(tmp_path_factory, "cross_validation")
    record = run["records"]["metric"]["cv"]
    assert record["estimator"] == "Pipeline(LogisticRegression)"
    folds = record["value"]
    assert len(folds["test_accuracy"]) == len(folds["train_f1"]) == len(folds["fit_time"]) == 5
    assert folds["estimator"] == ["Pipeline"] * 5
    assert sum(folds["fold_sizes"]["test"]) == 569 and len(folds["fold_sizes"]["train"]) == 5
    assert run["metrics"]["cv.accuracy.mean"] == pytest.approx(sum(folds["test_accuracy"]) / 5)
    assert {"cv.accuracy.std", "cv.f1.mean", "cv.train_accuracy.mean"} <= set(run["metrics"])
    assert "model" not in run["records"]  # the folds' fits are cross_validate's


def test_a_search_with_a_callable_refit_keeps_its_outcome_and_every_candidate(tmp_path_factory):
    store, run = run_notebook(tmp_path_factory, "search_refit")
    search = run["records"]["model"]["GridSearchCV(SVC)"]["search"]
    assert search["candidates"] == 6 and search["refit"].endswith("simplest_within_one_std")
    assert search["best_score"] is None  # scikit-learn sets no best_score_ with a callable refit
    assert search["best_params"]["C"] in (0.1, 1, 10)
    table = pd.read_csv(io.BytesIO(read_artifact(store, run, search["cv_results"])))
    assert len(table) == 6 and {"params", "mean_test_accuracy", "rank_test_f1"} <= set(table.columns)
    best = table.iloc[search["best_index"]]
    assert json.loads(best["params"]) == search["best_params"]
    assert run["metrics"]["search.best_score.accuracy"] == pytest.approx(best["mean_test_accuracy"])
    assert run["summaries"]["search.mean_test_accuracy"]["count"] == 6  # candidates comparable as one series
    assert run["params"]["search.best.C"] == search["best_params"]["C"]
    assert "test.accuracy" in run["metrics"] and "test" in run["records"]["evaluation"]


@pytest.mark.parametrize("options", [[], ["--inject-paths"]], ids=["found-in-working-folder", "inject-paths"])
def test_start_run_under_plain_papermill_keeps_its_parameters_and_notebook(tmp_path, options):
    store = tmp_path / "store"
    notebook = tmp_path / "papermill_start_run.ipynb"
    notebook.write_bytes((NOTEBOOKS / "papermill_start_run.ipynb").read_bytes())
    earlier = nbformat.read(notebook, as_version=4)  # an output papermill wrote before: not the input
    earlier.cells.insert(1, nbformat.v4.new_code_cell("# Parameters\nn_max = 3\n", metadata={"tags": ["injected-parameters"]}))
    nbformat.write(earlier, tmp_path / "earlier-output.ipynb")
    done = subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(tmp_path / "out.ipynb"),
                           "-p", "n_max", "20", *options],
                          capture_output=True, text=True, env=environment(store), cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    listed = nbtrack(store, "runs", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    (summary,) = json.loads(listed.stdout)
    run = show(store, summary["id"])
    assert run["params"] == {"n_max": 20, "label": "small"}  # injected value, declared default
    assert run["metrics"]["total"] == 190
    assert run["experiment"] == "papermill_start_run"
    assert run["notebook"]["path"] == str(notebook) and run["status"] == "finished"
    assert "source.ipynb" in run["artifacts"]
    assert "environment" in run["records"]


def test_show_lists_repeated_model_names_in_number_order(tmp_path):
    from nbtrack.store import open_store

    store_path = tmp_path / "store"
    store = open_store(store_path)
    run_id = store.create_run("names")
    for name in ("SVC-10", "SVC", "SVC-2"):
        store.add_record(run_id, "model", name, {"class": "sklearn.svm.SVC"})
    shown = nbtrack(store_path, "show", run_id)
    assert shown.returncode == 0, shown.stderr
    assert "SVC, SVC-2, SVC-10" in shown.stdout  # was SVC, SVC-10, SVC-2


DEMO_METRICS = {f"{split}.{metric}" for split in ("train", "test")
                for metric in ("accuracy", "expected_cost", "f1", "log_loss", "precision", "recall", "roc_auc")}


@pytest.mark.parametrize("model", ["rf", "gb", "logreg"])
def test_the_demo_notebook_keeps_the_few_metric_keys_a_person_expects_for_each_model(tmp_path_factory, model):
    store = tmp_path_factory.mktemp(f"demo-{model}") / "store"
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "train_classifier.ipynb"
    done = nbtrack(store, "run", str(notebook), "-p", "model", model, "-p", "n_estimators", "20",
                   "-p", "C", "0.5", "--format", "json")
    assert done.returncode == 0, done.stderr
    run = show(store, json.loads(done.stdout)["id"])
    assert set(run["metrics"]) == DEMO_METRICS | {"test.loss"}
    models = list(run["records"]["model"])
    assert not [name for name in models if name.rsplit("-", 1)[-1].isdigit()]  # no -2 ... -50
    if model == "logreg":  # the stepwise warm_start loop: one model refitted 50 times, one series
        assert models == ["LogisticRegression(C=0.5, max_iter=1, warm_start=True)", "logreg"]
        assert run["summaries"]["test.loss"]["count"] == 50
        # the loop's log_loss values are the notebook's own test.loss: autolog keeps no second copy,
        # so test.log_loss is the evaluation's one value (it was 51 points, two models mixed)
        assert run["summaries"]["test.log_loss"]["count"] == 1
    else:
        assert models == [model]
