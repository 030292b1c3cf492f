"""`import nbtrack` in a fresh process, beside MLflow, W&B, Aim and papermill."""

from __future__ import annotations

import statistics
import sys

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.timing import Row, Target

MEASURE = "import in a fresh process"


def run(ctx: Context) -> None:
    reps = ctx.size(ctx.reps, 1)
    subjects = [
        ("nbtrack", sys.executable, "import nbtrack", Target(0.15, False), ""),
        ("nbtrack (tracking API)", sys.executable, "import nbtrack; nbtrack.start_run", None,
         "what the first nbtrack.start_run() call loads: SQLAlchemy, the store, the Run"),
        ("papermill", sys.executable, "import papermill", None, ""),
    ]
    for peer in ctx.peers:
        try:
            subjects.append((peer.title, str(peers.ensure(peer)), f"import {peer.module}", None, ""))
        except peers.PeerUnavailable as exc:
            ctx.note(str(exc))
    for who, python, statement, target, note in subjects:
        try:
            seconds = peers.import_seconds(python, statement, reps)
        except peers.PeerUnavailable as exc:
            ctx.note(f"{who}: {exc}")
            continue
        ctx.add(Row(MEASURE, who, statistics.median(seconds), "s", False, target, note=note, samples=seconds))
