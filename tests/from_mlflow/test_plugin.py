"""MLflow's own client over an nbtrack store, through the tracking-store plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow_plugin import register

mlflow = pytest.importorskip("mlflow")


@pytest.fixture
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return register(tmp_path_factory.mktemp("entry-points"))


@pytest.fixture
def tracking(plugin_env, store_path):
    """mlflow.set_tracking_uri("nbtrack:STORE") for one test, and MLflow's active run cleared after it."""
    mlflow.set_tracking_uri(f"nbtrack:{store_path}")
    yield f"nbtrack:{store_path}"
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_experiment(experiment_id="0")  # the next test's store has no "churn"
    mlflow.set_tracking_uri("")


def log_a_training(tmp_path: Path, name: str, lr: float, losses: list[float], model: str) -> str:
    """The MLflow calls a training script makes."""
    mlflow.set_experiment("churn")
    notes = tmp_path / "notes.txt"
    notes.write_text(f"{name}\n")
    with mlflow.start_run(run_name=name) as run:
        mlflow.log_param("lr", lr)
        mlflow.log_params({"model": model, "trees": 100})
        for step, loss in enumerate(losses):
            mlflow.log_metric("loss", loss, step=step)
        mlflow.log_metrics({"test.f1": 1 - losses[-1]})
        mlflow.set_tag("team", "risk")
        mlflow.log_artifact(str(notes))
        mlflow.log_artifacts(str(tmp_path / "figures"), artifact_path="figures")
        with mlflow.start_run(run_name=f"{name}-fold", nested=True):
            mlflow.log_metric("fold.f1", 0.5)
    return run.info.run_id


@pytest.fixture
def logged(tracking, tmp_path, store):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "roc.png").write_bytes(b"\x89PNG fake")
    return [log_a_training(tmp_path, "rf", 0.1, [0.9, 0.5, 0.2], "rf"),
            log_a_training(tmp_path, "gb", 0.05, [0.8, 0.6], "gb")]


def test_mlflow_calls_write_runs_that_nbtrack_lists_like_native_ones(logged, store, cli, store_path):
    rf, gb = logged
    run = store.run(rf)
    assert run.experiment == "churn" and run.name == "rf" and run.status.value == "finished"
    assert run.params == {"lr": 0.1, "model": "rf", "trees": 100}  # numbers, as a native run logs them
    assert [p[:2] for p in store.metric_history(rf, "loss")] == [(0, 0.9), (1, 0.5), (2, 0.2)]
    assert run.metrics["test.f1"] == pytest.approx(0.8)
    assert run.tags["team"] == "risk" and run.tags["mlflow.runName"] == "rf"
    assert store.read_artifact(rf, "notes.txt") == b"rf\n"
    assert store.read_artifact(rf, "figures/roc.png") == b"\x89PNG fake"
    child = next(r for r in store.runs() if r.name == "rf-fold")
    assert child.tags["mlflow.parentRunId"] == rf and child.metrics == {"fold.f1": 0.5}

    native = json.loads(cli("runs", "--store", store_path, "--format", "json").stdout)
    assert {r["id"] for r in native} == {rf, gb, child.id, next(r.id for r in store.runs() if r.name == "gb-fold")}
    listed = next(r for r in native if r["id"] == rf)
    import nbtrack

    with nbtrack.start_run("native", experiment="churn", store=store, display=False) as same:
        same.log_params({"lr": 0.1})
        same.log_metric("loss", 0.2, step=2)
    by_hand = next(r for r in json.loads(cli("runs", "--store", store_path, "--format", "json").stdout)
                   if r["id"] == same.id)
    assert set(listed) == set(by_hand)  # the same fields, as the Lab's table shows them
    assert cli("runs", "--store", store_path, "--where", "params.lr > 0.07", "--format", "json").stdout.count(rf) == 1


@pytest.mark.slow
def test_the_lab_shows_a_run_written_through_mlflow_as_a_native_one(logged, store, tmp_path):
    from browser.lab import start_lab
    from server.conftest import Client

    import nbtrack

    with nbtrack.start_run("native", experiment="churn", store=store, display=False) as native:
        native.log_params({"lr": 0.1})
        native.log_metric("loss", 0.2, step=2)
        native.log_artifact(b"native\n", "notes.txt")
    (tmp_path / "root").mkdir()
    server = start_lab(tmp_path / "root", store.location.folder, home=tmp_path / "home", app="server")
    try:
        client = Client(server)
        listed = {r["id"]: r for r in client.request("GET", "/nbtrack/api/runs?limit=50").json()["runs"]}
        assert logged[0] in listed and set(listed[logged[0]]) == set(listed[native.id])
        theirs = client.request("GET", f"/nbtrack/api/runs/{logged[0]}").json()
        ours = client.request("GET", f"/nbtrack/api/runs/{native.id}").json()
        assert set(theirs) == set(ours)
        assert {a["name"] for a in theirs["artifact_list"]} == {"notes.txt", "figures/roc.png"}
        series = client.request("GET", f"/nbtrack/api/runs/{logged[0]}/metrics?key=loss").json()["series"]
        assert [p["value"] for p in series["loss"]] == [0.9, 0.5, 0.2]
    finally:
        server.stop()


