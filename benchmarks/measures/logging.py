"""Metric logging throughput: one point per call (10k and 1M points), batched, and bytes per point."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.timing import Row, Target

ONE = "log_metric, one point per call"
BATCHED = "batched metric logging (10 keys per call)"
SIZE = "store size per 1M metric points"


def log_one(store_dir: Path | str, n: int) -> float:
    """Seconds from the first log_metric to finish() returning (every point durable)."""
    import nbtrack

    run = nbtrack.start_run(experiment="bench", store=nbtrack.open_store(store_dir))
    start = time.perf_counter()
    for i in range(n):
        run.log_metric("loss", 1 / (i + 1))
    run.finish()
    return time.perf_counter() - start


def log_batched(store_dir: Path | str, n: int) -> float:
    import nbtrack

    run = nbtrack.start_run(experiment="bench", store=nbtrack.open_store(store_dir))
    start = time.perf_counter()
    for step in range(n // 10):
        run.log_metrics({f"m{k}": 1 / (step + k + 1) for k in range(10)}, step=step)
    run.finish()
    return time.perf_counter() - start


def database_bytes(store_dir: Path) -> int:
    """The database's size on disk once its write-ahead log is checkpointed into it."""
    import sqlite3

    database = store_dir / "nbtrack.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in store_dir.glob("nbtrack.db*"))


def run(ctx: Context) -> None:
    points_target = Target(200_000, True)
    for n in (ctx.size(10_000, 200), ctx.size(1_000_000, 2_000)):
        seconds = []
        for _ in range(ctx.reps):
            with ctx.scratch("log-one") as where:
                seconds.append(log_one(where / "store", n))
                if n >= 100_000:
                    size = database_bytes(where / "store")
        label = f"{ONE}, {n:,} points"
        ctx.add(Row(label, "nbtrack", n / statistics.median(seconds), "points/s", True, points_target,
                    samples=seconds, probe=ctx.in_scratch("probe", lambda w, n=n: log_one(w / "store", n))))
        if n >= 100_000:
            ctx.add(Row(SIZE, "nbtrack", size / 1e6 * 1_000_000 / n, "MB", False, Target(40, False),
                        note=f"measured on the {n:,}-point run, database checkpointed"))
    n = ctx.size(1_000_000, 2_000)
    seconds = []
    for _ in range(ctx.reps):
        with ctx.scratch("log-batched") as where:
            seconds.append(log_batched(where / "store", n))
    ctx.add(Row(f"{BATCHED}, {n:,} points", "nbtrack", n / statistics.median(seconds), "points/s", True,
                Target(500_000, True), samples=seconds,
                probe=ctx.in_scratch("probe", lambda w: log_batched(w / "store", n))))
    _peers(ctx)


def _peers(ctx: Context) -> None:
    """Peers log fewer points (MLflow manages ~100/s); their per-point cost does not fall with n."""
    sizes = {peers.MLFLOW: (100, 3_000), peers.WANDB: (1_000, 10_000), peers.AIM: (1_000, 10_000)}
    for peer in ctx.peers:
        one, batched = sizes[peer]
        found = ctx.peer(peer, "log_one", n=one, reps=ctx.reps)
        if found:
            rate = one / statistics.median(found["seconds"])
            for n in (10_000, 1_000_000):
                ctx.add(Row(f"{ONE}, {n:,} points", peer.title, rate, "points/s", True,
                            note=f"measured at {one:,} points, the per-point cost taken as constant",
                            samples=found["seconds"]))
        found = ctx.peer(peer, "log_batch", n=batched, reps=ctx.reps)
        if found:
            rate = batched / statistics.median(found["seconds"])
            ctx.add(Row(f"{BATCHED}, {ctx.size(1_000_000, 2_000):,} points", peer.title, rate, "points/s", True,
                        note=f"measured at {batched:,} points", samples=found["seconds"]))
