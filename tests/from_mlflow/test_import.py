"""nbtrack import mlflow://...: every run, value, timestamp, artifact and registered model arrives, once."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nbtrack.mlflow import import_mlflow
from nbtrack.mlflow.importer import nbtrack_run_id

mlflow = pytest.importorskip("mlflow")


def by_mlflow_id(store):
    return {r.tags["mlflow.run_id"]: r for r in store.runs()}


def test_every_run_value_and_timestamp_of_an_mlflow_store_arrives_equal(mlflow_store, store, tmp_path):
    uri, made = mlflow_store
    report = import_mlflow(f"mlflow://{uri}", store, progress=False)
    assert sorted(report.imported) == sorted(made["runs"])
    assert report.skipped == {made["deleted"]: "deleted in MLflow",
                              made["running"]: "running in MLflow; import again once it has ended"}
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    runs = by_mlflow_id(store)
    assert set(runs) == set(made["runs"])
    for mlflow_id, run in runs.items():
        theirs = client.get_run(mlflow_id)
        info, data = theirs.info, theirs.data
        assert run.id == nbtrack_run_id(mlflow_id, info.start_time)
        theirs_name = client.get_experiment(info.experiment_id).name
        assert run.experiment == ("default" if info.experiment_id == "0" else theirs_name)  # nbtrack's default
        assert run.name == info.run_name
        assert run.status.value == info.status.lower()
        assert run.started_at * 1000 == pytest.approx(info.start_time, abs=1e-3)
        assert run.ended_at * 1000 == pytest.approx(info.end_time, abs=1e-3)
        assert {k: str(v) for k, v in run.params.items()} == data.params  # "0.1" is kept as 0.1
        assert {k: v for k, v in run.tags.items() if k != "mlflow.run_id"} == data.tags
        assert set(run.metrics) == set(data.metrics)
        for key in data.metrics:
            history = client.get_metric_history(mlflow_id, key)
            steps, values, stamps = zip(*store.metric_history(run.id, key))
            assert list(steps) == [p.step for p in history]
            assert all(math.isclose(a, p.value) for a, p in zip(values, history))
            assert list(stamps) == [p.timestamp for p in history]
        expected = {}
        for top in client.list_artifacts(mlflow_id):
            children = client.list_artifacts(mlflow_id, top.path) if top.is_dir else [top]
            for item in children:
                path = client.download_artifacts(mlflow_id, item.path, str(tmp_path / "dl" / mlflow_id))
                expected[item.path] = Path(path).read_bytes()
        models = client.search_logged_models([info.experiment_id], filter_string=f"source_run_id = '{mlflow_id}'")
        for model in models:
            expected[f"{model.name}/MLmodel"] = f"name: clf of {run.experiment}\n".encode()
        assert {a.name: store.read_artifact(run.id, a.name) for a in store.artifacts(run.id)} == expected
    # The 1,000-step series and the nested run's parent came along.
    first = runs[made["runs"][0]]
    assert len(store.metric_history(first.id, "loss")) == 1000
    assert "clf/MLmodel" in first.artifacts  # the logged model's files, beside model/
    child = runs[made["runs"][2]]
    assert child.tags["mlflow.parentRunId"] == made["runs"][1]
    assert first.tags["mlflow.user"] == "ana" and first.tags["mlflow.source.name"] == "train.ipynb"
    # Registered versions in MLflow's order, and the alias on the same run.
    assert sorted((v.version, v.run_id) for v in store.models.versions("churn")) == [(1, first.id), (2, child.id)]
    assert store.models.get("churn@champion").run_id == child.id


def test_a_second_import_changes_nothing(mlflow_store, store, cli, store_path):
    uri, made = mlflow_store
    first = cli("import", f"mlflow://{uri}", "--store", store_path)
    assert first.returncode == 0, first.stderr
    assert f"imported {len(made['runs'])} MLflow runs and 2 model versions" in first.stdout
    assert "skipped MLflow run" in first.stderr and "deleted in MLflow" in first.stderr
    before = (sorted(r.id for r in store.runs()), store.models.names())
    second = cli("import", f"mlflow://{uri}", "--store", store_path)
    assert second.returncode == 0, second.stderr
    assert f"imported 0 MLflow runs and 0 model versions; {len(made['runs'])} already there" in second.stdout
    after = (sorted(r.id for r in store.runs()), store.models.names())
    assert after[0] == before[0] and len(after[0]) == len(made["runs"])
    assert [(m["name"], m["versions"], m["aliases"]) for m in after[1]] == \
        [(m["name"], m["versions"], m["aliases"]) for m in before[1]] == [("churn", 2, {"champion": 2})]
    listed = json.loads(cli("runs", "--store", store_path, "--format", "json").stdout)
    assert len(listed) == len(made["runs"])


def test_an_interrupted_import_resumes_where_it_stopped(mlflow_store, store, monkeypatch):
    uri, made = mlflow_store
    from nbtrack.mlflow import importer

    monkeypatch.setattr(importer, "BATCH_RUNS", 2)
    calls = {"n": 0}
    real = importer.import_store

    def stop_after_first_batch(*args, **kwargs):
        if calls["n"] == 1:
            raise KeyboardInterrupt
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "import_store", stop_after_first_batch)
    with pytest.raises(KeyboardInterrupt):
        import_mlflow(f"mlflow://{uri}", store, progress=False)
    assert len(store.runs()) == 2  # whole runs only
    monkeypatch.setattr(importer, "import_store", real)
    report = import_mlflow(f"mlflow://{uri}", store, progress=False)
    assert len(report.already) == 2 and len(report.imported) == len(made["runs"]) - 2


def test_a_mlruns_folder_imports_through_mlflows_file_store(tmp_path, store, monkeypatch):
    from mlflow_stores import populate

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    (tmp_path / "files").mkdir()
    made = populate((tmp_path / "mlruns").as_uri(), tmp_path / "files")
    report = import_mlflow(f"mlflow://{tmp_path / 'mlruns'}", store, progress=False)
    assert sorted(report.imported) == sorted(made["runs"])
    assert store.models.get("churn@champion").run_id == by_mlflow_id(store)[made["runs"][2]].id


def test_an_unreachable_mlflow_store_is_one_line(cli, store_path, tmp_path):
    done = cli("import", f"mlflow://{tmp_path / 'nothing'}", "--store", store_path)
    assert done.returncode == 2 and "no MLflow store at" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_import_mlflow_is_a_top_level_name():
    import nbtrack

    assert "import_mlflow" in nbtrack.__all__ and nbtrack.import_mlflow is import_mlflow
