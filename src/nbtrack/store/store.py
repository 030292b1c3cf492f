"""The store: the only writer of runs, params, metrics, tags, artifacts and records."""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterable, Mapping, MutableSequence, Sequence
from itertools import islice
from operator import lt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, case, delete, or_, select, update
from sqlalchemy.exc import DatabaseError, OperationalError

from nbtrack.config import DATABASE_FILE, OBJECTS_DIR, StoreLocation, locate_store, writer_heartbeat_seconds
from nbtrack.errors import (
    InvalidArtifactName,
    NbtrackError,
    RunEnded,
    RunNotFound,
    StoreReadOnly,
    StoreUriError,
    UsageError,
)
from nbtrack.records import (
    Artifact,
    CellTiming,
    NotebookRef,
    RunError,
    RunStatus,
    memorable_name,
    new_run_id,
    to_json_value,
)
from nbtrack.limits import check_value_bytes, encode_value
from nbtrack.store import chunks, database, digest, schema, upgrades
from nbtrack.store.blobs import Blobs
from nbtrack.store.listing import Listing

if TYPE_CHECKING:  # loaded on first use: start_run curates nothing
    from nbtrack.store.curation import ActionReport

_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*")
_MAX_KEY = 250
_open_stores: dict[tuple[StoreLocation, bool], Store] = {}  # one engine per store (and mode) per process

# The statements every run writes, built once: building them cost as much as running them
# (profile of creating 1,000 runs: 0.3 of 2 ms per run went to constructing SQL). They run
# through database.execute_compiled: SQLAlchemy's execute cost ~0.1 ms more each.
_INSERT_RUN = schema.runs.insert().returning(schema.runs.c.pk)
_INSERT_PARAMS = schema.params.insert()
_INSERT_TAGS = schema.tags.insert()
_RUNNING_PK = (select(schema.runs.c.pk, schema.runs.c.status)
               .where(schema.runs.c.id == bindparam("run_id")).with_for_update())
_END_RUN = (
    update(schema.runs)
    .where(schema.runs.c.id == bindparam("run_id"), schema.runs.c.status == bindparam("running"))
    .values(status=bindparam("status"), ended_at=bindparam("ended_at"), error_cell=bindparam("error_cell"),
            error_name=bindparam("error_name"), error_value=bindparam("error_value"), digest=bindparam("digest"))
)


