"""The store's named upgrade steps, and applying the ones a database lacks, once, under a lock.

A step is a function of a connection, named and listed in STEPS. Append new steps; never
edit or reorder a released one. Each step is recorded in nbtrack_migrations when applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, Table, bindparam, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from nbtrack.errors import UsageError
from nbtrack.records import memorable_name
from nbtrack.store import chunks, database, digest
from nbtrack.store.schema import (
    alias_moves,
    artifacts,
    cells,
    experiments,
    metadata,
    metric_chunks,
    metric_keys,
    metric_summaries,
    metrics,
    migrations,
    model_aliases,
    model_versions,
    models,
    params,
    records,
    runs,
    saved_views,
    tags,
)


def _initial(conn: Connection) -> None:
    # The tables of this step by name: a table added later gets its own step.
    first = [migrations, experiments, runs, params, metric_keys, metrics,
             metric_summaries, tags, artifacts, records, cells]
    metadata.create_all(conn, tables=first, checkfirst=True)


def _registry(conn: Connection) -> None:
    metadata.create_all(conn, tables=[models, model_versions, model_aliases, alias_moves], checkfirst=True)


def _covering_filter_indexes(conn: Connection) -> None:
    # A filter such as params.model = 'rf' found index entries, then read each table row
    # for its run_pk: 3 us a row, 0.2 s of a 100k-run query. With run_pk in the index
    # the row read goes (filter at 100k runs: 198 -> 64 ms in SQLite).
    _replace_indexes(conn, ["ix_params_key_num", "ix_params_key_text", "ix_summaries_key_last", "ix_tags_key_value"],
                     [params, metric_summaries, tags])


def _replace_indexes(conn: Connection, old: list[str], tables: list[Table]) -> None:
    """Drop indexes by their old names, then create the tables' indexes as declared now."""
    for name in old:
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    for table in tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _run_digests(conn: Connection) -> None:
    # Stores made before this step lack the column; a new store's runs table has it already.
    if "digest" not in {column["name"] for column in inspect(conn).get_columns("runs")}:
        conn.execute(text("ALTER TABLE runs ADD COLUMN digest TEXT"))
    digest.backfill(conn)


def _metric_chunks(conn: Connection) -> None:
    # Every stored point moves into chunks, one series at a time, then the old table goes.
    metric_chunks.create(conn, checkfirst=True)
    m = metrics.c
    rows = conn.execute(select(m.run_pk, m.key_pk, m.step, m.value, m.ts)
                        .order_by(m.run_pk, m.key_pk, m.step).execution_options(yield_per=50_000))
    series: tuple[int, int] | None = None
    steps: list[int] = []
    values: list[float | None] = []
    stamps: list[int] = []

    def move() -> None:
        if series is not None:
            conn.execute(metric_chunks.insert(), chunks.chunk_rows(*series, steps, values, stamps))

    for run_pk, key_pk, step, value, stamp in rows:
        if (run_pk, key_pk) != series:
            move()
            series, steps, values, stamps = (run_pk, key_pk), [], [], []
        steps.append(step)
        values.append(value)
        stamps.append(stamp)
    move()
    metrics.drop(conn)


def _listing_order_indexes(conn: Connection) -> None:
    # Listing 10,000 runs sorted each started_at's ties by id in a temporary b-tree:
    # 65 -> 54 ms of the runs query with id in the index (SQLite).
    _replace_indexes(conn, ["ix_runs_started", "ix_runs_experiment_started"], [runs])


def _digest_summaries_apart(conn: Connection) -> None:
    # A digest keeps its summaries after a newline, parsed only when read (store/digest.py).
    digest.rewrite(conn)


def _run_heartbeat_interval(conn: Connection) -> None:
    # A run is lost after three of its own writer's heartbeats are missed, not the reader's.
    # Stores made before this step lack the column; a new store's runs table has it already.
    if "heartbeat_s" not in {column["name"] for column in inspect(conn).get_columns("runs")}:
        conn.execute(text("ALTER TABLE runs ADD COLUMN heartbeat_s FLOAT"))


