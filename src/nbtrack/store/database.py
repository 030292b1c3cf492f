"""Connections to the store's database: SQLite tuned for many writers, or PostgreSQL.

SQLite runs in WAL mode with a busy timeout; every write transaction opens
with BEGIN IMMEDIATE, because a deferred transaction that reads and then
writes fails with "database is locked" instead of waiting its turn.
The store's durability (config.Durability) sets how a commit reaches the disk:
normal is synchronous=NORMAL on SQLite (a commit survives a killed process;
an OS crash or power cut may lose the last ones, never corrupts) and the
server's own synchronous_commit on PostgreSQL (on unless its admin changed it);
full is synchronous=FULL on SQLite (every commit fsynced) and
synchronous_commit=on for each PostgreSQL session.
A read-only engine never writes: SQLite opened with mode=ro, PostgreSQL in
read-only transactions, and writing() refuses before it begins.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
import urllib.parse
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, OperationalError

from nbtrack.config import Durability, mask_password, store_durability
from nbtrack.errors import StorageError, StoreReadOnly

BUSY_TIMEOUT_MS = 60_000
WAL_CHECKPOINT_PAGES = 10_000  # pages of 4 KiB
_WRITE = "nbtrack_write"
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()
_read_only: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()  # engine -> why


def _forget_connections_after_fork() -> None:
    # A forked child must not share its parent's sockets and file handles.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_after_fork)


def connect(url: str, *, read_only: str | None = None) -> Engine:
    """An engine for a store database URL, with the store's transaction rules.

    read_only, when given, says why the engine must never write: every write
    transaction is then refused with a StoreReadOnly naming it.
    A ?durability= in the URL is the store's durability setting, not the driver's.
    """
    url, durability = store_durability(url)
    if url.startswith("sqlite"):
        options: dict[str, Any] = {}
        if read_only is not None:
            path = make_url(url).database or ""
            options["creator"] = functools.partial(_connect_sqlite_read_only, path)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=2,
            max_overflow=6,
            **options,
        )
        if read_only is None:
            event.listen(engine, "connect", functools.partial(_sqlite_on_connect, durability=durability))
        else:
            event.listen(engine, "connect", _sqlite_on_connect_read_only)
        event.listen(engine, "begin", _sqlite_on_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if read_only is not None:
            event.listen(engine, "connect", _postgres_on_connect_read_only)
        elif durability is Durability.FULL:
            event.listen(engine, "connect", _postgres_on_connect_full)
    _engines.add(engine)
    if read_only is not None:
        _read_only[engine] = read_only
    return engine


def read_only_reason(engine: Engine) -> str | None:
    """Why this engine never writes, or None when it may."""
    return _read_only.get(engine)


def is_writable_file(path: str) -> bool:
    """Whether this process may write a SQLite database file and create its -wal and -shm beside it."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def _connect_sqlite_read_only(path: str) -> sqlite3.Connection:
    # mode=ro: SQLite itself refuses every write. In WAL mode a reader needs the -shm file;
    # when the folder is not writable and no writer left a -wal, immutable=1 reads the file
    # as it is (nobody who could change it can write there; with a -wal, its commits count).
    absolute = os.path.abspath(path)
    uri = f"file:{urllib.parse.quote(absolute)}?mode=ro"
    if not os.access(os.path.dirname(absolute), os.W_OK) and not os.path.exists(absolute + "-wal"):
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any, *, durability: Durability) -> None:
    # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite would defer it).
    dbapi_conn.isolation_level = None
    dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _retry_busy(lambda: dbapi_conn.execute("PRAGMA journal_mode = WAL"))
    # NORMAL in WAL mode: a commit survives a killed process; a power cut may lose the last
    # commits but never corrupts the file (the log is fsynced only at checkpoints).
    # FULL: the log is fsynced at every commit, which then survives a power cut too.
    dbapi_conn.execute("PRAGMA synchronous = FULL" if durability is Durability.FULL else "PRAGMA synchronous = NORMAL")
    # Checkpoint the log into the database every 40 MB written, not every 4 MB (the default):
    # a checkpoint fsyncs, and a million points then paid eight of them (measured: 1M-point
    # insert 3.4 s -> 2.0 s wall). The log file, reused between checkpoints, then stays up to ~40 MB.
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    # Keep up to 64 MB of pages per connection, not 2 MB: metric chunks are ~3 KB rows, and a
    # sampled read of a 1M-point series seeks 1,000 of them (measured 17 -> 8 ms for those seeks).
    # The cache grows only as pages are read.
    dbapi_conn.execute("PRAGMA cache_size = -65536")


