"""Damaged bytes are found and never served: fsck names the run and artifact, reads refuse."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import as_a_user_who_cannot_write, make_unwritable

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


@pytest.mark.parametrize("writer_end", ["closed", "killed"])
def test_a_store_its_user_cannot_write_is_listed_shown_and_reported_and_writes_fail_in_one_line(
        tmp_path, writer_end):
    """Killed: the writer died leaving SQLite's -wal (with its commits) and -shm beside the database."""
    folder = tmp_path / "read-only-store"
    writer = (f"from nbtrack.store import open_store\n"
              f"s = open_store({str(folder)!r})\n"
              "r = s.create_run('e', name='kept', params={'lr': 0.1})\n"
              "s.add_artifact(r, 'notes.txt', data=b'abc')\n"
              "s.end_run(r, 'finished')\n"
              "print(r, flush=True)\n"
              + ("s.close()\n" if writer_end == "closed" else "import os; os._exit(0)\n"))
    run_id = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert (folder / "nbtrack.db-wal").exists() == (writer_end == "killed")
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    make_unwritable(folder)
    try:
        def nbtrack(*args: str | Path) -> subprocess.CompletedProcess[str]:
            argv = [sys.executable, "-m", "nbtrack", *map(str, args), "--store", str(folder)]
            return subprocess.run(as_a_user_who_cannot_write(argv), capture_output=True, text=True,
                                  timeout=300)

        listed = nbtrack("runs")
        assert listed.returncode == 0, listed.stderr
        assert run_id[-6:] in listed.stdout and "finished" in listed.stdout  # the short id: the id's end
        shown = nbtrack("show", run_id)
        assert shown.returncode == 0 and "kept" in shown.stdout and "notes.txt" in shown.stdout, shown.stderr
        report = nbtrack("report", "--out", tmp_path / "report.html")
        assert report.returncode == 0 and run_id[-6:] in (tmp_path / "report.html").read_text(), report.stderr
        refused = nbtrack("models", "register", "churn", "--run", run_id)
        assert refused.returncode != 0
        assert refused.stderr.splitlines() == [
            f"nbtrack: error: store {folder} is read-only for this user ({folder / 'nbtrack.db'} or its "
            "folder is not writable) and cannot change; write to it as its owner, "
            "or restore write permission"]
        assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before
    finally:
        make_unwritable(folder, writable=True)


def stored_blob_paths(folder: Path) -> list[Path]:
    return [p for p in (folder / "objects").glob("??/*") if p.is_file()]


def test_a_zero_byte_database_beside_kept_blobs_is_refused_in_one_line_and_nothing_is_deleted(tmp_path, cli):
    folder = tmp_path / "emptied"
    store = open_store(folder)
    run_id = store.create_run("e")
    store.add_artifact(run_id, "model.bin", data=b"weights")
    store.add_artifact(run_id, "notes.txt", data=b"fine")
    store.close()
    for side in ("nbtrack.db-wal", "nbtrack.db-shm"):
        (folder / side).unlink(missing_ok=True)
    (folder / "nbtrack.db").write_bytes(b"")
    blobs = {path: path.read_bytes() for path in stored_blob_paths(folder)}
    for args in (["runs"], ["gc", "--grace", "0"], ["gc", "--grace", "0", "--force"]):
        result = cli(*args, "--store", folder)
        assert result.returncode != 0
        assert result.stderr.splitlines() == [
            f"nbtrack: error: store {folder} has no runs database (nbtrack.db is missing or empty) but its "
            "objects hold 2 blobs; restore nbtrack.db from a backup, or move the objects aside "
            "to start an empty store"]
    assert (folder / "nbtrack.db").stat().st_size == 0
    assert {path: path.read_bytes() for path in stored_blob_paths(folder)} == blobs


def test_gc_refuses_to_delete_every_blob_when_the_database_references_none_unless_forced(tmp_path, cli):
    folder = tmp_path / "disowned"
    store = open_store(folder)
    run_id = store.create_run("e")
    store.add_artifact(run_id, "model.bin", data=b"weights")
    store.close()
    with sqlite3.connect(folder / "nbtrack.db") as conn:  # as a database from before any artifact would be
        conn.execute("DELETE FROM artifacts")
    refused = cli("gc", "--grace", "0", "--store", folder)
    assert refused.returncode != 0
    assert refused.stderr.splitlines() == [
        f"nbtrack: error: store {folder} references none of the 1 blobs it holds, "
        "so gc would delete them all; if its database was replaced or lost, restore it from a backup first, "
        "or pass --force if every run that had artifacts is meant to go"]
    assert len(stored_blob_paths(folder)) == 1
    dry = cli("gc", "--grace", "0", "--dry-run", "--store", folder)
    assert dry.returncode == 0 and "would remove 1 unreferenced blobs" in dry.stdout
    forced = cli("gc", "--grace", "0", "--force", "--store", folder)
    assert forced.returncode == 0 and "removed 1 unreferenced blobs" in forced.stdout
    assert stored_blob_paths(folder) == []
