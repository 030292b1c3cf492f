"""W&B in offline mode: the measures nbtrack is compared with (run in W&B's venv)."""

from __future__ import annotations

import time
from typing import Any

import wandb

from _common import main, run_metrics, run_params, timed


def _init(workdir: str, **kw: Any) -> Any:
    return wandb.init(project="bench", dir=workdir, mode="offline", settings=wandb.Settings(
        console="off", x_disable_stats=True, x_disable_meta=True, silent=True), **kw)


def log_one(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """One point per run.log call; timed from the first call to the end of run.finish()."""
    def once() -> float:
        run = _init(workdir)
        start = time.perf_counter()
        for i in range(n):
            run.log({"loss": 1 / (i + 1)}, step=i)
        run.finish()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def log_batch(*, workdir: str, n: int, reps: int) -> dict[str, Any]:
    """run.log of 10 keys per step."""
    def once() -> float:
        run = _init(workdir)
        start = time.perf_counter()
        for step in range(n // 10):
            run.log({f"m{k}": 1 / (step + k + 1) for k in range(10)}, step=step)
        run.finish()
        return time.perf_counter() - start

    return {"seconds": [once() for _ in range(reps)]}


def runs(*, workdir: str, create: int, reps: int, total: int, queries: int) -> dict[str, Any]:
    made = 0

    def make(count: int) -> None:
        nonlocal made
        for _ in range(count):
            run = _init(workdir, config=run_params(made))
            run.log(run_metrics(made))
            run.finish()
            made += 1

    return {"create_seconds": [timed(lambda: make(create)) for _ in range(reps)], "runs": made}


if __name__ == "__main__":
    main({"log_one": log_one, "log_batch": log_batch, "runs": runs})
