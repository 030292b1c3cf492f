"""The store contract suite runs on every backend named in BACKENDS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_uri(backend: str, tmp_path: Path) -> str:
    """A store location of the backend under test, empty."""
    if backend == "sqlite":
        return str(tmp_path / "contract-store")
    raise AssertionError(f"unknown backend {backend}")


@pytest.fixture
def store(store_uri: str) -> Any:
    from nbtrack.store import open_store

    return open_store(store_uri)
