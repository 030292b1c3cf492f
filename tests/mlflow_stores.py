"""An MLflow store populated through MLflow's own client, as a team coming to nbtrack has one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STEPS = 1000


def populate(uri: str, folder: Path) -> dict[str, Any]:
    """Two experiments, runs with 1,000-step series, a nested run, tags, artifacts, a model with an alias."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    made: dict[str, Any] = {"runs": []}
    for experiment in ("churn", "fraud"):
        experiment_id = client.create_experiment(experiment, artifact_location=(folder / experiment).as_uri())
        for i in range(2):
            run = client.create_run(experiment_id, start_time=1_700_000_000_000 + i * 60_000,
                                    tags={"mlflow.user": "ana", "mlflow.source.name": "train.ipynb",
                                          "mlflow.source.type": "NOTEBOOK", "team": "risk"},
                                    run_name=f"{experiment}-{i}")
            run_id = run.info.run_id
            client.log_batch(run_id, params=[Param("lr", str(0.1 * (i + 1))), Param("model", "rf")],
                             metrics=[Metric("loss", 1.0 / (s + 1) + i, 1_700_000_000_000 + i * 60_000 + s, s)
                                      for s in range(STEPS)], tags=[RunTag("fold", str(i))])
            client.log_metric(run_id, "test.f1", 0.8 + i / 100, timestamp=1_700_000_100_000, step=0)
            artifact = folder / f"notes-{experiment}-{i}.txt"
            artifact.write_text(f"notes of {experiment} {i}\n")
            client.log_artifact(run_id, str(artifact))
            client.log_artifact(run_id, str(artifact), artifact_path="model")
            if i == 0:  # MLflow 3 keeps a logged model's files beside the run's, not among them
                model = client.create_logged_model(experiment_id, name="clf", source_run_id=run_id)
                files = folder / f"clf-{experiment}"
                files.mkdir()
                (files / "MLmodel").write_text(f"name: clf of {experiment}\n")
                client.log_model_artifacts(model.model_id, str(files))
                client.finalize_logged_model(model.model_id, "READY")
            client.set_terminated(run_id, "FINISHED" if i == 0 else "FAILED", end_time=1_700_000_200_000 + i)
            made["runs"].append(run_id)
        child = client.create_run(experiment_id, start_time=1_700_000_300_000, run_name="child",
                                  tags={"mlflow.parentRunId": made["runs"][-1]})
        client.log_metric(child.info.run_id, "acc", 0.5, timestamp=1_700_000_300_001, step=7)
        client.set_terminated(child.info.run_id, "FINISHED", end_time=1_700_000_300_500)
        made["runs"].append(child.info.run_id)
    default = client.create_run("0", start_time=1_700_000_350_000, run_name="in-default")
    client.set_terminated(default.info.run_id, "KILLED", end_time=1_700_000_360_000)
    made["runs"].append(default.info.run_id)
    deleted = client.create_run(experiment_id, start_time=1_700_000_400_000)
    client.set_terminated(deleted.info.run_id, "FINISHED")
    client.delete_run(deleted.info.run_id)
    made["deleted"] = deleted.info.run_id
    running = client.create_run(experiment_id, start_time=1_700_000_500_000)
    made["running"] = running.info.run_id
    client.create_registered_model("churn")
    for run_id in made["runs"][:1] + made["runs"][2:3]:
        client.create_model_version("churn", f"runs:/{run_id}/model", run_id=run_id)
    client.set_registered_model_alias("churn", "champion", "2")
    return made
