"""What every peer script shares: options in, one JSON object out (runs in the peer's venv)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def main(measures: dict[str, Callable[..., dict[str, Any]]]) -> None:
    measure, options, workdir = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    result = measures[measure](workdir=workdir, **options)
    print(json.dumps(result))


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_params(i: int) -> dict[str, Any]:
    """The 10 params every created run gets (the same shape as nbtrack's side)."""
    return {"model": ["rf", "gb", "lr", "svm"][i % 4], "C": 0.1 * (i % 10), "max_depth": i % 7,
            "n_estimators": 100 + i % 5, "seed": i, "lr": 0.01, "batch": 32, "split": "test",
            "scale": True, "features": 20}


def run_metrics(i: int) -> dict[str, float]:
    """The 5 metrics every created run gets."""
    return {"test.f1": (i % 100) / 100, "test.acc": 0.5 + (i % 50) / 100, "val.loss": 1 / (i + 1),
            "train.loss": 0.5 / (i + 1), "fit_time": 0.01 * (i % 9)}
