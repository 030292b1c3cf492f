"""Moving runs between stores: import another store (a folder, a URL, an archive) and export to Parquet.

Run ids are unique across machines, so an import copies each run whose id the
target lacks and skips the rest: importing twice changes nothing. A run's bytes
are copied (and verified) before the rows that point at them, and its rows go
in one transaction: an interrupted import leaves whole runs or none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from nbtrack.config import DATABASE_FILE, OBJECTS_DIR
from nbtrack.errors import IntegrityError, RunRefused, StoreUriError, UsageError
from nbtrack.records import RunStatus, memorable_name
from nbtrack.store import chunks, database, schema, validation
from nbtrack.store.archives import extract_archive
from nbtrack.store.store import Store, open_store

# Rows that belong to one run, keyed by run_pk; metrics tables also by key_pk.
_RUN_TABLES = (schema.params, schema.tags, schema.artifacts, schema.records, schema.cells)
_KEYED_TABLES = (schema.metric_summaries, schema.metric_chunks)
_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")


@dataclass
class ImportReport:
    """What an import did."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the target
    running: list[str] = field(default_factory=list)  # not ended yet: imported by a later import
    refused: dict[str, str] = field(default_factory=dict)  # run id -> why: a row or blob breaks a rule
    blobs_copied: int = 0


def import_store(target: Store | str | os.PathLike[str] | None, source: str | os.PathLike[str], *,
                 artifacts: str | os.PathLike[str] | None = None) -> ImportReport:
    """Copy into target every ended run of source (a store folder, a database URL or an archive) it lacks.

    artifacts names the source's bytes when source is a database URL. The source is
    checked (and an archive extracted) before a target named by location is opened.
    Each run's rows are checked against the writer's rules and its blobs against their
    rows before anything of it is written; a run that fails is left out and named in
    the report's refused, with the reason.
    """
    with _opened_source(source, artifacts) as other:
        if not isinstance(target, Store):
            target = open_store(target)
        if other.location == target.location:
            raise UsageError(f"store {target.location.display} cannot import itself; name another store")
        target.check_writable()  # before any bytes are copied into it
        return _copy_runs(target, other)


def _copy_runs(target: Store, source: Store) -> ImportReport:
    report = ImportReport()
    with database.reading(source.engine) as conn:
        rows = conn.execute(
            select(schema.runs, schema.experiments.c.name.label("experiment"))
            .join(schema.experiments, schema.experiments.c.pk == schema.runs.c.experiment_pk)
            .order_by(schema.runs.c.started_at, schema.runs.c.id)
        ).mappings().all()
        key_names = dict(conn.execute(select(schema.metric_keys.c.pk, schema.metric_keys.c.name)).all())
    with database.reading(target.engine) as conn:
        present = set(conn.execute(select(schema.runs.c.id)).scalars())
    for row in rows:
        run_id = row["id"] if isinstance(row["id"], str) else repr(row["id"])
        if row["id"] in present:
            report.skipped.append(run_id)
        elif row["status"] == RunStatus.RUNNING.value:
            report.running.append(run_id)
        else:
            try:
                report.blobs_copied += _copy_run(target, source, row, key_names)
            except RunRefused as exc:
                report.refused[run_id] = str(exc)
            else:
                report.imported.append(run_id)
    return report


