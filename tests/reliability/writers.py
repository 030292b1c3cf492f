"""Writer processes the reliability tests kill: importable, so a fork server can start them fast."""

from __future__ import annotations

import hashlib
import os


def metric_writer(store: str, acks: str) -> None:
    """Logs two keys per step; appends a step's number to `acks` only after the flush that stored it returned."""
    import nbtrack

    out = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    run = nbtrack.start_run(experiment="crash", store=store)
    os.write(out, f"run {run.id}\n".encode())
    step = 0
    while True:
        run.log_metric("loss", 1.0 / (step + 1), step=step)
        run.log_metric("acc", step / 1e6, step=step)
        run.flush()
        os.write(out, f"{step}\n".encode())
        step += 1


def buffered_writer(store: str, acks: str, pace: str, max_buffered: int) -> None:
    """Logs a step at a time and never calls flush(); appends "step wall-time" to `acks` after each log call.

    pace: "tight" logs as fast as it can, "steady" sleeps 1 ms a step, "bursts" computes in
    pure Python for 0.2-1.5 s every 300 steps (points wait while it does).
    """
    import random
    import time

    import nbtrack
    from nbtrack.track import run as run_module

    run_module.MAX_BUFFERED = max_buffered
    out = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    run = nbtrack.start_run(experiment="crash-buffered", store=store)
    os.write(out, f"run {run.id}\n".encode())
    rng = random.Random(os.getpid())
    step = 0
    while True:
        run.log_metric("loss", buffered_value(step))  # no step given: the key's next one
        os.write(out, f"{step} {time.time()!r}\n".encode())
        step += 1
        if pace == "steady":
            time.sleep(0.001)
        elif pace == "bursts" and step % 300 == 0:
            until = time.monotonic() + rng.uniform(0.2, 1.5)
            while time.monotonic() < until:
                sum(i * i for i in range(20_000))


def buffered_value(step: int) -> float:
    """The value buffered_writer logs at a step: exact in binary, so a stored value is either it or torn."""
    return step * 0.25 + 1.0


def artifact_writer(store: str, acks: str) -> None:
    """Logs 50 MB artifacts; writes each one's name and sha256 once log_artifact returned."""
    import nbtrack

    out = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    run = nbtrack.start_run(experiment="crash-artifacts", store=store)
    os.write(out, f"run {run.id}\n".encode())
    for n in range(1000):
        data = os.urandom(50 * 1024 * 1024)
        artifact = run.log_artifact(data, f"weights-{n}.bin")
        os.write(out, f"{artifact.name} {hashlib.sha256(data).hexdigest()}\n".encode())


def _wait_until(start: float) -> None:
    import time

    time.sleep(max(0.0, start - time.time()))


def point_writer(store: str, shared_run: str, label: str, points: int, start: float) -> None:
    """Writes `points` metric points into a run of its own and as many into the shared run."""
    from nbtrack.store import open_store

    opened = open_store(store)
    own = opened.create_run("concurrency", name=label)
    _wait_until(start)
    batch = 500
    for first in range(0, points, batch):
        steps = range(first, min(first + batch, points))
        opened.log_metrics(own, [("loss", s, s / points, s) for s in steps])
        opened.log_metrics(shared_run, [(f"loss.{label}", s, s / points, s) for s in steps])
    opened.end_run(own, "finished")


def store_opener(store: str, start: float) -> None:
    """Opens (and so creates and migrates) a store at the same moment as the others."""
    from nbtrack.store import open_store

    _wait_until(start)
    opened = open_store(store)
    opened.end_run(opened.create_run("opened"), "finished")


def experiment_creator(store: str, start: float) -> None:
    from nbtrack.store import open_store

    opened = open_store(store)
    _wait_until(start)
    opened.create_run("the-same-experiment")


def run_ender(store: str, run_id: str, status: str, start: float, result: str) -> None:
    """Ends a run; writes 'won' or the RunEnded message to `result`."""
    from nbtrack.errors import RunEnded
    from nbtrack.store import open_store

    opened = open_store(store)
    _wait_until(start)
    try:
        opened.end_run(run_id, status)
        outcome = "won"
    except RunEnded as exc:
        outcome = f"RunEnded: {exc}"
    with open(result, "w") as f:
        f.write(outcome)


def counter_incrementer(store: str, immediate: bool, rounds: int, start: float, result: str) -> None:
    """Read-then-write transactions on one counter row; counts the ones SQLite refused.

    immediate=True uses the store's write transactions (BEGIN IMMEDIATE); False a plain
    deferred BEGIN, which cannot upgrade its read lock when another writer got there first.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from nbtrack.store import database, open_store

    engine = open_store(store).engine
    _wait_until(start)
    refused = 0
    for _ in range(rounds):
        try:
            if immediate:
                with database.writing(engine) as conn:
                    value = conn.execute(text("SELECT value FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
            else:
                with database.reading(engine) as conn:  # BEGIN, deferred
                    value = conn.execute(text("SELECT value FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            refused += 1
    with open(result, "w") as f:
        f.write(str(refused))
