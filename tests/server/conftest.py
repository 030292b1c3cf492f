"""A real Jupyter server with nbtrack enabled over a seeded store, and raw HTTP to it."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser.lab import LabServer, start_lab
from conftest import write_notebook

def figure_png(title: str, level: float) -> bytes:
    """A small real matplotlib figure, as a run's PNG artifact."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=80)
    ax = fig.subplots()
    ax.plot([0, 0.1, 0.4, 1], [0, level - 0.2, level, 1])
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Raw HTTP: the path goes on the wire exactly as written (no normalization)."""

    def __init__(self, server: LabServer) -> None:
        self.server = server
        parts = urlsplit(server.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(self, method: str, path: str, body: Any = None, *, token: bool = True,
                headers: dict[str, str] | None = None, content_type: str | None = "application/json") -> Reply:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"token {self.server.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            if content_type:
                sent["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def cookie_session(self) -> tuple[str, str]:
        """Log in the way a browser does (token in the URL once); returns the cookie header and _xsrf."""
        jar: SimpleCookie = SimpleCookie()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request("GET", f"/api/status?token={self.server.token}")
        response = conn.getresponse()
        response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        conn.close()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request("GET", "/login")  # the login form sets the _xsrf cookie, as in a browser
        response = conn.getresponse()
        response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        conn.close()
        cookies = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        return cookies, jar["_xsrf"].value if "_xsrf" in jar else ""


def source_notebook(cells: list[str]) -> bytes:
    """A source.ipynb as the engine stores it: a markdown title, then code cells."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# churn"), *map(nbformat.v4.new_code_cell, cells)]
    return nbformat.writes(notebook).encode()


def data_profile(age_mean: float, fingerprint: str) -> dict[str, Any]:
    """A data record shaped like capture/data.py's profile of a two-column frame."""
    return {"rows": 100, "columns": 2, "fingerprint": fingerprint * 64, "rows_fingerprint": fingerprint * 64,
            "schema": {"age": "int64", "city": "object"}, "missing": {"age": 0, "city": 0}, "missing_share": 0.0,
            "numeric": {"age": {"count": 100, "missing": 0, "mean": age_mean, "std": 5.0, "min": 20, "max": 70}},
            "categorical": {"city": {"count": 100, "missing": 0, "distinct": 2,
                                     "top": [["paris", 60], ["rome", 40]], "other": 0}}}


# What the seeded runs differ in besides params and metrics: lr's data moved (age), lr runs a newer numpy,
# lr changed its model cell, svm added a cell.
SEED_CELLS = {"rf": ["import pandas as pd", "model = make_model('rf')"],
              "lr": ["import pandas as pd", "model = make_model('lr', C=C)"],
              "svm": ["import pandas as pd", "model = make_model('rf')", "model.fit(X, y)"]}


def seed(store: Any) -> dict[str, str]:
    """Three runs written through the Store API: params, metric series, tags, artifacts, records, cells.

    Besides params and metrics they differ in data (lr's age column shifted), environment (lr's
    numpy) and notebook source (lr changed a cell, svm added one), as RunComparison would show.
    """
    from nbtrack.records import CellTiming

    ids = {}
    for i, (model, f1) in enumerate([("rf", 0.91), ("lr", 0.84), ("svm", 0.88)]):
        run_id = store.create_run("churn", name=f"{model}-run", params={"model": model, "C": 0.5 + i})
        store.log_metrics(run_id, [("train.loss", step, 1.0 / (step + 1), 1_700_000_000_000 + step)
                                   for step in range(1000)])
        store.log_metrics(run_id, [("test.f1", 0, f1, 1_700_000_000_000)])
        store.set_tags(run_id, {"team": "risk"})
        store.add_artifact(run_id, "figures/roc.png", data=figure_png(f"ROC {model}", f1), media_type="image/png")
        store.add_artifact(run_id, "report.html", data=b"<script>parent.x=1</script>", media_type="text/html")
        store.add_artifact(run_id, "plot.svg", data=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                           media_type="image/svg+xml")
        store.add_artifact(run_id, "notes.txt", data=f"notes on {model}".encode(), media_type="text/plain")
        store.add_artifact(run_id, "model.bin", data=b"\x00\x01", media_type="application/x-binary")
        store.add_record(run_id, "evaluation", "test", {  # the shape capture/evaluation.py writes
            "split": "test", "task": "classification", "rows": 15, "metrics": {"f1": f1, "accuracy": 0.8},
            "classes": ["no", "yes"], "positive": "yes",
            "confusion_matrix": {"labels": ["no", "yes"], "matrix": [[5, 1], [2, 7]]},
            "roc": {"yes": {"fpr": [0.0, 0.1, 0.4, 1.0], "tpr": [0.0, 0.6, 0.9, 1.0], "thresholds": [2, 0.8, 0.4, 0]}},
            "pr": {"yes": {"precision": [1.0, 0.9, 0.7], "recall": [0.0, 0.6, 1.0], "thresholds": [0.8, 0.4, 0]}},
        })
        store.add_record(run_id, "data", "train", data_profile(48.0 if model == "lr" else 40.0,
                                                               "b" if model == "lr" else "a"))
        store.add_record(run_id, "environment", "environment", {
            "python": {"version": "3.11.2", "implementation": "CPython"}, "platform": {"system": "Linux"},
            "packages": {"numpy": "2.1.0" if model == "lr" else "2.0.0", "pandas": "2.2.3", "scikit-learn": "1.5.2"},
            "git": {"commit": "1234567890abcdef" * 2 + "12345678", "dirty": False}})
        store.add_artifact(run_id, "source.ipynb", data=source_notebook(SEED_CELLS[model]),
                           media_type="application/x-ipynb+json")
        store.add_cells(run_id, [CellTiming(0, 0.01, 0.01, 50_000_000, 0), CellTiming(1, 0.5, 0.4, 80_000_000, 10)])
        store.end_run(run_id, "finished")
        ids[model] = run_id
    store.models.register("churn", ids["rf"])
    store.models.register("churn", ids["svm"])
    store.models.promote("churn", 1, "champion")
    return ids


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, dict[str, str]]]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("server")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids = seed(store)
    write_notebook(root / "nb.ipynb", ["result = C * 2", "import nbtrack\nnbtrack.start_run().log_metric('doubled', result)"],
                   parameters="C = 1.0\nlabel = 'a'")
    (base / "outside.ipynb").write_bytes((root / "nb.ipynb").read_bytes())
    server = start_lab(root, store_path, home=base / "home", app="server")
    try:
        yield Client(server), ids
    finally:
        server.stop()


def wait_for(predicate: Any, timeout: float = 60, interval: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
