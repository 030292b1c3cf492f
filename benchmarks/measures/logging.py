"""Metric logging throughput: one point per call (10k and 1M points), batched, and bytes per point."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks import peers
from benchmarks.context import LEVELS, Context, checked, durability, synchronous, who
from benchmarks.timing import Row, Target

ONE = "log_metric, one point per call"
BATCHED = "batched metric logging (10 keys per call)"
SIZE = "store size per 1M metric points"
VISIBLE = "point visible to another reader after log_metric, at durability=full"


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


def visibility_lag(store_dir: Path | str, seconds: float, every: float = 0.005) -> tuple[float, int]:
    """The longest wait of any point between its log_metric call and a reader seeing it, and the points logged.

    One point per call every `every` s for `seconds` s on the default buffered path (no flush() call), then
    other work (a busy loop, as a notebook's next cell) until a second connection, polling every 20 ms,
    has seen the last point. The reader is a thread with its own sqlite3 connection: it reads what
    another process would.
    """
    import sqlite3
    import threading

    import nbtrack

    store = nbtrack.open_store(store_dir)
    run = nbtrack.start_run(experiment="bench", store=store)
    logged: list[float] = []
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def read() -> None:
        conn = sqlite3.connect(f"file:{Path(store_dir) / 'nbtrack.db'}?mode=ro", uri=True)
        try:
            while not stop.is_set():
                row = conn.execute("SELECT max(step) FROM metric_summaries").fetchone()
                seen.append((time.perf_counter(), -1 if row[0] is None else int(row[0])))
                time.sleep(0.02)
        finally:
            conn.close()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    end = time.perf_counter() + seconds
    step = 0
    while time.perf_counter() < end:
        logged.append(time.perf_counter())
        run.log_metric("loss", 1 / (step + 1), step=step)
        step += 1
        time.sleep(every)
    deadline = time.perf_counter() + 5.0
    while time.perf_counter() < deadline and not (seen and seen[-1][1] >= step - 1):
        sum(range(20_000))  # other work, holding the GIL as a notebook's next cell would
    stop.set()
    reader.join()
    run.finish()
    lag, i = 0.0, 0
    for at, last in seen:
        while i < step and i <= last:
            lag = max(lag, at - logged[i])
            i += 1
    if i < step:  # never seen within 5 s of the last call: at least that long
        lag = max(lag, (seen[-1][0] if seen else time.perf_counter()) - logged[i])
    return lag, step


def run(ctx: Context) -> None:
    from nbtrack.store import open_store

    levels: dict[str, str] = {}
    with ctx.scratch("warm-up") as where:  # the first row would otherwise pay the store's imports
        log_one(where / "store", 10)
    for level in LEVELS:
        with durability(level), ctx.scratch("check") as where:
            store = open_store(where / "store")
            levels[level] = checked(ctx, level, synchronous(store))
            store.close()
    for n in (ctx.size(10_000, 200), ctx.size(1_000_000, 2_000)):
        for level in LEVELS:
            seconds = []
            for _ in range(ctx.reps):
                with durability(level), ctx.scratch("log-one") as where:
                    seconds.append(log_one(where / "store", n))
                    if n >= 100_000 and level == "normal":
                        size = database_bytes(where / "store")
            label = f"{ONE}, {n:,} points"
            ctx.add(Row(label, who(level), n / statistics.median(seconds), "points/s", True,
                        Target(200_000, True) if level == "normal" else None, samples=seconds,
                        note=levels[level] + "; timed to finish() returned (every point written)",
                        probe=ctx.in_scratch("probe", lambda w, n=n: log_one(w / "store", n))))
            if n >= 100_000 and level == "normal":
                ctx.add(Row(SIZE, who(level), size / 1e6 * 1_000_000 / n, "MB", False, Target(40, False),
                            note=f"measured on the {n:,}-point run, database checkpointed"))
    n = ctx.size(1_000_000, 2_000)
    for level in LEVELS:
        seconds = []
        for _ in range(ctx.reps):
            with durability(level), ctx.scratch("log-batched") as where:
                seconds.append(log_batched(where / "store", n))
        ctx.add(Row(f"{BATCHED}, {n:,} points", who(level), n / statistics.median(seconds), "points/s", True,
                    Target(500_000, True) if level == "normal" else None, samples=seconds, note=levels[level],
                    probe=ctx.in_scratch("probe", lambda w: log_batched(w / "store", n))))
    lags = []
    duration = ctx.size(5.0, 1.0)
    with durability("full"):
        for _ in range(ctx.reps):
            with ctx.scratch("visible") as where:
                lag, points = visibility_lag(where / "store", duration)
                lags.append(lag)
    ctx.add(Row(VISIBLE, who("full"), statistics.median(lags), "s", False, Target(1.0, False), samples=lags,
                note=f"longest wait of any of ~{points:,} points logged over {duration:.0f} s, one per 5 ms call, "
                     "then other work; read by a second connection every 20 ms; default buffered path"))
    _peers(ctx, levels)


def _peers(ctx: Context, levels: dict[str, str]) -> None:
    """Every peer and nbtrack at both durabilities log the same points: MLflow manages ~100 per second
    one per call, so the one-per-call comparison is at 1,000 points (nbtrack's larger sizes are above)."""
    one, batched = ctx.size(1_000, 20), ctx.size(10_000, 200)
    for n, label, action, measure in ((one, ONE, log_one, "log_one"), (batched, BATCHED, log_batched, "log_batch")):
        name = f"{label}, {n:,} points (every subject at this size)"
        ours: dict[str, float] = {}
        for level in LEVELS:
            seconds = []
            for _ in range(ctx.reps):
                with durability(level), ctx.scratch("log-peer-size") as where:
                    seconds.append(action(where / "store", n))
            ours[level] = n / statistics.median(seconds)
            ctx.add(Row(name, who(level), ours[level], "points/s", True, samples=seconds, note=levels[level]))
        for peer in ctx.peers:
            found = ctx.peer(peer, measure, n=n, reps=ctx.reps)
            if not found:
                continue
            rate = n / statistics.median(found["seconds"])
            ctx.add(Row(name, peer.title, rate, "points/s", True, samples=found["seconds"],
                        note="MLflow writes each call in its own fsynced transaction" if peer is peers.MLFLOW else ""))
            if peer is peers.MLFLOW and measure == "log_one":
                ctx.add(Row(f"per-call logging at durability=full, points visible within 1 s: times MLflow's "
                            f"speed at the same {n:,} points", who("full"), ours["full"] / rate, "x", True,
                            Target(100, True), note=f"nbtrack {ours['full']:,.0f} points/s against "
                            f"{peers.MLFLOW.title} {rate:,.0f} points/s, both timed to the run's end; "
                            f"at durability=normal: {ours['normal'] / rate:,.0f}x"))
