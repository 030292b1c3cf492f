"""The flusher's promises: a point logged is visible to another process within 1 s, and a failed write is never silent."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time

import pytest

from nbtrack.store import open_store

pytestmark = pytest.mark.slow

POINTS = 20
# The promise is 1 s; a loaded machine (two cores, other suites running) may add to it, but a
# flusher that asks on one tick and writes on the next takes up to 2 s, which fails.
LIMIT_SECONDS = 2.0

# Logs a point stamped with its wall time, then does other work until the reader has seen it
# (at most 3 s): numpy computing (as a notebook's models and data do, the interpreter released)
# for even points, sleeping for odd ones. A loop of pure Python bytecode is left out on purpose:
# CPython may then not hand the interpreter to the flusher's thread for seconds (measured here:
# a thread sleeping 0.1 s woke up to 1.5 s late), so only the next log call or the cell's end
# writes; README's Guarantees say so.
WRITER = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import nbtrack

    folder = sys.argv[2]
    matrix = np.random.default_rng(0).random((200, 200))
    run = nbtrack.start_run(experiment="flush-window", store=sys.argv[1])
    print(run.id, flush=True)
    for point in range(int(sys.argv[3])):
        run.log_metric("logged_at", time.time(), step=point)
        seen = os.path.join(folder, f"seen-{point}")
        until = time.monotonic() + 3.0
        while not os.path.exists(seen) and time.monotonic() < until:
            if point % 2:
                time.sleep(0.01)
            else:
                matrix = np.tanh(matrix @ matrix / 200.0)  # ~1 ms in BLAS between checks
    run.finish()
""")


def _ahead_of_other_suites() -> None:
    # The promise is about the flusher, not the OS scheduler: with the other xdist worker running
    # kernels on the same two cores, the writer and this reader get ahead of it where allowed (root).
    if os.geteuid() == 0:
        os.nice(-10)


@pytest.mark.timing
def test_a_logged_point_is_visible_to_another_process_within_a_second_while_the_notebook_works(tmp_path):
    store_path = tmp_path / "window-store"
    store = open_store(store_path)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path), str(tmp_path), str(POINTS)],
                              stdout=subprocess.PIPE, text=True, preexec_fn=_ahead_of_other_suites)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    if os.geteuid() == 0:
        os.setpriority(os.PRIO_PROCESS, 0, own - 10)
    try:
        run_id = writer.stdout.readline().strip()  # type: ignore[union-attr]
        latencies = []
        for point in range(POINTS):
            deadline = time.monotonic() + 10
            while True:
                history = store.metric_history(run_id, "logged_at")
                if len(history) > point:
                    break
                assert time.monotonic() < deadline, f"point {point} not visible within 10 s"
                time.sleep(0.005)
            latencies.append(time.time() - history[point][1])
            (tmp_path / f"seen-{point}").touch()
        assert writer.wait(60) == 0
    finally:
        writer.kill()
        writer.wait()
        if os.geteuid() == 0:
            os.setpriority(os.PRIO_PROCESS, 0, own)
    median, worst = statistics.median(latencies), max(latencies)
    print(f"\nflush window over {POINTS} points: median {median:.3f} s, max {worst:.3f} s",
          [round(latency, 3) for latency in latencies])
    assert worst < LIMIT_SECONDS, [round(latency, 3) for latency in latencies]


# Logs a point, then sleeps while the test holds the database's write lock: the flusher's own
# write of the point fails (the busy timeout is cut to 0.3 s so it fails fast). The next log call
# must raise that failure; once the lock is released the kept point is written.
LOCKED_WRITER = textwrap.dedent("""
    import os, sys, threading, time
    from nbtrack.store import database
    database.BUSY_TIMEOUT_MS = 300
    import nbtrack
    from nbtrack.errors import StorageError

    folder = sys.argv[2]
    run = nbtrack.start_run(experiment="locked", store=sys.argv[1])
    print(run.id, flush=True)
    while not os.path.exists(os.path.join(folder, "locked")):
        time.sleep(0.01)
    run.log_metric("loss", 1.0)
    time.sleep(2.5)  # the flusher tries to write the point while the lock is held
    try:
        run.log_metric("loss", 2.0)
        print("no error", flush=True)
    except StorageError as exc:
        print("raised", type(exc).__name__, exc, flush=True)
    print("flusher alive", any(t.name == "nbtrack-flusher" for t in threading.enumerate()), flush=True)
    while not os.path.exists(os.path.join(folder, "released")):
        time.sleep(0.01)
    time.sleep(1.5)  # the flusher tries again, now with the lock free
    print("stored", [v for _s, v, _t in run.store.metric_history(run.id, "loss")], flush=True)
    run.log_metric("loss", 3.0)
    run.finish()
""")


def test_a_background_write_that_fails_raises_on_the_next_call_and_the_flusher_keeps_going(tmp_path):
    store_path = tmp_path / "locked-store"
    store = open_store(store_path)
    writer = subprocess.Popen([sys.executable, "-c", LOCKED_WRITER, str(store_path), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        run_id = writer.stdout.readline().strip()  # type: ignore[union-attr]
        holder = sqlite3.connect(store_path / "nbtrack.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock longer than the busy timeout
        (tmp_path / "locked").touch()
        raised = writer.stdout.readline().strip()  # type: ignore[union-attr]
        alive = writer.stdout.readline().strip()  # type: ignore[union-attr]
        holder.rollback()
        holder.close()
        (tmp_path / "released").touch()
        stored = writer.stdout.readline().strip()  # type: ignore[union-attr]
        assert writer.wait(60) == 0
    finally:
        writer.kill()
        writer.wait()
    assert raised.startswith(f"raised StorageError writing the metric points of run {run_id} ")
    assert "database is locked" in raised and "call run.flush()" in raised
    assert alive == "flusher alive True"
    assert stored == "stored [1.0]"  # kept through the failure, written by the flusher afterwards
    assert [v for _s, v, _t in store.metric_history(run_id, "loss")] == [1.0, 3.0]