class Store(Listing):
    """Runs and their artifacts in one database plus one content-addressed folder."""

    def __init__(self, location: StoreLocation, *, read_only: str | None = None) -> None:
        engine = database.connect(location.database, read_only=read_only)
        super().__init__(engine)
        self.location = location
        self.blobs = Blobs(location.artifacts)
        self._experiment_pks: dict[str, int] = {}
        self._key_pks: dict[str, int] = {}

    @property
    def uri(self) -> str:
        """The string that names this store to NBTRACK_STORE and --store."""
        return self.location.uri

    @property
    def read_only(self) -> bool:
        """Whether this store refuses every write (opened read-only, or its files are not writable)."""
        return database.read_only_reason(self.engine) is not None

    def check_writable(self) -> None:
        """Raise StoreReadOnly, naming why and the fix, when this store may not be written."""
        refusal = database.read_only_reason(self.engine)
        if refusal is not None:
            raise StoreReadOnly(refusal)

    def __repr__(self) -> str:
        return f"Store({self.location.display!r})"

    def close(self) -> None:
        self.engine.dispose()

    # -- runs -----------------------------------------------------------------

    def create_run(
        self,
        experiment: str,
        *,
        run_id: str | None = None,
        name: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        notebook: NotebookRef | None = None,
        started_at: float | None = None,
    ) -> str:
        """Start a run and return its id; started_at (epoch seconds) keeps an imported run's own time."""
        experiment = _check_key("experiment", experiment)
        run_id = run_id or new_run_id()
        if isinstance(name, str) and name.strip():
            check_value_bytes("the run name", name)  # listings carry it, as they carry params
        else:
            name = memorable_name(run_id)  # every run has a name: runs of one sweep share id prefixes
        now = time.time()
        param_rows = _param_rows(params or {})
        tag_rows = _tag_rows(tags or {})
        with database.writing(self.engine) as conn:
            (pk,), = database.execute_compiled(conn, "run insert", lambda: _INSERT_RUN, {
                "id": run_id,
                "experiment_pk": self._experiment_pk(conn, experiment),
                "name": name,
                "status": RunStatus.RUNNING.value,
                "started_at": now if started_at is None else started_at,
                "heartbeat_at": now,  # alive from now on, whenever it started
                "heartbeat_s": writer_heartbeat_seconds(),
                "notebook_path": notebook.path if notebook else None,
                "notebook_sha256": notebook.sha256 if notebook else None,
            }).rows
            if param_rows:
                database.execute_compiled(conn, "params insert", lambda: _INSERT_PARAMS,
                                          [{"run_pk": pk, **r} for r in param_rows])
            if tag_rows:
                conn.execute(_INSERT_TAGS, [{"run_pk": pk, **r} for r in tag_rows])
        return run_id

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Record params of a running run (a key logged again takes the new value)."""
        rows = _param_rows(params)
        if not rows:
            return
        with database.writing(self.engine) as conn:
            pk = self._running_pk(conn, run_id)
            stmt = database.upsert(conn, schema.params, ["run_pk", "key"], ["value", "num", "text"])
            conn.execute(stmt, [{"run_pk": pk, **r} for r in _in_key_order(rows, "key")])

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        """Set tags; tags annotate a run, so they may change after it ended."""
        rows = _tag_rows(tags)
        if not rows:
            return
        with database.writing(self.engine) as conn:
            pk = self._pk(conn, run_id)
            stmt = database.upsert(conn, schema.tags, ["run_pk", "key"], ["value"])
            conn.execute(stmt, [{"run_pk": pk, **r} for r in _in_key_order(rows, "key")])

    def delete_tag(self, run_id: str, key: str) -> None:
        with database.writing(self.engine) as conn:
            pk = self._pk(conn, run_id)
            conn.execute(delete(schema.tags).where(schema.tags.c.run_pk == pk, schema.tags.c.key == key))

    def rename(self, run_id: str, name: str) -> None:
        """Give a run another name (names annotate a run, so they change after it ended)."""
        from nbtrack.store import curation

        curation.set_fields(self.engine, self.resolve(run_id), {"name": curation.check_name(name)})

    def set_note(self, run_id: str, note: str) -> None:
        """Set a run's Markdown note ("" clears it); searchable as notes like '%...%'."""
        from nbtrack.store import curation

        curation.set_fields(self.engine, self.resolve(run_id), {"note": curation.check_note(note) or None})

    def archive_runs(self, run_ids: Iterable[str]) -> ActionReport:
        """Archive runs: listings hide them unless asked (archived="include" or "only")."""
        return self.act("archive", run_ids)

    def restore_runs(self, run_ids: Iterable[str]) -> ActionReport:
        """Bring archived runs back into listings."""
        return self.act("restore", run_ids)

    def delete_runs(self, run_ids: Iterable[str]) -> ActionReport:
        """Delete runs' rows for good (their blobs go with nbtrack gc); running runs and runs a
        model version points to are refused, each with its reason."""
        return self.act("delete", run_ids)

    def act(self, action: str, run_ids: Iterable[str], *, tags: Mapping[str, Any] | None = None,
            delete_tags: Iterable[str] = ()) -> ActionReport:
        """archive, restore, delete or tag runs (ids or unique prefixes), answering for each."""
        from nbtrack.store import curation

        if isinstance(run_ids, str):
            raise UsageError(f"run ids are a list, such as [{run_ids!r}]")
        return curation.act(self.engine, action, run_ids, resolve=self.resolve, tags=tags,
                            delete_tags=delete_tags, tag_rows=_tag_rows)

    # -- saved views ----------------------------------------------------------

    def save_view(self, name: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """Save (or replace) a named view of the runs table; every part is checked before it is kept."""
        from nbtrack.store import saved_views

        return saved_views.save(self.engine, name, view)

    def views(self) -> list[dict[str, Any]]:
        """Every saved view, by name."""
        from nbtrack.store import saved_views

        return saved_views.listed(self.engine)

    def view(self, name: str) -> dict[str, Any]:
        """One saved view (ViewNotFound when there is none of that name)."""
        from nbtrack.store import saved_views

        return saved_views.one(self.engine, name)

    def delete_view(self, name: str) -> None:
        from nbtrack.store import saved_views

        saved_views.delete(self.engine, name)

    # -- the runs table -------------------------------------------------------

    def table(self, where: str | None = None, **options: Any) -> dict[str, Any]:
        """A page of the runs table: chosen columns of the runs a filter matches, sorted on the server."""
        from nbtrack.store import table

        return table.page(self, where, **options)

    def fields(self, where: str | None = None, **options: Any) -> dict[str, Any]:
        """The fields of the runs a filter matches, with common values, and the default columns."""
        from nbtrack.store import table

        return table.catalogue(self, where, **options)

    def groups(self, where: str | None = None, **options: Any) -> dict[str, Any]:
        """The runs a filter matches grouped by one field, with count and mean/std per numeric column."""
        from nbtrack.store import table

        return table.groups(self, where, **options)

    def log_metrics(self, run_id: str, points: Sequence[tuple[str, int, float, int]]) -> None:
        """Write (key, step, value, timestamp ms) points in one transaction.

        One value per (key, step): a point at a step already stored replaces it.
        """
        self.log_metric_columns(run_id, metric_columns(points))

    def log_metric_columns(self, run_id: str, columns: Mapping[str, MetricColumns]) -> None:
        """Write points given per key as columns (steps, values, timestamps ms), in one transaction.

        The form a Run buffers in: the summary of a key is then min/max/max-step over
        its columns, done by builtins, instead of a Python pass over every point.
        """
        if not any(steps for steps, _values, _stamps in columns.values()):
            return
        with database.writing(self.engine) as conn:
            self._write_metrics(conn, self._running_pk(conn, run_id), columns)

    def heartbeat(self, run_id: str) -> None:
        """Mark a running run alive now (runs whose heartbeat stops read as lost).

        Raises RunEnded when the run is no longer running: ended, or marked lost by
        nbtrack fsck --mark-lost while this writer was silent (a lost run stays lost).
        """
        with database.writing(self.engine) as conn:
            beat = conn.execute(
                update(schema.runs)
                .where(schema.runs.c.id == run_id, schema.runs.c.status == RunStatus.RUNNING.value)
                .values(heartbeat_at=time.time())
            )
            if beat.rowcount == 0:
                self._running_pk(conn, run_id)  # raises RunNotFound or RunEnded

    def end_run(self, run_id: str, status: RunStatus | str, error: RunError | None = None, *,
                metrics: Mapping[str, MetricColumns] | None = None, ended_at: float | None = None) -> None:
        """End a running run, once: a second end raises RunEnded (compare-and-set).

        metrics (per key columns, as log_metric_columns takes) are written in the
        same transaction: a short run costs two write transactions, its creation and this.
        """
        status = RunStatus(status)
        if not status.is_ended:
            raise UsageError(f"a run ends as finished, failed, timeout or killed, not {status}")
        with database.writing(self.engine) as conn:
            pk = self._running_pk(conn, run_id)  # raises RunNotFound or RunEnded
            if metrics and any(steps for steps, _values, _stamps in metrics.values()):
                self._write_metrics(conn, pk, metrics)
            result = database.execute_compiled(conn, "run end", lambda: _END_RUN, {
                "run_id": run_id, "running": RunStatus.RUNNING.value, "status": status.value,
                "ended_at": time.time() if ended_at is None else ended_at,
                "digest": digest.compose(conn, [pk])[pk],  # its params and summaries are final now
                "error_cell": error.cell if error else None,
                "error_name": error.ename if error else None,
                "error_value": error.evalue[:10_000] if error else None,
            })
            if result.rowcount == 0:  # the row is locked above: only a concurrent SQLite end gets here
                self._running_pk(conn, run_id)  # raises RunEnded
                raise RuntimeError(f"run {run_id} could not be ended")  # unreachable

    # -- artifacts, records, cells ----------------------------------------------

    def add_artifact(
        self,
        run_id: str,
        name: str,
        *,
        data: bytes | None = None,
        path: str | os.PathLike[str] | None = None,
        media_type: str = "application/octet-stream",
    ) -> Artifact:
        """Keep bytes (or a file's bytes) with a running run under a name."""
        check_artifact_name(name)
        self.check_writable()  # before its bytes are copied: no blob without a row
        if (data is None) == (path is None):
            raise UsageError("log an artifact from bytes or from a path, not both or neither")
        if path is not None:
            source = Path(path)
            if not source.is_file():
                raise UsageError(f"artifact file {source} does not exist; pass an existing file path")
            with database.reading(self.engine) as conn:
                self._running_pk(conn, run_id)  # fail before copying a large file
            sha256, size = self.blobs.put_file(source)
        else:
            sha256, size = self.blobs.put_bytes(bytes(data or b""))
        # The blob is durable before the row that points at it exists.
        with database.writing(self.engine) as conn:
            pk = self._running_pk(conn, run_id)
            stmt = database.upsert(conn, schema.artifacts, ["run_pk", "name"],
                                   ["sha256", "size", "media_type", "created_at"])
            conn.execute(stmt, {"run_pk": pk, "name": name, "sha256": sha256, "size": size,
                                "media_type": media_type, "created_at": time.time()})
        return Artifact(name, sha256, size, media_type)

    def read_artifact(self, run_id: str, name: str) -> bytes:
        """An artifact's bytes, verified against its sha256."""
        artifact = self.artifact(run_id, name)
        return self.blobs.read(artifact.sha256)

    def add_record(self, run_id: str, kind: str, name: str, body: Mapping[str, Any], *,
                   after_end: bool = False) -> None:
        """Keep a structured capture (data profile, model, evaluation...) with a run.

        after_end allows annotations made once the run has ended, such as alert firings.
        """
        text = json.dumps(to_json_value(dict(body)), allow_nan=False, separators=(",", ":"))
        with database.writing(self.engine) as conn:
            pk = self._pk(conn, run_id) if after_end else self._running_pk(conn, run_id)
            stmt = database.upsert(conn, schema.records, ["run_pk", "kind", "name"],
                                   ["body", "created_at"])
            conn.execute(stmt, {"run_pk": pk, "kind": _check_key("record kind", kind),
                                "name": _check_key("record name", name), "body": text,
                                "created_at": time.time()})

    def delete_record(self, run_id: str, kind: str, name: str) -> None:
        """Remove one capture of a running run (autolog's record of a model the notebook logged itself)."""
        r = schema.records.c
        with database.writing(self.engine) as conn:
            pk = self._running_pk(conn, run_id)
            conn.execute(delete(schema.records).where(r.run_pk == pk, r.kind == kind, r.name == name))

    def add_cells(self, run_id: str, cells: Iterable[CellTiming]) -> None:
        """Record what executed cells cost (a cell recorded again takes the new figures)."""
        rows = [
            {"idx": c.index, "wall_s": c.wall_s, "cpu_s": c.cpu_s, "rss_peak": c.rss_peak,
             "rss_delta": c.rss_delta, "status": c.status}
            for c in cells
        ]
        if not rows:
            return
        with database.writing(self.engine) as conn:
            pk = self._running_pk(conn, run_id)
            stmt = database.upsert(conn, schema.cells, ["run_pk", "idx"],
                                   ["wall_s", "cpu_s", "rss_peak", "rss_delta", "status"])
            conn.execute(stmt, [{"run_pk": pk, **row} for row in _in_key_order(rows, "idx")])

    # -- internals ------------------------------------------------------------

    def _running_pk(self, conn: Connection, run_id: str) -> int:
        rows = database.execute_compiled(conn, "running pk", lambda: _RUNNING_PK, {"run_id": run_id}).rows
        if not rows:
            raise RunNotFound(f"no run {run_id} in {self.location.display}; list runs with nbtrack runs")
        (pk, status), = rows
        if status != RunStatus.RUNNING.value:
            raise RunEnded(run_id, status)
        return int(pk)

    # Pks are remembered only once another transaction has committed their row: a row
    # this transaction inserted is invisible to the other threads sharing this Store (and
    # gone if it rolls back), so handing its pk to them broke their foreign keys on
    # PostgreSQL (two sweep executions creating an experiment's first runs at once).

    def _experiment_pk(self, conn: Connection, name: str) -> int:
        if name in self._experiment_pks:
            return self._experiment_pks[name]
        table = schema.experiments
        inserted = conn.execute(
            database.insert_ignoring(conn, table).values(name=name, created_at=time.time())
        ).rowcount
        pk = int(conn.execute(select(table.c.pk).where(table.c.name == name)).scalar_one())
        if inserted == 0:
            self._experiment_pks[name] = pk
        return pk

    def _write_metrics(self, conn: Connection, pk: int, columns: Mapping[str, MetricColumns]) -> None:
        """Store the points as chunks and fold them into the keys' summaries, keys in key_pk order."""
        key_pks = self._metric_key_pks(conn, [key for key, c in columns.items() if c[0]])
        summaries, series = [], {}
        # One lock order for every writer (key_pk, then step): no deadlock on PostgreSQL.
        for key in sorted((k for k, c in columns.items() if c[0]), key=key_pks.__getitem__):
            key_pk = key_pks[key]
            logged = len(columns[key][0])  # a summary counts the points logged, replaced ones too
            steps, values, stamps = _in_step_order(*columns[key])
            try:
                has_nan = any(map(math.isnan, values))
            except TypeError:  # None among them: a NaN read back from a store (transfer)
                has_nan = True
            summaries.append(_summary(key_pk, steps, values, has_nan, logged))
            series[key_pk] = (steps, values, stamps)  # chunks keep NaN as is (None read as NaN)
        chunks.write(conn, pk, series)  # before the summaries: it finds each series' end through them
        self._write_summaries(conn, pk, summaries)

    def _write_summaries(self, conn: Connection, pk: int, summaries: list[dict[str, Any]]) -> None:
        """Fold a batch's per-key summaries into the stored ones, through the driver.

        Every finished run writes these: through SQLAlchemy's execute they cost as much as
        the run's other metric writing (profile of creating 1,000 runs).
        """
        database.execute_compiled(conn, "summary upsert", lambda: _summary_upsert(conn),
                                  [{"run_pk": pk, **summary} for summary in summaries])

    def _metric_key_pks(self, conn: Connection, keys: Iterable[str]) -> dict[str, int]:
        # Sorted: writers inserting new keys in one order cannot deadlock on PostgreSQL.
        missing = sorted(k for k in keys if k not in self._key_pks)
        if not missing:
            return self._key_pks
        table = schema.metric_keys
        inserted = conn.execute(database.insert_ignoring(conn, table), [{"name": k} for k in missing]).rowcount
        rows = conn.execute(select(table.c.name, table.c.pk).where(table.c.name.in_(missing)))
        found = {name: int(pk) for name, pk in rows}
        if inserted == 0:  # all committed before: safe to remember (see _experiment_pk)
            self._key_pks.update(found)
        return {**self._key_pks, **found}


def open_store(uri: str | os.PathLike[str] | None = None, *, create: bool = True,
               artifacts: str | os.PathLike[str] | None = None, read_only: bool = False) -> Store:
    """Open the store named by uri, else NBTRACK_STORE, else ./.nbtrack.

    With create=False a missing store is an error instead of a new empty one.
    artifacts names where its bytes live, over NBTRACK_ARTIFACTS.
    read_only=True never writes to it: no upgrade, no new database, and every
    write raises StoreReadOnly. A store whose database this process may not
    write (its file or folder is read-only) opens read-only by itself.

    >>> store = open_store("/tmp/demo-store")          # doctest: +SKIP
    >>> store.runs(where="metrics.test.f1 > 0.9")     # doctest: +SKIP
    """
    location = locate_store(uri, artifacts=artifacts)
    cached = _open_stores.get((location, read_only))
    if cached is not None and (location.folder is None or _has_database(location.folder)):
        return cached
    refusal = _read_only_reason(location, read_only)
    if location.folder is not None:
        if location.folder.is_dir() and not _has_database(location.folder):
            _refuse_orphaned_blobs(location, Blobs(location.artifacts))
        _check_folder(location.folder, create and refusal is None)
    store = Store(location, read_only=refusal)
    try:
        _prepare_database(store)
    except (DatabaseError, OperationalError) as exc:
        store.close()
        reason = str(getattr(exc, "orig", exc))
        raise StoreUriError(
            f"store {location.display} cannot be opened ({reason}); restore its database "
            "from a backup, run nbtrack fsck, or pass another --store"
        ) from None
    except NbtrackError:
        store.close()
        raise
    _open_stores[(location, read_only)] = store
    return store


def _has_database(folder: Path) -> bool:
    try:
        return (folder / DATABASE_FILE).stat().st_size > 0
    except OSError:
        return False


def _read_only_reason(location: StoreLocation, requested: bool) -> str | None:
    """Why a store must be opened read-only, or None when it may be written."""
    if requested:
        return (f"store {location.display} was opened read-only and cannot change; "
                "open it with open_store(..., read_only=False) to write to it")
    path = _sqlite_file(location)
    if path is not None and path.exists() and not database.is_writable_file(str(path)):
        return (f"store {location.display} is read-only for this user ({path} or its folder is not "
                "writable) and cannot change; write to it as its owner, or restore write permission")
    return None


def _sqlite_file(location: StoreLocation) -> Path | None:
    if location.folder is not None:
        return location.folder / DATABASE_FILE
    if location.database.startswith("sqlite"):
        from sqlalchemy import make_url

        name = make_url(location.database).database
        return Path(name).absolute() if name else None
    return None


def _prepare_database(store: Store) -> None:
    """Upgrade the schema (or, read-only, refuse one that needs it); never build one over kept blobs."""
    missing = upgrades.missing_steps(store.engine)  # refuses a store a newer nbtrack upgraded
    if len(missing) == len(upgrades.STEPS):  # no schema at all: a new, empty or lost database
        _refuse_orphaned_blobs(store.location, store.blobs)
        if store.read_only:
            raise StoreUriError(f"no nbtrack store at {store.location.display} (its database is empty); "
                                "name an existing store with --store or NBTRACK_STORE")
    elif missing and store.read_only:
        raise StoreUriError(
            f"store {store.location.display} was written by an older nbtrack and needs an upgrade; "
            "open it once with write access (nbtrack fsck) or import from a copy")
    if missing and not store.read_only:
        upgrades.migrate(store.engine)


def _refuse_orphaned_blobs(location: StoreLocation, blobs: Blobs) -> None:
    """A database created beside kept blobs would disown them all, and gc would then delete them."""
    count = sum(1 for _ in islice(blobs.list(), _ORPHANS_COUNTED))
    if count:
        held = f"{count}+" if count == _ORPHANS_COUNTED else str(count)
        folder = location.folder is not None
        database_name = DATABASE_FILE if folder else "its database"
        lost = f"{DATABASE_FILE} is missing or empty" if folder else "it has no nbtrack tables"
        raise StoreUriError(
            f"store {location.display} has no runs database ({lost}) but its objects hold {held} blobs; "
            f"restore {database_name} from a backup, or move the objects aside to start an empty store")


_ORPHANS_COUNTED = 10_000



def _check_folder(folder: Path, create: bool) -> None:
    database_file = folder / DATABASE_FILE
    if folder.exists() and not folder.is_dir():
        raise StoreUriError(f"store {folder} is a file, not a store folder; pass a folder path")
    if database_file.exists():
        return
    if not create:
        raise StoreUriError(
            f"no nbtrack store at {folder}; run a notebook with nbtrack run first, "
            "or name the store with --store or NBTRACK_STORE"
        )
    if folder.exists() and any(not _is_store_file(entry.name) for entry in folder.iterdir()):
        raise StoreUriError(
            f"{folder} is not an nbtrack store (it holds files but no {DATABASE_FILE}); "
            "pass a new or empty folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f"{_PROBE}{os.getpid()}-{time.monotonic_ns()}"  # one per opener: several may race
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreUriError(
            f"store folder {folder} is not writable ({exc.strerror or exc}); "
            "pass a writable folder with --store or NBTRACK_STORE"
        ) from None


_PROBE = ".write-probe-"


def _is_store_file(name: str) -> bool:
    """What a store being created by another process at this moment may already hold."""
    return name.startswith(_PROBE) or name in {
        DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", f"{DATABASE_FILE}-journal", OBJECTS_DIR}


def check_artifact_name(name: object) -> str:
    """Refuse artifact names that could escape a folder or confuse a reader."""
    if (
        not isinstance(name, str)
        or len(name) > _MAX_KEY
        or not _ARTIFACT_NAME.fullmatch(name)
        or any(part in (".", "..") for part in name.split("/"))
    ):
        raise InvalidArtifactName(
            f"artifact name {name!r} is not allowed; use letters, digits, '_', '-', '.' "
            "and '/' between parts, such as figures/roc.png"
        )
    return name


def _check_key(what: str, key: object) -> str:
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY or "\x00" in key:
        raise UsageError(f"{what} must be non-empty text of at most {_MAX_KEY} characters. Got {key!r} instead.")
    return key


def _param_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, raw in params.items():
        value, encoded = encode_value(f"param {str(key)[:80]!r}", raw)  # bounded: listings carry every param
        if isinstance(value, bool):
            num = float(value)
        elif isinstance(value, (int, float)):
            num = float(value)
        else:
            num = None
        rows.append({
            "key": _check_key("param name", key),
            "value": encoded,
            "num": num,
            "text": value if isinstance(value, str) else None,
        })
    return rows


def _in_key_order(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Rows sorted by their unique key, stably (a later duplicate still wins).

    Every writer then locks rows in one order, so two transactions upserting the
    same keys cannot deadlock on PostgreSQL.
    """
    return sorted(rows, key=lambda row: tuple(row[k] for k in keys))


def _tag_rows(tags: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": _check_key("tag name", k), "value": check_value_bytes(f"tag {str(k)[:80]!r}", str(v))}
            for k, v in tags.items()]


# steps, values, timestamps (ms): lists, or arrays ("q", "d", "q") as a Run buffers them
MetricColumns = tuple[MutableSequence[int], MutableSequence[float], MutableSequence[int]]


def metric_columns(points: Iterable[tuple[str, int, float, int]]) -> dict[str, MetricColumns]:
    """(key, step, value, timestamp ms) points regrouped per key as columns, in their order."""
    columns: dict[str, MetricColumns] = {}
    for key, step, value, stamp in points:
        found = columns.get(key)
        if found is None:
            found = columns[key] = ([], [], [])
        found[0].append(step)
        found[1].append(value)
        found[2].append(stamp)
    return columns


def _in_step_order(steps: list[int], values: list[Any], stamps: list[int]) -> MetricColumns:
    """The columns in step order with one point per step: of two points at one step the later stays.

    Steps nearly always arrive rising: checking that costs a C-level pass, not a sort.
    """
    if all(map(lt, steps, islice(steps, 1, None))):
        return steps, values, stamps
    last = {step: i for i, step in enumerate(steps)}  # the later index wins
    kept = sorted(last.values(), key=steps.__getitem__)
    return [steps[i] for i in kept], [values[i] for i in kept], [stamps[i] for i in kept]


def _summary(key_pk: int, steps: list[int], values: list[Any], has_nan: bool, count: int) -> dict[str, Any]:
    """A key's summary over one batch, one point per step in step order, of count points logged.

    NaN (or None, a NaN read back from a store) takes no part in min and max, and is kept as
    NULL: the summary table has no NaN (SQLite cannot store it).
    """
    finite = [v for v in values if v is not None and v == v] if has_nan else values
    last = values[-1]
    return {"key_pk": key_pk, "last": None if last is None or last != last else last, "step": steps[-1],
            "count": count, "min": min(finite) if finite else None, "max": max(finite) if finite else None}


def _summary_upsert(conn: Connection) -> Any:
    # Built and compiled once per process and driver (database.execute_compiled keeps the result).
    table = schema.metric_summaries
    stmt = database.dialect_insert(conn, table)
    new, old = stmt.excluded, table.c
    newer = new.step >= old.step
    return stmt.on_conflict_do_update(
        index_elements=[old.run_pk, old.key_pk],
        set_={
            "last": case((newer, new["last"]), else_=old["last"]),
            "step": case((newer, new.step), else_=old.step),
            "min": case((or_(old["min"].is_(None), new["min"] < old["min"]), new["min"]), else_=old["min"]),
            "max": case((or_(old["max"].is_(None), new["max"] > old["max"]), new["max"]), else_=old["max"]),
            "count": old["count"] + new["count"],
        },
    )
