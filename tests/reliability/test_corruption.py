"""Damaged bytes are found and never served: fsck names the run and artifact, reads refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nbtrack.errors import IntegrityError
from nbtrack.store import open_store

pytestmark = pytest.mark.xdist_group("reliability")


@pytest.fixture
def damaged_store(tmp_path: Path) -> tuple[Path, str, str]:
    """A store with two runs; one blob of the first has a flipped byte."""
    path = tmp_path / "damaged"
    store = open_store(path)
    first = store.create_run("e", name="first")
    store.add_artifact(first, "model.bin", data=b"weights" * 1000)
    store.add_artifact(first, "notes.txt", data=b"fine")
    second = store.create_run("e", name="second")
    store.add_artifact(second, "copy.bin", data=b"weights" * 1000)  # the same blob, shared
    for run_id in (first, second):
        store.end_run(run_id, "finished")
    blob = Path(store.blobs.path(store.artifact(first, "model.bin").sha256))
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    store.close()
    return path, first, second


def test_fsck_exits_1_naming_every_run_and_artifact_of_a_flipped_blob(damaged_store, cli):
    path, first, second = damaged_store
    result = cli("fsck", "--store", path)
    assert result.returncode == 1, result.stderr
    damaged = [line for line in result.stdout.splitlines() if line.startswith("corrupt-blob")]
    assert len(damaged) == 2
    assert f"run {first} artifact model.bin" in damaged[0] + damaged[1]
    assert f"run {second} artifact copy.bin" in damaged[0] + damaged[1]
    assert "notes.txt" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_corrupt_blob_is_refused_on_read_never_returned(damaged_store):
    path, first, _second = damaged_store
    store = open_store(path)
    with pytest.raises(IntegrityError, match="nbtrack fsck"):
        store.read_artifact(first, "model.bin")
    assert store.read_artifact(first, "notes.txt") == b"fine"


def test_a_missing_blob_is_named_too(damaged_store, cli):
    path, first, _second = damaged_store
    store = open_store(path)
    Path(store.blobs.path(store.artifact(first, "notes.txt").sha256)).unlink()
    result = cli("fsck", "--store", path, "--format", "json")
    assert result.returncode == 1
    problems = {(p["kind"], p["artifact"]) for p in __import__("json").loads(result.stdout)["problems"]}
    assert ("missing-blob", "notes.txt") in problems and ("corrupt-blob", "model.bin") in problems


def test_fsck_finds_a_damaged_database_page(tmp_path, cli):
    path = tmp_path / "db-damage"
    store = open_store(path)
    for n in range(300):
        run_id = store.create_run("e", params={"n": n, "text": "x" * 200})
        store.end_run(run_id, "finished")
    store.close()
    database = path / "nbtrack.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        # A page of the params table's b-tree, far from the schema page.
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'params'").fetchone()[0]
    data = bytearray(database.read_bytes())
    offset = (root - 1) * page_size
    data[offset] = 0x07  # not a valid b-tree page type
    database.write_bytes(bytes(data))
    result = cli("fsck", "--store", path)
    assert result.returncode == 1
    assert "database:" in result.stdout and "Traceback" not in result.stderr + result.stdout


def test_a_healthy_store_passes_fsck(tmp_path, cli):
    path = tmp_path / "healthy"
    store = open_store(path)
    run_id = store.create_run("e")
    store.add_artifact(run_id, "a.txt", data=b"abc")
    store.close()
    result = cli("fsck", "--store", path)
    assert result.returncode == 0 and ": ok (1 artifacts, 1 blobs re-hashed)" in result.stdout
