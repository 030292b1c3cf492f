"""Aim with its local repository: the measures nbtrack is compared with (run in Aim's venv)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aim import Repo, Run

from _common import main, run_metrics, run_params, timed


def _repo(workdir: str) -> str:
    path = Path(workdir) / "aim"
    if not (path / ".aim").exists():
        path.mkdir(parents=True, exist_ok=True)
        Repo.from_path(str(path), init=True)
    return str(path)


def _run(repo: str) -> Run:
    return Run(repo=repo, system_tracking_interval=None, capture_terminal_logs=False)


def log_one(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """One point per run.track call; timed from the first call to the end of run.close()."""
    repo = _repo(workdir)

    def once() -> float:
        run = _run(repo)
        start = time.perf_counter()
        for i in range(n):
            run.track(1 / (i + 1), name="loss", step=i)
        run.close()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def log_batch(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """run.track of a dict of 10 keys per step."""
    repo = _repo(workdir)

    def once() -> float:
        run = _run(repo)
        start = time.perf_counter()
        for step in range(n // 10):
            run.track({f"m{k}": 1 / (step + k + 1) for k in range(10)}, step=step)
        run.close()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def runs(*, workdir: str, create: int, reps: int, total: int, queries: int) -> dict[str, Any]:
    repo = _repo(workdir)
    made = 0

    def make(count: int) -> None:
        nonlocal made
        for _ in range(count):
            run = _run(repo)
            for key, value in run_params(made).items():
                run[key] = value
            for key, value in run_metrics(made).items():
                run.track(value, name=key)
            run.close()
            made += 1

    return {"create_seconds": [timed(lambda: make(create)) for _ in range(reps)], "runs": made}


if __name__ == "__main__":
    main({"log_one": log_one, "log_batch": log_batch, "runs": runs})