FILTERS = [
    ("metrics.`test.f1` > 0.5", "metrics.test.f1 > 0.5"),
    ("params.model = 'rf'", "params.model = 'rf'"),
    ("tags.team = 'risk'", "tags.team = 'risk'"),
    ("metrics.loss < 0.3 and params.model = 'rf'", "metrics.loss < 0.3 and params.model = 'rf'"),
    ("attributes.status = 'FINISHED'", "status = 'finished'"),
    ("params.model != 'rf'", "params.model != 'rf'"),
]


@pytest.mark.parametrize(("theirs", "ours"), FILTERS)
def test_search_runs_returns_the_runs_nbtrack_runs_where_returns(logged, cli, store_path, theirs, ours):
    experiment = mlflow.get_experiment_by_name("churn")
    found = mlflow.search_runs([experiment.experiment_id], filter_string=theirs, output_format="list")
    listed = cli("runs", "--store", store_path, "--where", ours, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert {r.info.run_id for r in found} == {r["id"] for r in json.loads(listed.stdout)}
    assert found  # every filter here matches something


def test_client_calls_get_run_history_batch_and_order(logged, tracking):
    from mlflow.entities import Metric, Param, RunTag

    client = mlflow.MlflowClient()
    rf = logged[0]
    assert client.get_run(rf).data.params == {"lr": "0.1", "model": "rf", "trees": "100"}  # MLflow's text
    assert [(m.step, m.value) for m in client.get_metric_history(rf, "loss")] == [(0, 0.9), (1, 0.5), (2, 0.2)]
    experiment = client.get_experiment_by_name("churn")
    run = client.create_run(experiment.experiment_id, run_name="batch", start_time=1_700_000_000_000)
    client.log_batch(run.info.run_id, metrics=[Metric("m", float(s), 1_700_000_000_000 + s, s) for s in range(100)],
                     params=[Param("p", "x")], tags=[RunTag("t", "y")])
    client.set_terminated(run.info.run_id, end_time=1_700_000_005_000)
    got = client.get_run(run.info.run_id)
    assert (got.info.start_time, got.info.end_time, got.info.status) == (1_700_000_000_000, 1_700_000_005_000,
                                                                          "FINISHED")
    history = client.get_metric_history(run.info.run_id, "m")
    assert [(m.step, m.timestamp) for m in history] == [(s, 1_700_000_000_000 + s) for s in range(100)]
    ordered = client.search_runs([experiment.experiment_id], "", order_by=["metrics.`test.f1` DESC"],
                                 max_results=2)
    assert [r.info.run_name for r in ordered] == ["rf", "gb"]
    assert [a.path for a in client.list_artifacts(rf)] == ["figures", "notes.txt"]


def test_unsupported_calls_answer_with_an_mlflow_error_that_says_so(logged, tracking):
    client = mlflow.MlflowClient()
    with pytest.raises(mlflow.exceptions.MlflowException, match="not supported by the nbtrack tracking store"):
        client.delete_run(logged[0])
    with pytest.raises(mlflow.exceptions.MlflowException, match="is finished and cannot change"):
        client.log_param(logged[0], "late", 1)


def test_sklearn_autolog_through_the_plugin_records_params_metrics_and_a_loadable_model(tracking, store):
    pytest.importorskip("sklearn")
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    mlflow.sklearn.autolog()
    try:
        x, y = make_classification(n_samples=200, random_state=0)
        with mlflow.start_run() as run:
            fitted = LogisticRegression(C=0.5, max_iter=200).fit(x, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    stored = store.run(run.info.run_id)
    assert stored.params["C"] == 0.5 and stored.params["max_iter"] == 200
    assert 0.5 < stored.metrics["training_accuracy_score"] <= 1.0
    assert "model/MLmodel" in stored.artifacts and "training_roc_curve.png" in stored.artifacts
    loaded = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    assert (loaded.predict(x) == fitted.predict(x)).all()


@pytest.mark.slow
def test_a_notebook_run_by_nbtrack_that_calls_mlflow_lands_in_the_engines_run(plugin_env, notebook, cli, store,
                                                                              store_path):
    path = notebook(["import mlflow\nmlflow.set_tracking_uri('nbtrack:')\nmlflow.set_experiment('nb')",
                     ("with mlflow.start_run():\n    mlflow.log_param('depth', depth)\n"
                      "    mlflow.log_metric('acc', 0.75, step=3)")], parameters="depth = 4")
    done = cli("run", path, "-p", "depth", "6", "--store", store_path, "--format", "json",
               env={**plugin_env, "NBTRACK_STORE": str(store_path)})
    assert done.returncode == 0, done.stderr
    runs = store.runs()
    assert len(runs) == 1  # not a second run beside the engine's
    run = runs[0]
    assert run.id == json.loads(done.stdout)["id"] and run.status.value == "finished"
    assert run.params["depth"] == 6 and run.metrics == {"acc": 0.75}
    assert run.tags["mlflow.source.type"]


def test_a_run_mlflow_keeps_open_stays_running_between_its_writes(tracking, store, monkeypatch):
    import time

    monkeypatch.setenv("NBTRACK_HEARTBEAT", "0.2")
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 1.0)
        time.sleep(1.5)  # past three missed heartbeats, were nobody beating
        assert store.run(run.info.run_id).status.value == "running"
    assert store.run(run.info.run_id).status.value == "finished"
