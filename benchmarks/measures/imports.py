"""What a user pays in a fresh process before tracking starts: the first run started, and the imports.

The headline is the time from the first line of a fresh interpreter to the first start_run() returning
(nbtrack.start_run, mlflow.start_run, wandb.init(mode="offline"), aim.Run()), on a store that already
exists, as in a user's second notebook (the first, untimed call creates it). Interpreter start-up is
not counted on either side. `import nbtrack` alone is lazy (it loads almost nothing), and MLflow's
import is eager, so the import rows are secondary and carry no target.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import peers
from benchmarks.context import Context, nbtrack_env
from benchmarks.timing import Row, Target

MEASURE = "import in a fresh process"
FIRST_RUN = "time to the first start_run() returned, in a fresh process"
# (who, statement timed, statement after the clock stops); {where} is the scratch folder.
STARTS = {
    "nbtrack": ("import nbtrack; run = nbtrack.start_run(experiment='bench')", "run.finish()"),
    "mlflow": ("import mlflow; run = mlflow.start_run()", "mlflow.end_run()"),
    "wandb": ("import wandb; run = wandb.init(mode='offline', project='bench', dir={where!r})", "run.finish()"),
    "aim": ("import aim; run = aim.Run(repo={where!r})", "run.close()"),
}
CALLS = {"nbtrack": "nbtrack.start_run()", "mlflow": "mlflow.start_run()",
         "wandb": "wandb.init(mode='offline')", "aim": "aim.Run()"}


def first_run_seconds(python: str | Path, name: str, where: Path, env: dict[str, str], reps: int) -> list[float]:
    timed, after = (part.format(where=str(where)) for part in STARTS[name])
    code = (f"import time; t = time.perf_counter()\n{timed}\nprint(time.perf_counter() - t, flush=True)\n{after}")
    seconds = []
    for rep in range(reps + 1):  # the first creates the store, untimed
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300, env=env,
                              cwd=where)
        if done.returncode != 0:
            raise peers.PeerUnavailable(f"{CALLS[name]} failed: {peers._error_line(done.stderr)}")
        if rep:
            seconds.append(float(done.stdout.strip().splitlines()[0]))
        time.sleep(0.05)
    return seconds


def run(ctx: Context) -> None:
    reps = ctx.size(ctx.reps, 1)
    with ctx.scratch("first-run") as where:
        env = {**nbtrack_env(where / "store"), "PYTHONWARNINGS": "ignore"}
        seconds = first_run_seconds(sys.executable, "nbtrack", where, env, reps)
        ctx.add(Row(FIRST_RUN, "nbtrack", statistics.median(seconds), "s", False, Target(0.25, False),
                    samples=seconds, note="import nbtrack; nbtrack.start_run() on an existing SQLite store "
                    f"(durability={os.environ.get('NBTRACK_DURABILITY', 'default')})"))
    for peer in ctx.peers:
        with ctx.scratch(f"first-run-{peer.name}") as where:
            try:
                seconds = first_run_seconds(peers.ensure(peer), peer.name, where, peers.peer_env(where), reps)
            except peers.PeerUnavailable as exc:
                ctx.note(f"{peer.title}: {exc}")
                continue
            ctx.add(Row(FIRST_RUN, peer.title, statistics.median(seconds), "s", False, samples=seconds,
                        note=f"import {peer.module}; {CALLS[peer.name]}" +
                             (" on an existing SQLite store" if peer is peers.MLFLOW else "")))
    subjects = [
        ("nbtrack (lazy: loads almost nothing until used)", sys.executable, "import nbtrack", ""),
        ("nbtrack (tracking API)", sys.executable, "import nbtrack; nbtrack.start_run",
         "what the first nbtrack.start_run() call loads: SQLAlchemy, the store, the Run"),
        ("papermill", sys.executable, "import papermill", ""),
    ]
    for peer in ctx.peers:
        try:
            subjects.append((peer.title, str(peers.ensure(peer)), f"import {peer.module}", ""))
        except peers.PeerUnavailable as exc:
            ctx.note(str(exc))
    for who, python, statement, note in subjects:
        try:
            seconds = peers.import_seconds(python, statement, reps)
        except peers.PeerUnavailable as exc:
            ctx.note(f"{who}: {exc}")
            continue
        ctx.add(Row(MEASURE, who, statistics.median(seconds), "s", False, note=note, samples=seconds))
