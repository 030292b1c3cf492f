"""Creating finished runs, each with 10 params and 5 metrics, through the public API."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.timing import Row, Target

MEASURE = "create 1,000 finished runs (10 params, 5 metrics)"


def run_params(i: int) -> dict[str, Any]:
    """The same 10 params the peer scripts give each run (benchmarks/peers/_common.py)."""
    return {"model": ["rf", "gb", "lr", "svm"][i % 4], "C": 0.1 * (i % 10), "max_depth": i % 7,
            "n_estimators": 100 + i % 5, "seed": i, "lr": 0.01, "batch": 32, "split": "test",
            "scale": True, "features": 20}


def run_metrics(i: int) -> dict[str, float]:
    return {"test.f1": (i % 100) / 100, "test.acc": 0.5 + (i % 50) / 100, "val.loss": 1 / (i + 1),
            "train.loss": 0.5 / (i + 1), "fit_time": 0.01 * (i % 9)}


def create_runs(store: Any, count: int, first: int = 0) -> float:
    """Seconds to create, fill and finish `count` runs, one at a time as a notebook would."""
    import nbtrack

    start = time.perf_counter()
    for i in range(first, first + count):
        with nbtrack.start_run(experiment="bench", params=run_params(i), store=store) as run:
            run.log_metrics(run_metrics(i))
    return time.perf_counter() - start


def run(ctx: Context) -> None:
    from nbtrack.store import open_store

    count = ctx.size(300, 20)  # per-run cost is flat (see listing.py's growth rows); scaled to 1,000
    seconds = []
    for _ in range(ctx.reps):
        with ctx.scratch("runs") as where:
            seconds.append(create_runs(open_store(Path(where) / "store"), count))
    ctx.add(Row(MEASURE, "nbtrack", statistics.median(seconds) * 1_000 / count, "s", False,
                Target(2.0, False), samples=seconds, note=f"measured on {count} runs, scaled to 1,000",
                probe=ctx.in_scratch("probe", lambda w: create_runs(open_store(w / "store"), count))))
    sizes = {peers.MLFLOW: 50, peers.AIM: 50, peers.WANDB: 5}  # W&B starts a service per run
    for peer in ctx.peers:
        if peer is peers.MLFLOW:
            continue  # MLflow's creation is timed together with its listing (measures/listing.py)
        found = ctx.peer(peer, "runs", create=sizes[peer], reps=ctx.reps, total=0, queries=0)
        if found:
            per_run = statistics.median(found["create_seconds"]) / sizes[peer]
            ctx.add(Row(MEASURE, peer.title, per_run * 1_000, "s", False,
                        note=f"measured on {sizes[peer]} runs, scaled to 1,000", samples=found["create_seconds"]))