def _sqlite_on_connect_read_only(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # No journal mode, checkpoint or synchronous setting: each would be a write.
    dbapi_conn.isolation_level = None
    dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_conn.execute("PRAGMA query_only = ON")
    dbapi_conn.execute("PRAGMA cache_size = -65536")


def _postgres_on_connect_read_only(dbapi_conn: Any, _record: Any) -> None:
    # Set per session, not as a connect option: the URL's own options (a search_path) stay.
    _postgres_session(dbapi_conn, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")


def _postgres_on_connect_full(dbapi_conn: Any, _record: Any) -> None:
    # Per session: a server configured with synchronous_commit=off still flushes this store's commits.
    _postgres_session(dbapi_conn, "SET SESSION synchronous_commit = on")


def _postgres_session(dbapi_conn: Any, statement: str) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()
    dbapi_conn.commit()


def _sqlite_on_begin(conn: Connection) -> None:
    # Through the driver: SQLAlchemy's exec_driver_sql cost each transaction 0.1 ms (profile
    # of creating 1,000 runs, two transactions each).
    write = conn.get_execution_options().get(_WRITE, False)
    _on_driver(conn, "BEGIN IMMEDIATE" if write else "BEGIN", ())


def _retry_busy(call: Any, attempts: int = 200) -> Any:
    # Switching a fresh file to WAL needs a moment alone; the busy handler does not cover it.
    for attempt in range(attempts):
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
    return None


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, committed on success.

    A full disk or a failed write rolls the whole transaction back and becomes a
    StorageError: one line for the user, the data committed before untouched.
    A read-only engine refuses with StoreReadOnly before anything begins.
    """
    refusal = _read_only.get(engine)
    if refusal is not None:
        raise StoreReadOnly(refusal)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn
    except (OperationalError, DBAPIError) as exc:
        if not _is_storage_failure(exc):
            raise
        where = mask_password(engine.url.render_as_string(hide_password=False))
        raise StorageError.from_os_error(OSError(str(getattr(exc, "orig", exc)).strip()), where) from exc


_STORAGE_FAILURES = ("disk is full", "disk i/o error", "no space left", "could not extend file",
                     "file too large", "quota")


def _is_storage_failure(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return any(text in message for text in _STORAGE_FAILURES)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot, never takes the write lock."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


def fetch(conn: Connection, statement: Any, values: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """A statement's rows as the driver's plain tuples.

    SQLAlchemy compiles (and caches) the statement and binds its parameters; the
    rows skip its Row objects, which cost more than the query itself at 100k rows.
    Every column read this way is a type the drivers return as is (text, int, float, bytes).
    """
    result = conn.execute(statement, values)
    try:
        return result.cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        result.close()


_COMPILED: dict[tuple[str, str, str], tuple[str, tuple[str, ...] | None]] = {}


class Executed(NamedTuple):
    """What a statement run by execute_compiled returned: all its rows, and the rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int


def execute_compiled(conn: Connection, name: str, build: Callable[[], Any],
                     values: dict[str, Any] | list[dict[str, Any]]) -> Executed:
    """Run a fixed statement (built by build) through the driver.

    For the statements every run pays for: SQLAlchemy's execute spends ~0.1 ms a
    statement on its cache lookup, parameter processing and result setup, as much as
    SQLite spends running it (profile of creating 1,000 runs). The statement is compiled
    once per process and driver (once per store cost a fresh store's first run ~20 ms).
    SQLite's cursor is used directly (_on_driver): its errors are raised as SQLAlchemy's
    (a full disk is still a StorageError), and an interrupt (Ctrl-C) mid-statement
    invalidates the connection, so no half-run statement keeps its lock. Every value must be one
    the driver takes as is (text, numbers, bytes, None); a list runs the statement for each.
    """
    where = (name, conn.dialect.name, conn.dialect.driver)
    found = _COMPILED.get(where)
    if found is None:
        first = values[0] if isinstance(values, list) else values
        compiled = build().compile(dialect=conn.dialect, column_keys=list(first))
        found = _COMPILED[where] = (str(compiled), tuple(compiled.positiontup or ()) if compiled.positional else None)
    sql, order = found
    if order is not None:  # qmark drivers (sqlite3) take tuples in the statement's order
        values = ([tuple(row[n] for n in order) for row in values] if isinstance(values, list)
                  else tuple(values[n] for n in order))
    if conn.dialect.name != "sqlite":
        result = conn.exec_driver_sql(sql, values)  # type: ignore[arg-type]
        return Executed(result.fetchall() if result.returns_rows else [], result.rowcount)
    return _on_driver(conn, sql, values)


def _on_driver(conn: Connection, sql: str, values: tuple[Any, ...] | list[tuple[Any, ...]]) -> Executed:
    """A statement on SQLite's own cursor in the connection's transaction, read to the end and closed.

    Errors are raised as SQLAlchemy's, and an interrupt (Ctrl-C) invalidates the
    connection, as SQLAlchemy's own execute does.
    """
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if isinstance(values, list):
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
        done = Executed(cursor.fetchall() if cursor.description else [], cursor.rowcount)
    except dbapi.Error as exc:  # as SQLAlchemy's own execute would raise it
        cursor.close()
        raise DBAPIError.instance(sql, values, exc, dbapi.Error) from exc
    except BaseException:  # KeyboardInterrupt, SystemExit: drop the connection and its lock
        try:
            cursor.close()
        finally:
            conn.invalidate()
        raise
    cursor.close()
    return done


def insert_ignoring(conn: Connection, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for this connection's dialect."""
    return dialect_insert(conn, table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: list[str], update: list[str]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET each of update to the new row's value."""
    return _upsert(conn.dialect.name, table, tuple(keys), tuple(update))


@functools.lru_cache(maxsize=64)
def _upsert(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Any:
    # Built once: constructing the statement cost more than executing it (profile of run creation).
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: stmt.excluded[name] for name in update}
    )


def dialect_insert(conn: Connection, table: Table) -> Any:
    """An INSERT that supports on_conflict_do_update/do_nothing on SQLite and PostgreSQL."""
    return _insert(conn.dialect.name, table)


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        # Loaded only on PostgreSQL: with asyncpg and asyncio it was ~0.1 s of every start_run.
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    return sqlite.insert(table)
