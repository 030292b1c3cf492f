"""Creating finished runs, each with 10 params and 5 metrics, through the public API."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks import peers
from benchmarks.context import LEVELS, Context, checked, durability, synchronous, who
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

    count = ctx.size(1_000, 20)  # the full 1,000: no scaling
    with ctx.scratch("warm-up") as where:  # the first rep would otherwise pay the store's imports
        create_runs(open_store(where / "store"), 3)
    ours: dict[str, float] = {}
    for level in LEVELS:
        seconds, observed = [], ""
        for _ in range(ctx.reps):
            with durability(level), ctx.scratch("runs") as where:
                store = open_store(Path(where) / "store")
                observed = synchronous(store)
                seconds.append(create_runs(store, count))
                store.close()
        ours[level] = statistics.median(seconds)
        ctx.add(Row(_name(count), who(level), ours[level], "s", False,
                    Target(2.0, False) if level == "normal" and count == 1_000 else None, samples=seconds,
                    note=checked(ctx, level, observed) + "; one run at a time through start_run, as a notebook would",
                    probe=ctx.in_scratch("probe", lambda w: create_runs(open_store(w / "store"), count))))
    if peers.MLFLOW in ctx.peers:
        _mlflow(ctx, count, ours)
    small = ctx.size(50, 5)  # W&B starts a service per run and Aim opens a repository: both at 50 runs
    others = [p for p in ctx.peers if p is not peers.MLFLOW]
    if not others:
        return
    for level in LEVELS:
        seconds = []
        for _ in range(ctx.reps):
            with durability(level), ctx.scratch("runs-small") as where:
                seconds.append(create_runs(open_store(Path(where) / "store"), small))
        ctx.add(Row(_name(small), who(level), statistics.median(seconds), "s", False, samples=seconds))
    for peer in others:
        found = ctx.peer(peer, "runs", create=small, reps=ctx.reps, total=0, queries=0)
        if found:
            ctx.add(Row(_name(small), peer.title, statistics.median(found["create_seconds"]), "s", False,
                        samples=found["create_seconds"]))


def _name(count: int) -> str:
    return MEASURE if count == 1_000 else f"create {count:,} finished runs (10 params, 5 metrics)"


def _mlflow(ctx: Context, count: int, ours: dict[str, float]) -> None:
    """MLflow creates the same runs `reps` times into one database, then lists and filters all of them;
    nbtrack lists and filters a store of exactly as many runs (listing.py has its larger sizes)."""
    from benchmarks.measures import listing

    found = ctx.peer(peers.MLFLOW, "runs", timeout=1800,
                     create=count, reps=ctx.reps, total=0, queries=max(3, ctx.reps))
    if not found:
        return
    title = peers.MLFLOW.title
    theirs = statistics.median(found["create_seconds"])
    ctx.add(Row(_name(count), title, theirs, "s", False, samples=found["create_seconds"],
                note="each call its own fsynced transaction (SQLite's default synchronous=FULL, rollback journal)"))
    ctx.add(Row(f"{_name(count)} at durability=full: times faster than {peers.MLFLOW.label}, same runs",
                who("full"), theirs / ours["full"], "x", True, Target(5, True),
                note=f"{title} {theirs:.2f} s against {ours['full']:.2f} s; at durability=normal "
                     f"{theirs / ours['normal']:.1f}x"))
    listing.against_mlflow(ctx, found)
