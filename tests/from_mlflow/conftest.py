"""The MLflow store of the tests: MLflow's recommended SQLite backend, filled through its client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mlflow_stores import populate

pytest.importorskip("mlflow")


@pytest.fixture
def mlflow_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, Any]]:
    """An MLflow SQLite store (the backend MLflow recommends) and what was put in it."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    (tmp_path / "files").mkdir()
    return uri, populate(uri, tmp_path / "files")