def _copy_run(target: Store, source: Store, run: Any, key_names: dict[Any, Any]) -> int:
    """One run: checked, then its blobs, then all its rows in one transaction. Returns blobs copied."""
    with database.reading(source.engine) as conn:
        children = {table.name: _rows(conn, table, run["pk"]) for table in (*_RUN_TABLES, *_KEYED_TABLES)}
    reason = validation.refusal(run, children, key_names)
    if reason is not None:
        raise RunRefused(reason)
    copied = 0
    for sha256, size in sorted({(a["sha256"], a["size"]) for a in children["artifacts"]}):
        if not target.blobs.exists(sha256):
            try:
                target.blobs.put_stream(source.blobs.stream(sha256, size), sha256)
            except IntegrityError as exc:
                raise RunRefused(str(exc)) from None
            copied += 1
    with database.writing(target.engine) as conn:
        if conn.execute(select(schema.runs.c.pk).where(schema.runs.c.id == run["id"])).first():
            return 0  # another import got there first
        values = {c.name: run[c.name] for c in schema.runs.columns if c.name != "pk"}
        values["experiment_pk"] = target._experiment_pk(conn, run["experiment"])
        values["name"] = values.get("name") or memorable_name(run["id"])  # every run has a name
        pk = conn.execute(schema.runs.insert().values(**values)).inserted_primary_key[0]
        used_keys = sorted({key_names[r["key_pk"]] for t in _KEYED_TABLES for r in children[t.name]})
        key_pks = target._metric_key_pks(conn, used_keys)
        for table in _RUN_TABLES:
            if children[table.name]:
                conn.execute(table.insert(), [{**r, "run_pk": pk} for r in children[table.name]])
        for table in _KEYED_TABLES:
            if children[table.name]:
                conn.execute(table.insert(), [{**r, "run_pk": pk, "key_pk": key_pks[key_names[r["key_pk"]]]}
                                              for r in children[table.name]])
    return copied


def _rows(conn: Connection, table: Any, run_pk: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(table).where(table.c.run_pk == run_pk)).mappings()]


@contextmanager
def _opened_source(source: str | os.PathLike[str], artifacts: str | os.PathLike[str] | None) -> Iterator[Store]:
    text = os.fspath(source)
    if "://" in text:
        yield open_store(text, create=False, artifacts=artifacts, read_only=True)
        return
    path = Path(text).expanduser().absolute()
    if path.is_file() and text.lower().endswith(_ARCHIVES):
        with tempfile.TemporaryDirectory(prefix="nbtrack-import-") as folder:
            yield _open_folder(_store_folder(extract_archive(path, Path(folder))), artifacts)
        return
    if not (path / DATABASE_FILE).is_file():
        raise StoreUriError(
            f"no nbtrack store at {path}; name a store folder (it holds {DATABASE_FILE}), "
            "a database URL, or a .tar/.zip archive of a store"
        )
    yield _open_folder(path, artifacts)


def _open_folder(folder: Path, artifacts: str | os.PathLike[str] | None) -> Store:
    # The folder's own objects, whatever NBTRACK_ARTIFACTS says about the target. Read-only:
    # a source is never written, not even upgraded (an older one is refused in one line).
    return open_store(folder, create=False, artifacts=artifacts or folder / OBJECTS_DIR, read_only=True)


def _store_folder(root: Path) -> Path:
    found = sorted(p.parent for p in root.rglob(DATABASE_FILE))
    if len(found) != 1:
        raise StoreUriError(
            f"the archive holds {len(found)} nbtrack stores; archive exactly one store folder "
            f"(the folder with {DATABASE_FILE} and {OBJECTS_DIR}/)"
        )
    return found[0]


# -- export -------------------------------------------------------------------------

EXPORT_TABLES = ("runs", "params", "tags", "metrics", "artifacts")
_CHUNK_ROWS = 200_000


def export_parquet(store: Store, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Write runs, params, tags, metrics and the artifacts index as Parquet files in folder.

    Each file is written under a temporary name and renamed: a reader sees a whole
    table or none. Returns the path of each table.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UsageError(f"export folder {out} is a file; pass a folder path")
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in EXPORT_TABLES:
        target = out / f"{name}.parquet"
        temp = out / f".{name}.parquet.part"
        schema_ = _ARROW_SCHEMAS[name](pa)
        try:
            with pq.ParquetWriter(temp, schema_) as writer, database.reading(store.engine) as conn:
                for rows in _ROWS[name](conn):
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema_))
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        written[name] = target
    return written


