"""Keeping a store healthy: gc removes what nothing references, fsck proves what is kept is intact.

fsck can also mark runs whose writer died `lost` in the store, so they stop reading as running.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from nbtrack.config import DATABASE_FILE, StoreLocation
from nbtrack.errors import UsageError
from nbtrack.records import RunStatus
from nbtrack.store import database, digest, schema
from nbtrack.store.query import effective_status
from nbtrack.store.blobs import Blobs
from nbtrack.store.store import Store

GRACE_SECONDS = 3600.0  # a blob written this recently may be about to get its row


@dataclass
class GcReport:
    deleted_blobs: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept_recent: int = 0
    removed_temp_files: list[str] = field(default_factory=list)


def gc(store: Store, *, grace_seconds: float = GRACE_SECONDS, dry_run: bool = False,
       force: bool = False) -> GcReport:
    """Delete blobs no artifact references (older than the grace period) and dead writers' temp files.

    Blobs are written before the row that references them, so a young unreferenced
    blob may belong to a write in progress; the grace period leaves it alone.
    A database that references none of the stored blobs is more likely a lost or
    wrong one than a store whose every artifact went: gc then refuses unless forced.
    """
    report = GcReport()
    with database.reading(store.engine) as conn:
        referenced = set(conn.execute(select(schema.artifacts.c.sha256).distinct()).scalars())
    now = time.time()
    stored = list(store.blobs.list())
    if stored and not referenced and not (force or dry_run):
        raise UsageError(
            f"store {store.location.display} references none of the {len(stored)} blobs it holds, "
            "so gc would delete them all; if its database was replaced or lost, restore it from a backup "
            "first, or pass --force if every run that had artifacts is meant to go")
    for sha256 in stored:
        if sha256 in referenced:
            continue
        try:
            info = store.blobs.fs.info(store.blobs.path(sha256))
            age = now - store.blobs.modified_at(info)
        except FileNotFoundError:
            continue
        if age < grace_seconds:
            report.kept_recent += 1
            continue
        report.deleted_blobs.append(sha256)
        report.freed_bytes += int(info.get("size") or 0)
        if not dry_run:
            store.blobs.delete(sha256)
    if not dry_run:
        report.removed_temp_files = store.blobs.remove_abandoned_temp_files()
    else:
        report.removed_temp_files = store.blobs.temp_files()
    return report


def mark_lost(store: Store) -> list[str]:
    """Store `lost` on each running run whose writer missed three of its heartbeats; return their ids.

    One conditional UPDATE in one write transaction: a run whose heartbeat lands first
    no longer matches it, and a writer that beats after its run was marked gets RunEnded.
    The run's last heartbeat becomes its end, and its digest is composed as at any end.
    """
    runs = schema.runs
    with database.writing(store.engine) as conn:
        marked = conn.execute(
            update(runs)
            .where(runs.c.status == RunStatus.RUNNING.value,
                   effective_status(time.time()) == RunStatus.LOST.value)
            .values(status=RunStatus.LOST.value, ended_at=runs.c.heartbeat_at)
            .returning(runs.c.pk, runs.c.id)
        ).all()
        if marked:
            digest.write(conn, [pk for pk, _id in marked])
    return sorted(run_id for _pk, run_id in marked)


@dataclass(frozen=True)
class Problem:
    """One thing fsck found wrong; run and artifact name where it concerns one."""

    kind: str  # database, missing-blob, corrupt-blob
    detail: str
    run_id: str | None = None
    artifact: str | None = None

    def __str__(self) -> str:
        where = f"run {self.run_id} artifact {self.artifact}: " if self.run_id else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass
class FsckReport:
    problems: list[Problem] = field(default_factory=list)
    blobs_checked: int = 0
    artifacts_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def fsck_database_file(path: Path) -> list[Problem]:
    """SQLite's own integrity and foreign-key checks, read-only, on a store's database file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as exc:
        return [Problem("database", f"{path} cannot be opened ({exc})")]
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else [Problem("database", f"integrity_check: {row}") for row in rows[:20]]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(Problem("database", f"row {rowid} of {table} references a missing {parent} row"))
        return problems
    except sqlite3.DatabaseError as exc:
        return [Problem("database", f"{path} is not a readable SQLite database ({exc})")]
    finally:
        conn.close()


def fsck(location: StoreLocation, store: Store | None) -> FsckReport:
    """Check the database and re-hash every referenced blob; each problem names its runs and artifacts.

    `store` is None when the database could not even be opened: only the file checks run.
    """
    report = FsckReport()
    if location.folder is not None:
        report.problems += fsck_database_file(location.folder / DATABASE_FILE)
    if store is None:
        if not report.problems:
            report.problems.append(Problem("database", f"store {location.display} cannot be opened"))
        return report
    try:
        with database.reading(store.engine) as conn:
            rows = conn.execute(
                select(schema.runs.c.id, schema.artifacts.c.name, schema.artifacts.c.sha256)
                .join(schema.runs, schema.runs.c.pk == schema.artifacts.c.run_pk)
                .order_by(schema.runs.c.id, schema.artifacts.c.name)
            ).all()
    except DBAPIError as exc:
        report.problems.append(Problem("database", f"artifacts cannot be read ({exc.orig})"))
        return report
    by_blob: dict[str, list[tuple[str, str]]] = {}
    for run_id, name, sha256 in rows:
        by_blob.setdefault(sha256, []).append((run_id, name))
    report.artifacts_checked = len(rows)
    blobs: Blobs = store.blobs
    for sha256, users in by_blob.items():
        report.blobs_checked += 1
        if blobs.verify(sha256):
            continue
        kind = "missing-blob" if not blobs.exists(sha256) else "corrupt-blob"
        detail = f"blob {sha256} is missing" if kind == "missing-blob" else \
            f"blob {sha256} no longer matches its sha256"
        for run_id, name in users:
            report.problems.append(Problem(kind, detail, run_id, name))
    return report
