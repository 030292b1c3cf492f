"""Fixtures every test module shares: an isolated store, the CLI as a subprocess, small notebooks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the developer's ./.nbtrack, or inherits an engine's run."""
    monkeypatch.setenv("NBTRACK_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("NBTRACK_RUN_ID", raising=False)
    monkeypatch.delenv("NBTRACK_ARTIFACTS", raising=False)
    monkeypatch.delenv("NBTRACK_DURABILITY", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path) -> Any:
    from nbtrack.store import open_store

    return open_store(store_path)


def run_cli(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
            cwd: str | os.PathLike[str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The nbtrack command line, as a user runs it: a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "nbtrack", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


def write_notebook(path: Path, cells: Sequence[str], *, parameters: str | None = None) -> Path:
    """A small Python notebook; `parameters` becomes the cell tagged parameters, first."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    def make(cells: Sequence[str], *, parameters: str | None = None, name: str = "nb.ipynb") -> Path:
        return write_notebook(tmp_path / "notebooks" / name, cells, parameters=parameters)

    return make


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server (tests/local_servers.py), started on first use, one per session."""
    from local_servers import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Any]:
    """moto's S3 server, started on first use; one per session, as s3fs caches its clients."""
    from local_servers import start_s3

    server = start_s3()
    yield server
    server.stop()


def load_json(text: str) -> Any:
    return json.loads(text)


def as_a_user_who_cannot_write(argv: list[str]) -> list[str]:
    """argv run by a user whom file modes stop: as is for a normal user; as root, without the
    capabilities that let root ignore them (chmod alone does not stop root, and another user
    could not reach this Python under /root)."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file-mode override")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable", *argv]


def make_unwritable(folder: Path, writable: bool = False) -> None:
    """chmod -R a-w folder (or u+w back)."""
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | 0o200 if writable else mode & ~0o222)
