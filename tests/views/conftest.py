"""A store holding runs with every kind of capture the views show, including hostile names."""

from __future__ import annotations

import json
from typing import Any

import pytest

XSS = '<img src=x onerror="window.__xss=1">'


def notebook_json(*sources: str) -> bytes:
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def png_bytes(colour: str) -> bytes:
    from nbtrack.views import charts

    return charts.mini_histogram([1, 2, 3], colour=colour)


def profile(shift: float, rows: int = 100) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from nbtrack.capture.data import profile_data

    generator = np.random.default_rng(0)
    frame = pd.DataFrame({"age": generator.normal(40 + shift, 5, rows), "city": ["a", "b"] * (rows // 2),
                          XSS: generator.normal(0, 1, rows)})
    frame.loc[::10, "age"] = np.nan
    return profile_data(frame, target=frame["city"])


EVALUATION = {
    "split": "test", "metrics": {"accuracy": 0.9, "f1": 0.88},
    "confusion_matrix": {"labels": ["no", XSS], "matrix": [[40, 5], [4, 51]]},
    "roc": {"fpr": [0, 0.1, 1], "tpr": [0, 0.8, 1], "auc": 0.93},
    "pr": {"recall": [0, 0.8, 1], "precision": [1, 0.9, 0.5]},
}


def fill(store: Any) -> list[str]:
    """Three runs: two seeds of rf and one gb, the gb one with other data, packages and source."""
    ids = []
    for index, (model, seed) in enumerate([("rf", 0), ("rf", 1), ("gb", 0)]):
        run_id = store.create_run("demo", name=XSS if index == 0 else f"run {index}",
                                  params={"model": model, "seed": seed, "depth": 5, XSS: XSS}, tags={XSS: XSS})
        points = [("train.loss", step, 1.0 / (step + 1 + index), 0) for step in range(50)]
        points += [("test.f1", 0, 0.8 + index / 20, 0), (XSS, 0, 1.0, 0)]
        store.log_metrics(run_id, points)
        store.add_artifact(run_id, "roc.png", data=png_bytes(["red", "green", "blue"][index]), media_type="image/png")
        second = "x = 2\nprint(x)" if index == 2 else "x = 1\nprint(x)"
        store.add_artifact(run_id, "source.ipynb", data=notebook_json("import nbtrack", second, "y = 3"),
                           media_type="application/x-ipynb+json")
        store.add_record(run_id, "data", "train", profile(shift=10.0 if index == 2 else 0.0))
        store.add_record(run_id, "evaluation", "test", EVALUATION)
        packages = {"numpy": "2.0.0", "pandas": "2.2.0"}
        if index == 2:
            packages = {"numpy": "2.1.0", "scikit-learn": "1.5.0"}
        store.add_record(run_id, "environment", "environment",
                         {"python": {"version": "3.11.7"}, "packages": packages,
                          "git": {"commit": f"{index}" * 40, "dirty": False}})
        store.end_run(run_id, "finished" if index != 1 else "failed")
        ids.append(run_id)
    return ids


@pytest.fixture
def filled(store: Any) -> tuple[Any, list[str]]:
    return store, fill(store)


@pytest.fixture
def xss() -> str:
    return XSS


@pytest.fixture(scope="session")
def fill_store() -> Any:
    """fill() for fixtures wider than one test (a browser test's module-scoped store)."""
    return fill
