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