def _runs_query() -> Any:
    r, e = schema.runs, schema.experiments
    return (select(r.c.id.label("run_id"), e.c.name.label("experiment"), r.c.name, r.c.status,
                   r.c.started_at, r.c.ended_at, (r.c.ended_at - r.c.started_at).label("duration"),
                   r.c.notebook_path, r.c.notebook_sha256, r.c.error_cell, r.c.error_name, r.c.error_value)
            .join(e, e.c.pk == r.c.experiment_pk).order_by(r.c.started_at, r.c.id))


def _per_run(table: Any, *columns: Any) -> Any:
    r = schema.runs
    return select(r.c.id.label("run_id"), *columns).join(r, r.c.pk == table.c.run_pk)


def _rows_of(conn: Connection, query: Any) -> Iterator[list[dict[str, Any]]]:
    result = conn.execute(query.execution_options(yield_per=_CHUNK_ROWS))
    for part in result.mappings().partitions(_CHUNK_ROWS):
        yield [dict(r) for r in part]


def _metric_rows(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    """A row per point, unpacked from the chunks; NaN as null, as the other exports write it."""
    c, k = schema.metric_chunks, schema.metric_keys
    query = (_per_run(c, k.c.name.label("key"), c.c.first_step, c.c.steps, c.c["values"], c.c.stamps)
             .join(k, k.c.pk == c.c.key_pk).order_by(schema.runs.c.id, k.c.name, c.c.first_step))
    rows: list[dict[str, Any]] = []
    for run_id, key, *packed in conn.execute(query.execution_options(yield_per=1_000)):
        rows.extend({"run_id": run_id, "key": key, "step": step, "value": None if value != value else value,
                     "timestamp_ms": stamp} for step, value, stamp in zip(*chunks.unpack(*packed)))
        if len(rows) >= _CHUNK_ROWS:
            yield rows
            rows = []
    if rows:
        yield rows


# Each exported table's rows, in batches of dicts.
_ROWS: dict[str, Callable[[Connection], Iterator[list[dict[str, Any]]]]] = {
    "runs": lambda conn: _rows_of(conn, _runs_query()),
    "params": lambda conn: _rows_of(conn, _per_run(
        schema.params, schema.params.c.key, schema.params.c.value.label("value_json"), schema.params.c.num,
        schema.params.c.text).order_by(schema.runs.c.id, schema.params.c.key)),
    "tags": lambda conn: _rows_of(conn, _per_run(schema.tags, schema.tags.c.key, schema.tags.c.value)
                                  .order_by(schema.runs.c.id, schema.tags.c.key)),
    "metrics": _metric_rows,
    "artifacts": lambda conn: _rows_of(conn, _per_run(
        schema.artifacts, schema.artifacts.c.name, schema.artifacts.c.sha256, schema.artifacts.c.size,
        schema.artifacts.c.media_type, schema.artifacts.c.created_at)
        .order_by(schema.runs.c.id, schema.artifacts.c.name)),
}

_ARROW_SCHEMAS = {
    "runs": lambda pa: pa.schema([
        ("run_id", pa.string()), ("experiment", pa.string()), ("name", pa.string()), ("status", pa.string()),
        ("started_at", pa.float64()), ("ended_at", pa.float64()), ("duration", pa.float64()),
        ("notebook_path", pa.string()), ("notebook_sha256", pa.string()), ("error_cell", pa.int64()),
        ("error_name", pa.string()), ("error_value", pa.string()),
    ]),
    "params": lambda pa: pa.schema([("run_id", pa.string()), ("key", pa.string()), ("value_json", pa.string()),
                                    ("num", pa.float64()), ("text", pa.string())]),
    "tags": lambda pa: pa.schema([("run_id", pa.string()), ("key", pa.string()), ("value", pa.string())]),
    "metrics": lambda pa: pa.schema([("run_id", pa.string()), ("key", pa.string()), ("step", pa.int64()),
                                     ("value", pa.float64()), ("timestamp_ms", pa.int64())]),
    "artifacts": lambda pa: pa.schema([("run_id", pa.string()), ("name", pa.string()), ("sha256", pa.string()),
                                       ("size", pa.int64()), ("media_type", pa.string()),
                                       ("created_at", pa.float64())]),
}
