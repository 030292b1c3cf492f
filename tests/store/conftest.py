"""The store contract suite runs on every backend named in BACKENDS.

Database backends: SQLite (a store folder) and a real PostgreSQL server. Blob
backends: a local folder and an S3-compatible server; the tests of the modules
in BLOB_MODULES run on both, the rest keep their blobs in a folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_servers import PostgresServer, S3Server  # the servers themselves: tests/conftest.py

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
BLOB_BACKENDS = ["folder", pytest.param("s3", marks=pytest.mark.s3)]
BLOB_MODULES = {"test_artifacts", "test_transfer"}
# Tests that reach into a blob through the local filesystem, by nature folder-only.
FOLDER_ONLY = {"test_corrupted_blob_is_never_returned"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "blob_backend" not in metafunc.fixturenames or module not in BLOB_MODULES:
        return
    if metafunc.function.__name__ in FOLDER_ONLY:
        metafunc.parametrize("blob_backend", ["folder"])
    else:
        metafunc.parametrize("blob_backend", BLOB_BACKENDS)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def blob_backend() -> str:
    """Where artifact bytes go; parametrized over folder and s3 for BLOB_MODULES."""
    return "folder"


@pytest.fixture
def artifacts_url(blob_backend: str, tmp_path: Path, request: pytest.FixtureRequest,
                  monkeypatch: pytest.MonkeyPatch) -> str | None:
    """NBTRACK_ARTIFACTS for the store under test (None: the store's own objects folder)."""
    if blob_backend == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        url = f"s3://{server.new_bucket()}/objects"
    elif request.getfixturevalue("backend") == "postgresql":
        url = str(tmp_path / "shared-objects")
    else:
        return None
    # Set in the environment, so subprocesses (writers, kernels) open the same store.
    monkeypatch.setenv("NBTRACK_ARTIFACTS", url)
    return url


def new_store_uri(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty store location of a backend (each call: another store)."""
    if backend == "sqlite":
        folder = tmp_path / "contract-store"
        n = 1
        while folder.exists():
            n += 1
            folder = tmp_path / f"contract-store-{n}"
        folder.mkdir()
        return str(folder)
    if backend == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.url(server.new_schema())
    raise AssertionError(f"unknown backend {backend}")


@pytest.fixture
def store_uri(backend: str, artifacts_url: str | None, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A store location of the backend under test, empty."""
    return new_store_uri(backend, tmp_path, request)


@pytest.fixture
def store(store_uri: str) -> Iterator[Any]:
    from nbtrack.store import open_store

    opened = open_store(store_uri)
    yield opened
    opened.close()  # a PostgreSQL server has a bounded number of connections
