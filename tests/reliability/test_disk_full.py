"""A full disk or a failing write: one clear error, the write rolled back, earlier data intact, no partial files."""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from nbtrack.errors import StorageError
from nbtrack.store import blobs as blobs_module
from nbtrack.store import open_store

pytestmark = pytest.mark.xdist_group("reliability")

FILLER = textwrap.dedent("""
    import sys
    from nbtrack.errors import StorageError
    from nbtrack.store import open_store
    store = open_store(sys.argv[1])
    run_id = sys.argv[2]
    for what, write in [
        ("artifact", lambda: store.add_artifact(run_id, "big.bin", data=bytes(range(256)) * 40_000)),
        ("metrics", lambda: store.log_metrics(run_id, [("late", s, s * 0.5, s) for s in range(300_000)])),
    ]:
        try:
            write()
            print(what, "stored")
        except StorageError as exc:
            print(what, "refused:", exc)
""")


def seeded_store(path: Path) -> tuple[Any, str, str]:
    store = open_store(path)
    kept = store.create_run("disk", name="kept")
    store.log_metrics(kept, [("loss", s, 1 / (s + 1), s) for s in range(5_000)])
    store.add_artifact(kept, "notes.txt", data=b"important")
    store.end_run(kept, "finished")
    open_run = store.create_run("disk", name="open")
    return store, kept, open_run


def snapshot(store: Any, kept: str) -> tuple[Any, ...]:
    run = store.run(kept)
    return (run.summaries["loss"].count, len(store.metric_history(kept, "loss")),
            store.read_artifact(kept, "notes.txt"), str(run.status))


@pytest.mark.slow
def test_a_file_size_limit_refuses_the_write_with_one_line_and_keeps_everything_before(tmp_path):
    path = tmp_path / "small-disk"
    store, kept, open_run = seeded_store(path)
    before = snapshot(store, kept)
    store.close()
    database = path / "nbtrack.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = database.stat().st_size + 256 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing

    result = subprocess.run([sys.executable, "-c", FILLER, str(path), open_run], preexec_fn=small_disk,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    for what, line in zip(["artifact", "metrics"], lines, strict=True):
        assert line.startswith(f"{what} refused: could not write to the store at ")
        assert "nothing from this write was kept" in line and "free space" in line
    store = open_store(path)
    assert snapshot(store, kept) == before
    assert "late" not in store.run(open_run).summaries  # the whole batch rolled back
    assert store.artifacts(open_run) == []
    assert list((path / "objects" / "tmp").glob("*")) == []
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class FailingOn:
    """Wraps a function so that its Nth call raises ENOSPC."""

    def __init__(self, real: Any, nth: int) -> None:
        self.real, self.nth, self.calls = real, nth, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.nth:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(*args, **kwargs)


class FailingFile:
    def __init__(self, file: Any, write: FailingOn) -> None:
        self._file, self.write = file, write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> FailingFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._file.close()


# Calls per stored artifact of 3 MB + 17 bytes: 4 chunk writes, an fsync of the file and of its folder, a rename.
CALLS_PER_ARTIFACT = {"write": 4, "fsync": 2, "rename": 1}


@pytest.mark.parametrize("operation", ["write", "fsync", "rename"])
@pytest.mark.parametrize("failing_artifact", [1, 2])
def test_an_injected_write_rename_or_fsync_failure_leaves_no_partial_file(tmp_path, monkeypatch, operation,
                                                                          failing_artifact):
    store, kept, open_run = seeded_store(tmp_path / "injected")
    before = snapshot(store, kept)
    # The first call of the operation for the failing artifact; for writes, its second chunk: mid-file.
    nth = (failing_artifact - 1) * CALLS_PER_ARTIFACT[operation] + (2 if operation == "write" else 1)
    if operation == "write":
        failing = FailingOn(None, nth)
        real_open = open

        def opening(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            if "w" not in mode:
                return handle
            failing.real = handle.write
            return FailingFile(handle, failing)

        monkeypatch.setattr(blobs_module, "open", opening, raising=False)
    else:
        name = {"fsync": "fsync", "rename": "replace"}[operation]
        failing = FailingOn(getattr(os, name), nth)
        monkeypatch.setattr(blobs_module.os, name, failing)
    source = tmp_path / "large.bin"
    results = []
    for _ in range(2):
        source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
        try:
            results.append(store.add_artifact(open_run, f"part-{len(results)}.bin", path=source))
        except StorageError as exc:
            message = str(exc)
            assert "\n" not in message and "No space left on device" in message
            break
    else:
        pytest.fail(f"no injected {operation} failure surfaced")
    assert len(results) == failing_artifact - 1
    monkeypatch.undo()
    stored = {a.name for a in store.artifacts(open_run)}
    assert stored == {a.name for a in results}
    blob_files = [p for p in (tmp_path / "injected" / "objects").rglob("*") if p.is_file()]
    expected = {store.artifact(kept, "notes.txt").sha256} | {a.sha256 for a in results}
    assert {p.parent.name + p.name for p in blob_files} == expected  # no temp file, no partial blob
    assert snapshot(store, kept) == before
