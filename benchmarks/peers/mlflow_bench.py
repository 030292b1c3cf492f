"""MLflow with its SQLite backend: the measures nbtrack is compared with (run in MLflow's venv)."""

from __future__ import annotations

import logging
import time
from typing import Any

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

from _common import main, run_metrics, run_params, timed

logging.getLogger("mlflow").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.ERROR)


def log_one(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """One point per log_metric call; timed from the first call to the end of the run."""
    mlflow.set_experiment("log_one")  # creates the database and its schema: untimed

    def once() -> float:
        mlflow.start_run()
        start = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("loss", 1 / (i + 1), step=i)
        mlflow.end_run()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def log_batch(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """log_batch of 1000 metrics (MLflow's largest batch), 10 keys per step."""
    mlflow.set_experiment("log_batch")
    client = MlflowClient()

    def once() -> float:
        run = mlflow.start_run()
        start = time.perf_counter()
        now = int(time.time() * 1000)
        for first in range(0, n, 1000):
            batch = [Metric(f"m{i % 10}", 1 / (i + 1), now, i // 10) for i in range(first, min(n, first + 1000))]
            client.log_batch(run.info.run_id, metrics=batch, synchronous=True)
        mlflow.end_run()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def runs(*, workdir: str, create: int, reps: int, total: int, queries: int) -> dict[str, Any]:
    """Create `create` finished runs `reps` times, top up to `total` runs, then list and filter them."""
    mlflow.set_experiment("runs")
    made = 0

    def make(count: int) -> None:
        nonlocal made
        for _ in range(count):
            with mlflow.start_run():
                mlflow.log_params(run_params(made))
                mlflow.log_metrics(run_metrics(made))
            made += 1

    create_seconds = [timed(lambda: make(create)) for _ in range(reps)]
    make(max(0, total - made))
    mlflow.search_runs(experiment_names=["runs"], max_results=1)  # untimed, as nbtrack's first listing is
    frame_seconds = [timed(lambda: mlflow.search_runs(experiment_names=["runs"], max_results=50_000))
                     for _ in range(queries)]
    found: list[Any] = []
    where = "params.model = 'rf' and metrics.`test.f1` > 0.9"
    filter_seconds = [timed(lambda: found.append(mlflow.search_runs(
        experiment_names=["runs"], filter_string=where, max_results=50_000))) for _ in range(queries)]
    return {"create_seconds": create_seconds, "runs": made, "frame_seconds": frame_seconds,
            "filter_seconds": filter_seconds, "filter_rows": len(found[-1])}


AUTOLOG = "import mlflow\nmlflow.autolog()  # added by the benchmark: MLflow's capture of the notebook"


def notebooks(*, workdir: str, notebooks: list[list[Any]], reps: int) -> dict[str, Any]:
    """Each notebook through this venv's papermill CLI, plain and as a copy whose first cell turns on
    mlflow.autolog(), in back-to-back pairs (order alternating); both draw figures with the kernel's
    default backend, as nbtrack's side, and write the output notebook."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    papermill = str(Path(sys.executable).parent / "papermill")
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    out: dict[str, Any] = {}
    for path, params in notebooks:
        name = Path(path).stem
        copy = Path(workdir) / f"{name}-autolog.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(AUTOLOG))
        nbformat.write(nb, copy)
        plain, autolog = [], []
        output = str(Path(workdir) / f"out-{name}.ipynb")

        def execute(source: str) -> float:
            start = time.perf_counter()
            subprocess.run([papermill, "--log-level", "ERROR", *params, source, output],
                           check=True, capture_output=True, cwd=workdir, env=env, timeout=900)
            return time.perf_counter() - start

        for source in (path, str(copy)):  # untimed, as nbtrack's side: a warm disk cache for both
            execute(source)
        for rep in range(reps):
            pair = [(plain, path), (autolog, str(copy))]
            for into, source in pair if rep % 2 == 0 else pair[::-1]:
                into.append(execute(source))
        out[name] = {"plain": plain, "autolog": autolog}
    out["runs"] = len(mlflow.search_runs(search_all_experiments=True, max_results=50_000))
    return out


if __name__ == "__main__":
    main({"log_one": log_one, "log_batch": log_batch, "runs": runs, "notebooks": notebooks})
