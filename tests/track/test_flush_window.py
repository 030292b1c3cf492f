"""The flush promise: a point logged is visible to another process within 1 s, with no flush() called."""

from __future__ import annotations

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
# (at most 3 s): pure Python holding the GIL in bursts for even points, sleeping for odd ones.
WRITER = textwrap.dedent("""
    import os, sys, time
    import nbtrack

    folder = sys.argv[2]
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
                sum(i * i for i in range(20_000))  # ~1 ms of bytecode between checks
    run.finish()
""")


def test_a_logged_point_is_visible_to_another_process_within_a_second_while_the_notebook_works(tmp_path):
    store_path = tmp_path / "window-store"
    store = open_store(store_path)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path), str(tmp_path), str(POINTS)],
                              stdout=subprocess.PIPE, text=True)
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
    median, worst = statistics.median(latencies), max(latencies)
    print(f"\nflush window over {POINTS} points: median {median:.3f} s, max {worst:.3f} s",
          [round(latency, 3) for latency in latencies])
    assert worst < LIMIT_SECONDS, [round(latency, 3) for latency in latencies]
