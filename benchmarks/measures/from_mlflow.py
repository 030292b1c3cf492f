"""Coming from MLflow: importing an MLflow store, and log_metric through the nbtrack plugin against MLflow's own.

The import is timed against MLflow reading the same data through its own client
(search_runs, then get_metric_history for every run and key): the least an import
must do. log_metric through the plugin is one nbtrack transaction per call, as it is
one commit per call in MLflow's SQLite store; MLflow is measured as installed
(rollback journal, synchronous=FULL) and at nbtrack's durability (WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.context import Context
from benchmarks.timing import Row

IMPORT = "import MLflow runs"
LOG = "log_metric through MLflow's API, one point per call"
TESTS = Path(__file__).resolve().parents[2] / "tests"
IMPORT_REPS = 1  # at full size one read is minutes (MLflow's ~1M ORM rows) and an import a few more


def populate(uri: str, runs: int, points: int) -> None:
    """runs finished runs of `points` steps of one metric, through MLflow's client."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("bench")
    for r in range(runs):
        run_id = client.create_run(experiment, start_time=1_700_000_000_000 + r).info.run_id
        for first in range(0, points, 1000):  # MLflow takes at most 1,000 metrics per log_batch
            client.log_batch(run_id, params=[Param("r", str(r))] if first == 0 else [],
                             metrics=[Metric("loss", 1 / (s + 1), 1_700_000_000_000 + s, s)
                                      for s in range(first, min(points, first + 1000))])
        client.set_terminated(run_id, end_time=1_700_000_001_000 + r)


def mlflow_read(uri: str) -> float:
    """Seconds for MLflow to read every run and every point of the store through its client."""
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    client = MlflowClient(tracking_uri=uri)
    start = time.perf_counter()
    experiments = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
    token, runs = None, []
    while True:
        page = client.search_runs(experiments, run_view_type=ViewType.ALL, max_results=1000, page_token=token)
        runs += page
        token = page.token
        if not token:
            break
    for run in runs:
        for key in run.data.metrics:
            client.get_metric_history(run.info.run_id, key)
    return time.perf_counter() - start


def nbtrack_import(uri: str, store: Path) -> float:
    from nbtrack.mlflow import import_mlflow

    start = time.perf_counter()
    import_mlflow(f"mlflow://{uri}", store, progress=False)
    return time.perf_counter() - start


@contextmanager
def sqlite_durability(journal: str, synchronous: str) -> Iterator[None]:
    """Every SQLite connection SQLAlchemy opens meanwhile gets these settings (MLflow's included)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def configure(dbapi_conn: Any, _record: Any) -> None:
        if type(dbapi_conn).__module__.startswith("sqlite3"):
            dbapi_conn.execute(f"PRAGMA journal_mode = {journal}")
            dbapi_conn.execute(f"PRAGMA synchronous = {synchronous}")

    event.listen(Engine, "connect", configure)
    try:
        yield
    finally:
        event.remove(Engine, "connect", configure)


def log_points(uri: str, n: int) -> float:
    """Seconds for n mlflow.log_metric calls in one run, through whichever store the URI names."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("bench")
    with mlflow.start_run():
        start = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("loss", 1 / (i + 1), step=i)
        seconds = time.perf_counter() - start
    mlflow.set_tracking_uri("")
    return seconds


def run(ctx: Context) -> None:
    try:
        import mlflow  # noqa: F401 - the extra nbtrack[mlflow], installed by make test
    except ImportError:
        ctx.note("from_mlflow: MLflow is not installed (pip install 'nbtrack[mlflow]'); measure skipped")
        return
    _import(ctx)
    _logging(ctx)


def _import(ctx: Context) -> None:
    runs, points = ctx.size(1_000, 20), ctx.size(1_000, 50)
    label = f"{IMPORT}, {runs:,} runs x {points:,} points"
    ours, theirs = [], []
    with ctx.scratch("mlflow-import") as where:
        uri = f"sqlite:///{where / 'mlflow.db'}"
        populate(uri, runs, points)
        for rep in range(IMPORT_REPS):
            theirs.append(mlflow_read(uri))
            ours.append(nbtrack_import(uri, where / f"store-{rep}"))
    ctx.add(Row(label, "nbtrack import mlflow://", statistics.median(ours), "s", False, samples=ours,
                note="into an empty store: MLflow's client reads, a staging store, then nbtrack import; one repetition"))
    ctx.add(Row(label, "MLflow search_runs + get_metric_history", statistics.median(theirs), "s", False,
                samples=theirs, note="MLflow's own read of the same runs and points: no write"))
    ctx.add(Row(f"{label}: import / MLflow's read", "nbtrack", statistics.median(ours) / statistics.median(theirs),
                "x", False))


def _logging(ctx: Context) -> None:
    sys.path.insert(0, str(TESTS))
    from mlflow_plugin import register  # the entry points, for a checkout not installed with them

    n = ctx.size(2_000, 50)
    label = f"{LOG}, {n:,} points"
    subjects = [
        ("nbtrack plugin (nbtrack:STORE; WAL, synchronous=NORMAL)", "nbtrack", None),
        ("MLflow SQLite store, as installed (rollback journal, synchronous=FULL)", "sqlite", None),
        ("MLflow SQLite store at nbtrack's durability (WAL, synchronous=NORMAL)", "sqlite", ("WAL", "NORMAL")),
    ]
    with ctx.scratch("mlflow-log") as where:
        register(where / "entry-points")
        for index, (who, kind, durability) in enumerate(subjects):
            seconds = []
            for rep in range(ctx.reps):
                target = where / f"{kind}-{index}-{rep}"
                uri = f"nbtrack:{target}" if kind == "nbtrack" else f"sqlite:///{target}.db"
                if durability:
                    with sqlite_durability(*durability):
                        seconds.append(log_points(uri, n))
                else:
                    seconds.append(log_points(uri, n))
            ctx.add(Row(label, who, n / statistics.median(seconds), "points/s", True, samples=seconds))