def _run_workspace(conn: Connection) -> None:
    # Notes, archiving and saved views; every run gets a name (listings and filters by name
    # never meet an unnamed run). A new store's runs table has the columns already.
    have = {column["name"] for column in inspect(conn).get_columns("runs")}
    if "note" not in have:
        conn.execute(text("ALTER TABLE runs ADD COLUMN note TEXT"))
    if "archived_at" not in have:
        conn.execute(text("ALTER TABLE runs ADD COLUMN archived_at FLOAT"))
    saved_views.create(conn, checkfirst=True)
    unnamed = conn.execute(select(runs.c.pk, runs.c.id).where(runs.c.name.is_(None))).all()
    rename = runs.update().where(runs.c.pk == bindparam("run_pk")).values(name=bindparam("new_name"))
    for start in range(0, len(unnamed), 10_000):  # any size of store: bounded batches
        conn.execute(rename, [{"run_pk": pk, "new_name": memorable_name(run_id)}
                              for pk, run_id in unnamed[start:start + 10_000]])


def _alias_mover(conn: Connection) -> None:
    # Who moved an alias (the Lab's user, the CLI's login), kept from now on; older moves say nobody.
    if "moved_by" not in {column["name"] for column in inspect(conn).get_columns("alias_moves")}:
        conn.execute(text("ALTER TABLE alias_moves ADD COLUMN moved_by VARCHAR(200)"))


# Named upgrade steps, applied in order, each once, recorded in nbtrack_migrations.
# Append new steps; never edit or reorder a released one.
STEPS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_registry", _registry),
    ("0003_covering_filter_indexes", _covering_filter_indexes),
    ("0004_run_digests", _run_digests),
    ("0005_metric_chunks", _metric_chunks),
    ("0006_listing_order_indexes", _listing_order_indexes),
    ("0007_digest_summaries_apart", _digest_summaries_apart),
    ("0008_run_heartbeat_interval", _run_heartbeat_interval),
    ("0009_run_workspace", _run_workspace),
    ("0010_alias_mover", _alias_mover),
]


def current_schema(engine: Engine) -> set[str]:
    """The names of the upgrade steps this database has applied (empty when new)."""
    try:
        with database.reading(engine) as conn:
            return set(conn.execute(select(migrations.c.name)).scalars())
    except (OperationalError, DBAPIError) as exc:
        if _is_missing_table(exc):
            return set()
        raise


def missing_steps(engine: Engine) -> list[str]:
    """The upgrade steps this database lacks, in order; refuses one a newer nbtrack upgraded."""
    wanted = [name for name, _ in STEPS]
    applied = current_schema(engine)
    newer = sorted(applied - set(wanted))
    if newer:  # its formats may have changed (a digest's form in 0007): reading or writing could break it
        raise UsageError(f"this store was upgraded by a newer nbtrack (step {newer[-1]}); "
                         "install that version or later to open it: pip install -U nbtrack")
    return [name for name in wanted if name not in applied]


def migrate(engine: Engine) -> list[str]:
    """Apply the upgrade steps this database lacks, once, under an exclusive lock."""
    if not missing_steps(engine):
        return []
    applied_now = []
    with database.writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Concurrent CREATE TABLE races in PostgreSQL's catalog; serialize first.
            conn.execute(text("SELECT pg_advisory_xact_lock(7212843901)"))
        migrations.create(conn, checkfirst=True)
        done = set(conn.execute(select(migrations.c.name)).scalars())
        for name, step in STEPS:
            if name in done:
                continue
            step(conn)
            conn.execute(migrations.insert().values(name=name, applied_at=time.time()))
            applied_now.append(name)
    return applied_now


def _is_missing_table(exc: Exception) -> bool:
    message = str(exc).lower()
    return "no such table" in message or "does not exist" in message
