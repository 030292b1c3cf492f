"""Reading runs back: filtered, sorted, paged lists of run records, built in bulk."""

from __future__ import annotations

import gc
import json
import logging
import time
from dataclasses import fields
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection, Engine, Select, and_, bindparam, func, select,
)

from nbtrack.errors import ArtifactNotFound, RunNotFound, UsageError
from nbtrack.formatting import palette_colour
from nbtrack.records import (
    ID_LENGTH,
    MIN_PREFIX,
    Artifact,
    CellTiming,
    MetricSummary,
    NotebookRef,
    Record,
    RunError,
    RunRecord,
    RunStatus,
    memorable_name,
)
from nbtrack.store import chunks, database, digest, schema
from nbtrack.store.fields import joined_value

if TYPE_CHECKING:  # both load on first use: a start_run reads no runs and no models (~0.03 s of imports)
    from nbtrack.store.query import Field
    from nbtrack.store.registry import Registry

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32, in sort order
_CROCKFORD = set(_ALPHABET)
_IN_LIST_LIMIT = 900  # run pks per IN list: below SQLite's bound-parameter limit
_MISSING = object()
_STATUS = {status.value: status for status in RunStatus}
# A StoredRun's _source: the runs row as _select_runs selects it (pk, id, experiment, name, status,
# started_at, ended_at), then what digest.summaries reads the metrics' min, max, step and count from
# (the row's digest text, or the flat list read from the tables). Its params and the last value of
# each metric (None for NaN) are in _params and _last, its tags and artifacts in _attached; its
# notebook, error, note and archived mark are read later, for its whole listing at once (_Rest).
_SOURCE_SUMMARIES = 7
_LATER = frozenset({"notebook", "error", "note", "archived"})  # the fields _Rest reads
_FIELDS = frozenset(f.name for f in fields(RunRecord))
ARCHIVED = ("hide", "include", "only")  # which runs a listing shows, by their archived mark
_log = logging.getLogger("nbtrack")


class Listing:
    """The read side of a store: every query that builds run records."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- runs -----------------------------------------------------------------

    def runs(
        self,
        where: str | None = None,
        *,
        experiment: str | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        archived: str = "hide",
    ) -> list[StoredRun]:
        """Runs matching a filter, newest first unless order_by says otherwise.

        archived: "hide" (the default) leaves archived runs out, "include" lists them too,
        "only" lists nothing else.
        """
        query = self._select_runs(where, experiment, order_by, archived)
        if limit is not None:
            query = query.limit(_non_negative("limit", limit))
        if offset:
            query = query.offset(_non_negative("offset", offset))
        if limit is None or limit > _IN_LIST_LIMIT:
            with database.reading(self.engine) as conn, bulk_objects():
                return self._load(conn, query)
        # A page: sort only the pks, then read the page's rows. Sorting every whole row (its digest
        # too) cost 210 ms of a page sorted by a metric at 100k runs, sorting pks 70 ms.
        with database.reading(self.engine) as conn:
            pks = self._by_metric(conn, where, experiment, order_by, archived, limit, offset)
            if pks is None:
                pks = list(conn.execute(query.with_only_columns(schema.runs.c.pk)).scalars())
            if not pks:
                return []
            page = self._select_runs(None, None, [], "include").where(schema.runs.c.pk.in_(pks))
            with bulk_objects():
                found = {run._source[0]: run for run in self._load(conn, page)}
        return [found[pk] for pk in pks if pk in found]

    def check_fields(self, orders: Sequence[str] = (), columns: Sequence[str] = ()) -> None:
        """Refuse sort terms and columns that name a params, metrics or tags key no run has, with the
        nearest known key, as a filter is refused (query.check_keys)."""
        from nbtrack.store.query import check_keys, parse_field, parse_orders

        fields = [field for field, _down in parse_orders(list(orders))] + [parse_field(c) for c in columns]
        with database.reading(self.engine) as conn:
            check_keys(conn, fields)

    def _by_metric(self, conn: Connection, where: str | None, experiment: str | None,
                   order_by: str | Sequence[str] | None, archived: str, limit: int, offset: int) -> list[int] | None:
        """A page's pks when it is sorted by a metric's last value first, else None.

        The runs that have the metric come in the order of its index (key, last, run): a page of
        100 at 100k runs read 100 index entries (1.5 ms) instead of sorting every run (73 ms).
        Runs without it (or NaN) follow, by the other order terms, as NULLS LAST puts them.
        """
        from nbtrack.store.query import parse_orders

        terms = parse_orders([order_by] if isinstance(order_by, str) else list(order_by or ["-started"]))
        (field, descending), rest = terms[0], terms[1:]
        if field.kind != "metrics" or field.part:
            return None
        runs, summaries = schema.runs.c, schema.metric_summaries.alias()
        key_pk = select(schema.metric_keys.c.pk).where(schema.metric_keys.c.name == field.key).scalar_subquery()
        has = and_(summaries.c.run_pk == runs.pk, summaries.c.key_pk == key_pk, summaries.c["last"].is_not(None))
        having = self.matching(select(runs.pk), where, experiment, archived).join(summaries, has)
        query = having.order_by(summaries.c["last"].desc() if descending else summaries.c["last"].asc())
        for term, down in rest:
            query = _order(query, term, down)
        pks = list(conn.execute(query.order_by(runs.id.desc()).limit(limit).offset(offset)).scalars())
        if len(pks) == limit:
            return pks
        held = conn.execute(select(func.count()).select_from(having.subquery())).scalar_one()
        lacking = self.matching(select(runs.pk), where, experiment, archived).where(
            runs.pk.not_in(select(summaries.c.run_pk).where(summaries.c.key_pk == key_pk,
                                                            summaries.c["last"].is_not(None))))
        for term, down in rest:
            lacking = _order(lacking, term, down)
        lacking = lacking.order_by(runs.id.desc()).limit(limit - len(pks)).offset(max(0, offset - held))
        return pks + list(conn.execute(lacking).scalars())

    def count(self, where: str | None = None, *, experiment: str | None = None, archived: str = "hide") -> int:
        """How many runs match a filter (archived as runs() takes it)."""
        # No status, no order: at 100k runs the listing's select as a subquery cost 86 ms, this 20 ms.
        counted = self.matching(select(func.count()), where, experiment, archived)
        with database.reading(self.engine) as conn:
            return int(conn.execute(counted).scalar_one())

    def run(self, ref: str) -> StoredRun:
        """One run by id or by a unique id prefix of at least 6 characters."""
        run_id = self.resolve(ref)
        query = self._select_runs(None, None, order_by=[]).where(schema.runs.c.id == run_id)
        with database.reading(self.engine) as conn, bulk_objects():
            found = self._load(conn, query)
        if not found:
            raise RunNotFound(f"no run {ref!r}; list runs with nbtrack runs")
        return found[0]

    def resolve(self, ref: str) -> str:
        """The full run id for an id, a unique prefix or suffix of at least 6 characters (the short
        id every view shows: formatting.short_ids), or NAME@champion / NAME@3."""
        if not isinstance(ref, str):
            raise RunNotFound(f"a run reference is text such as 01JD3F. Got {ref!r} instead.")
        if "@" in ref:
            return self.models.get(ref).run_id  # a registered model version points at its run
        part = ref.strip().upper()
        if len(part) < MIN_PREFIX:
            raise RunNotFound(
                f"run reference {ref!r} is too short; give at least {MIN_PREFIX} characters of the id"
            )
        if not set(part) <= _CROCKFORD:
            raise RunNotFound(f"no run {ref!r}: run ids use digits and capital letters; list runs with nbtrack runs")
        runs = schema.runs.c
        with database.reading(self.engine) as conn:
            found = list(conn.execute(
                select(runs.id).where(*_prefix_range(runs.id, part)).order_by(runs.id).limit(4)
            ).scalars())
            if len(part) < ID_LENGTH:  # a whole id is its own prefix only; a part may end another id
                found += [i for i in conn.execute(
                    select(runs.id).where(runs.id.like(f"%{part}")).order_by(runs.id).limit(4)
                ).scalars() if i not in found]  # Crockford characters only: nothing to escape in LIKE
        if not found:
            raise RunNotFound(f"no run matches {ref!r}; list runs with nbtrack runs")
        if len(found) > 1:
            shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
            raise RunNotFound(f"run reference {ref!r} is ambiguous ({shown}); give more characters")
        return found[0]

    def experiments(self) -> list[dict[str, Any]]:
        """Every experiment with its number of runs and its latest start."""
        e, r = schema.experiments.c, schema.runs.c
        query = (
            select(e.name, func.count(r.pk).label("runs"), func.max(r.started_at).label("last_started"))
            .select_from(schema.experiments.outerjoin(schema.runs, r.experiment_pk == e.pk))
            .group_by(e.name)
            .order_by(e.name)
        )
        with database.reading(self.engine) as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def field_keys(self) -> dict[str, list[str]]:
        """Every param, metric and tag key in the store, sorted, under "params", "metrics" and "tags"."""
        p, k, t = schema.params.c, schema.metric_keys.c, schema.tags.c
        with database.reading(self.engine) as conn:
            return {
                "params": list(conn.execute(select(p.key).distinct().order_by(p.key)).scalars()),
                "metrics": list(conn.execute(select(k.name).order_by(k.name)).scalars()),
                "tags": list(conn.execute(select(t.key).distinct().order_by(t.key)).scalars()),
            }

    def runs_of_notebook(self, sha256: str, *, status: RunStatus | str | None = None) -> list[StoredRun]:
        """Runs of the notebook whose content has this sha256, oldest first, optionally of one status."""
        query = (self._select_runs(None, None, order_by="started")
                 .where(schema.runs.c.notebook_sha256 == sha256))
        if status is not None:
            from nbtrack.store.query import effective_status

            query = query.where(effective_status(time.time()) == RunStatus(status).value)
        with database.reading(self.engine) as conn, bulk_objects():
            return self._load(conn, query)

    @property
    def models(self) -> Registry:
        """The model registry: named models, their versions and aliases (churn@champion)."""
        from nbtrack.store.registry import Registry

        return Registry(self.engine, self.run)

    # -- one run's details ----------------------------------------------------

    def metric_history(self, run_id: str, key: str, *, max_points: int | None = None) -> list[tuple[int, float, int]]:
        """A metric's (step, value, timestamp ms) points, evenly downsampled to max_points."""
        s, k = schema.metric_summaries.c, schema.metric_keys.c
        with database.reading(self.engine) as conn:
            pk = self._pk(conn, run_id)
            key_pk = conn.execute(select(k.pk).where(k.name == key)).scalar()
            if key_pk is None:
                return []
            count = conn.execute(select(s.count).where(s.run_pk == pk, s.key_pk == key_pk)).scalar() or 0
            if max_points is None or count <= max_points:
                return list(chunks.read(conn, pk, key_pk))
            return chunks.sample(conn, pk, key_pk, _non_negative("max_points", max_points))

    def artifacts(self, run_id: str) -> list[Artifact]:
        a = schema.artifacts.c
        with database.reading(self.engine) as conn:
            pk = self._pk(conn, run_id)
            rows = conn.execute(select(a.name, a.sha256, a.size, a.media_type)
                                .where(a.run_pk == pk).order_by(a.name))
            return [Artifact(*row) for row in rows]

    def artifact(self, run_id: str, name: str) -> Artifact:
        """One artifact of a run, looked up by name in the database (never on disk)."""
        a = schema.artifacts.c
        with database.reading(self.engine) as conn:
            pk = self._pk(conn, run_id)
            row = conn.execute(select(a.name, a.sha256, a.size, a.media_type)
                               .where(a.run_pk == pk, a.name == name)).first()
        if row is None:
            raise ArtifactNotFound(f"run {run_id} has no artifact {name!r}; see nbtrack show {run_id}")
        return Artifact(*row)

    def records(self, run_id: str, kind: str | None = None) -> list[Record]:
        """A run's structured captures, optionally of one kind, in name order."""
        r = schema.records.c
        with database.reading(self.engine) as conn:
            pk = self._pk(conn, run_id)
            query = select(r.kind, r.name, r.body).where(r.run_pk == pk)
            if kind is not None:
                query = query.where(r.kind == kind)
            rows = conn.execute(query.order_by(r.kind, r.name, r.created_at))
            return [Record(k, n, json.loads(body)) for k, n, body in rows]

    def cells(self, run_id: str) -> list[CellTiming]:
        """What each executed cell of a run cost, in cell order."""
        c = schema.cells.c
        with database.reading(self.engine) as conn:
            pk = self._pk(conn, run_id)
            rows = conn.execute(
                select(c.idx, c.wall_s, c.cpu_s, c.rss_peak, c.rss_delta, c.status)
                .where(c.run_pk == pk).order_by(c.idx)
            )
            return [CellTiming(*row) for row in rows]

    # -- internals ------------------------------------------------------------

    def _pk(self, conn: Connection, run_id: str) -> int:
        pk = conn.execute(select(schema.runs.c.pk).where(schema.runs.c.id == run_id)).scalar()
        if pk is None:
            raise RunNotFound(f"no run {run_id}; list runs with nbtrack runs")
        return int(pk)

    def _select_runs(self, where: str | None, experiment: str | None,
                     order_by: str | Sequence[str] | None, archived: str = "include") -> Select[Any]:
        from nbtrack.store.query import effective_status, parse_orders

        runs = schema.runs
        query = select(
            runs.c.pk, runs.c.id, schema.experiments.c.name.label("experiment"), runs.c.name,
            effective_status(time.time()).label("status"), runs.c.started_at, runs.c.ended_at, runs.c.digest,
        )
        query = self.matching(query, where, experiment, archived)
        terms = [order_by] if isinstance(order_by, str) else list(order_by or ["-started"])
        for field, descending in parse_orders(terms):  # bounded: one LEFT JOIN per key
            query = _order(query, field, descending)
        return query.order_by(runs.c.id.desc())

    def matching(self, query: Select[Any], where: str | None, experiment: str | None,
                 archived: str = "hide") -> Select[Any]:
        """query (columns of runs and experiments) joined and narrowed to the runs a filter matches.

        A filter naming a params, metrics or tags key that no run has is refused (query.check_keys).
        """
        from nbtrack.store.query import check_keys, parse_filter

        runs, experiments = schema.runs, schema.experiments
        query = query.select_from(runs.join(experiments, runs.c.experiment_pk == experiments.c.pk))
        if experiment is not None:
            query = query.where(experiments.c.name == experiment)
        if archived not in ARCHIVED:
            raise UsageError(f"archived is one of {', '.join(ARCHIVED)}. Got {str(archived)[:40]!r} instead.")
        if archived != "include":
            query = query.where(runs.c.archived_at.is_(None) if archived == "hide" else runs.c.archived_at.is_not(None))
        if where is not None and where.strip():
            clause, fields = parse_filter(where, time.time())
            with database.reading(self.engine) as conn:
                check_keys(conn, fields)
            query = query.where(clause)
        return query

    def _load(self, conn: Connection, query: Select[Any]) -> list[StoredRun]:
        """The runs a query selects, each with its params, summaries, tags and artifacts.

        Profiled at 10,000 runs, fetching and grouping the ~150k param and summary
        rows made up most of the time. An ended run carries both in its digest
        (store/digest.py), so only runs without one read those tables. Rows come
        straight from the driver cursor (SQLAlchemy still compiles and caches each
        statement), one query per table, and a run's MetricSummary objects are only
        built when its summaries are read (`metrics` and compare() do without them).
        """
        rows = database.fetch(conn, query)
        if not rows:
            return []
        pks = [row[0] for row in rows]
        undigested = [row[0] for row in rows if row[-1] is None]
        from_tables = self._load_tables(conn, undigested) if undigested else {}
        whole = _most_of_store(conn, pks)
        tags: dict[int, dict[str, str]] = {}  # only runs that have some
        for pk, key, value in _per_run(conn, _TAGS, pks, whole):
            tags.setdefault(pk, {})[key] = value
        artifacts: dict[int, dict[str, str]] = {}
        for pk, name, sha in _per_run(conn, _ARTIFACTS, pks, whole):
            artifacts.setdefault(pk, {})[name] = sha

        # StoredRun's constructor inlined: 100k runs paid 0.06 s in the calls. A run keeps the row as
        # its source and its parsed parts in slots of their own: joining them into one tuple cost
        # 100k runs 0.04 s more.
        read, new, set_store, set_source = digest.read, object.__new__, _SET_STORE, _SET_SOURCE
        set_params, set_last, set_attached, set_rest = _SET_PARAMS, _SET_LAST, _SET_ATTACHED, _SET_REST
        built, unreadable, cls, rest = [], [], StoredRun, _Rest(self, None if whole else pks)
        for row in rows:
            pk, text = row[0], row[-1]
            try:
                if text is None:
                    params, last, flat = from_tables[pk]
                    row = (*row[:-1], flat)
                else:
                    params, last = read(text)
                if row[4] not in _STATUS or type(params) is not dict or type(last) is not dict:
                    raise TypeError(row[4])
            except (ValueError, KeyError, TypeError):
                unreadable.append(row[1])  # one bad row must not hide every other run
                continue
            run = new(cls)
            set_store(run, self)
            set_source(run, row)
            set_params(run, params)
            set_last(run, last)
            set_rest(run, rest)
            if pk in tags or pk in artifacts:
                set_attached(run, (tags.get(pk), artifacts.get(pk)))
            built.append(run)
        if unreadable:
            _skipped(unreadable)
        return built

    def _load_tables(self, conn: Connection,
                     pks: list[int]) -> dict[int, tuple[dict[str, Any], dict[str, Any], list[Any]]]:
        """Params and summaries of runs without a digest, from their tables, in the digest's form."""
        whole = _most_of_store(conn, pks)
        found = {pk: ({}, {}, []) for pk in pks}
        parsed: dict[str, Any] = {}
        loads = json.loads
        last_pk, params = None, None
        for pk, key, value in _per_run(conn, _PARAMS, pks, whole):
            if pk != last_pk:  # rows come grouped by run
                last_pk, params = pk, found[pk][0] if pk in found else None
            if params is None:
                continue
            known = parsed.get(value, _MISSING)
            if known is _MISSING:
                try:
                    known = loads(value)
                except (ValueError, TypeError, RecursionError):
                    found[pk] = None  # type: ignore[assignment]  # _load skips the run and says so
                    params = None
                    continue
                if not isinstance(known, (list, dict)):  # containers: each run gets its own
                    parsed[value] = known
            params[key] = known

        for pk, key, last, *rest in _per_run(conn, _SUMMARIES, pks, whole):
            if found.get(pk) is not None:
                found[pk][1][key] = last
                found[pk][2].extend(rest)
        return found


class StoredRun(RunRecord):
    """A run read from a store: its record, plus its series, artifacts and captures.

    Listing builds thousands at once, so a StoredRun starts as its source (the runs row,
    parsed params and last values, tags and artifacts) and fills in its dataclass fields
    when one is first read (_FromSource); compare() reads its columns straight from the
    sources (source_columns). At 10,000 runs building the fields up front, and the
    garbage collector walking them, was a third of store.runs() + compare(). Its notebook,
    error, note and archived mark are read when one of the listing's runs first asks (_Rest).
    """

    __slots__ = ("_store", "_source", "_params", "_last", "_attached", "_rest")

    def _fill(self) -> None:
        pk, run_id, experiment, name, status, started_at, ended_at, _summaries = self._source
        tags, artifacts = getattr(self, "_attached", None) or (None, None)
        self.__dict__.update({
            "colour": palette_colour(pk),
            "id": run_id, "experiment": experiment, "status": _STATUS[status], "started_at": started_at,
            "name": name or memorable_name(run_id), "ended_at": ended_at, "params": self._params,
            "tags": tags or {}, "artifacts": artifacts or {},
        })

    def _fill_later(self) -> None:
        notebook_path, notebook_sha256, error_cell, error_name, error_value, note, archived_at = (
            self._rest.of(self._source[0]))
        self.__dict__.update({
            "note": note or "", "archived": archived_at is not None,
            "notebook": NotebookRef(notebook_path, notebook_sha256 or "") if notebook_path else None,
            "error": RunError(error_cell, error_name, error_value or "") if error_name else None,
        })

    def _summaries(self) -> None:
        last, rest = self._last, self._source[_SOURCE_SUMMARIES]
        nan = float("nan")
        try:
            flat = digest.summaries(rest)
        except ValueError:
            _skipped([self._source[1]], what="the metric summaries of")
            flat = []
        self.__dict__["summaries"] = {
            key: MetricSummary(nan if value is None else value, nan if lo is None else lo,
                               nan if hi is None else hi, step, count)
            for (key, value), (lo, hi, step, count) in zip(last.items(), _by_four(flat))
        }

    def compare_row(self) -> tuple[Any, ...]:
        source = self._source
        started, ended = source[5], source[6]
        return (*source[1:5], started, None if ended is None else ended - started, self._params, self._last)

    @property
    def metrics(self) -> dict[str, float]:
        """The last value of every metric key (read from the source when summaries are not built)."""
        built = self.__dict__.get("summaries")
        if built is not None:
            return {key: s.last for key, s in built.items()}
        last = self._last
        if None in last.values():
            nan = float("nan")
            return {key: nan if value is None else value for key, value in last.items()}
        return dict(last)

    def metric_history(self, key: str, *, max_points: int | None = None) -> Any:
        """A pandas DataFrame of step, value and timestamp for one metric key."""
        import pandas as pd

        points = self._store.metric_history(self.id, key, max_points=max_points)
        frame = pd.DataFrame(points, columns=["step", "value", "timestamp"])
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="ms", utc=True)
        return frame

    def artifact(self, name: str) -> bytes:
        """An artifact's bytes, verified against its sha256."""
        return self._store.read_artifact(self.id, name)  # type: ignore[attr-defined, no-any-return]

    def records(self, kind: str | None = None) -> list[Record]:
        return self._store.records(self.id, kind)

    def rename(self, name: str) -> None:
        """Rename the run in its store; this object reads the new name too."""
        self._store.rename(self.id, name)  # type: ignore[attr-defined]  # reading id fills every field first
        self.__dict__["name"] = self._store.run(self.id).name

    def set_note(self, text: str) -> None:
        """Set the run's Markdown note in its store ("" clears it); this object reads it too."""
        self._store.set_note(self.id, text)  # type: ignore[attr-defined]  # reading id fills every field first
        self.__dict__["note"] = text

    def cells(self) -> list[CellTiming]:
        return self._store.cells(self.id)


class _Rest:
    """The runs columns a listing leaves out of its rows (notebook, error, note, archived mark), read
    for all of the listing's runs at once when one of them is first asked for.

    Few readers of a listing look at them, and every run paid for them: 7 columns of 100k runs
    were 0.04 s of the listing's fetch (profiled). They are read as they are then, in a later
    transaction than the rest of the run; a run deleted in between reads as having none of them.
    """

    __slots__ = ("_listing", "_pks", "_rows")

    def __init__(self, listing: Listing, pks: list[int] | None) -> None:
        self._listing, self._pks = listing, pks  # None: most of the store, read in one scan
        self._rows: dict[int, tuple[Any, ...]] | None = None

    def of(self, pk: int) -> tuple[Any, ...]:
        if self._rows is None:
            with database.reading(self._listing.engine) as conn:
                rows = _per_run(conn, _REST, self._pks or [], self._pks is None)
                self._rows = {row[0]: row[1:] for row in rows}
        return self._rows.get(pk, _NO_REST)


_NO_REST = (None,) * 7


class _FromSource:
    """A StoredRun field filled in from the run's source when first read; the instance dict
    answers from then on (a non-data descriptor, as functools.cached_property)."""

    def __init__(self, fill: Callable[[StoredRun], None]) -> None:
        self.fill = fill

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, run: StoredRun | None, owner: type | None = None) -> Any:
        if run is None:
            return self
        self.fill(run)
        return run.__dict__[self.name]


_SET_STORE, _SET_SOURCE, _SET_PARAMS, _SET_LAST, _SET_ATTACHED, _SET_REST = (  # type: ignore[attr-defined]
    StoredRun._store.__set__, StoredRun._source.__set__, StoredRun._params.__set__, StoredRun._last.__set__,
    StoredRun._attached.__set__, StoredRun._rest.__set__)
for _name in _FIELDS:
    _field = _FromSource(StoredRun._summaries if _name == "summaries"
                         else StoredRun._fill_later if _name in _LATER else StoredRun._fill)
    _field.__set_name__(StoredRun, _name)
    setattr(StoredRun, _name, _field)


def source_columns(runs: list[StoredRun]) -> list[Any]:
    """compare()'s columns of stored runs, as RunRecord.compare_row gives them row by row: ids,
    experiments, names, statuses, started_at, durations (NaN while running), params and last values."""
    import numpy as np

    sources = [run._source for run in runs]
    ids, experiments, names, statuses, started, ended = (list(map(itemgetter(i), sources)) for i in range(1, 7))
    params, last = [run._params for run in runs], [run._last for run in runs]
    durations = np.array(ended, dtype="float64") - np.array(started, dtype="float64")
    return [ids, experiments, names, statuses, started, durations, params, last]


def _skipped(run_ids: list[Any], *, what: str = "") -> None:
    """Say once per listing that some runs' stored rows do not parse and were left out."""
    shown = ", ".join(repr(i) if not isinstance(i, str) or not i.isprintable() else i for i in run_ids[:5])
    more = f" and {len(run_ids) - 5} more" if len(run_ids) > 5 else ""
    _log.warning("nbtrack: warning: skipped %s%d runs whose stored rows do not parse (%s%s); "
                 "restore the store's database from a backup or import those runs again from a sound copy",
                 what + " " if what else "", len(run_ids), shown, more)


def _by_four(flat: list[Any]) -> Iterator[tuple[Any, ...]]:
    """(min, max, step, count) of each key from their flat list."""
    return zip(*[iter(flat)] * 4)


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while thousands of acyclic objects are built.

    Every 700 new tuples or dicts start a collection, and the older generations are
    walked again and again as they grow: at 10,000 runs (~200k new containers) that
    was 0.04-0.36 s per listing, growing with the rest of the heap. Nothing built
    here forms a cycle, so there is nothing for the collector to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _most_of_store(conn: Connection, pks: list[int]) -> bool:
    """Whether pks are many and at least half of the store's runs: then one scan beats seeks."""
    return len(pks) > _IN_LIST_LIMIT and 2 * len(pks) >= (
        conn.execute(select(func.max(schema.runs.c.pk))).scalar() or 0)


def _per_run(conn: Connection, statement: Select[Any], pks: list[int],
             whole: bool) -> Iterator[tuple[Any, ...]]:
    """Rows of a per-run table for the runs pks names (and maybe others: callers skip those).

    When the runs are most of the store one scan of the table is cheaper than an index
    seek per run; otherwise IN lists in chunks below SQLite's bound-parameter limit
    (a subquery that repeats the filter ran it once per table: 0.6 s at 100k runs).
    """
    if whole:
        yield from database.fetch(conn, statement)
        return
    of_runs = _OF_RUNS[statement]
    for start in range(0, len(pks), _IN_LIST_LIMIT):
        yield from database.fetch(conn, of_runs, {"pks": pks[start:start + _IN_LIST_LIMIT]})


# Each table's rows for listing, run pk first, built once (SQLAlchemy caches their SQL).
_PARAMS = select(schema.params.c.run_pk, schema.params.c.key, schema.params.c.value).order_by(
    schema.params.c.run_pk, schema.params.c.key)
_SUMMARIES = select(
    schema.metric_summaries.c.run_pk, schema.metric_keys.c.name, schema.metric_summaries.c["last"],
    schema.metric_summaries.c.min, schema.metric_summaries.c.max, schema.metric_summaries.c.step,
    schema.metric_summaries.c.count,
).join_from(schema.metric_summaries, schema.metric_keys,
            schema.metric_summaries.c.key_pk == schema.metric_keys.c.pk)
_TAGS = select(schema.tags.c.run_pk, schema.tags.c.key, schema.tags.c.value)
_REST = select(schema.runs.c.pk, schema.runs.c.notebook_path, schema.runs.c.notebook_sha256, schema.runs.c.error_cell,
               schema.runs.c.error_name, schema.runs.c.error_value, schema.runs.c.note, schema.runs.c.archived_at)
_ARTIFACTS = select(schema.artifacts.c.run_pk, schema.artifacts.c.name, schema.artifacts.c.sha256)
_OF_RUNS = {statement: statement.where(statement.selected_columns[0].in_(bindparam("pks", expanding=True)))
            for statement in (_PARAMS, _SUMMARIES, _TAGS, _ARTIFACTS, _REST)}


def _prefix_range(column: Any, prefix: str) -> list[Any]:
    """Ids that start with prefix, as an index range that holds under any collation.

    A bound such as prefix + "~" relies on byte order; PostgreSQL databases with a
    linguistic collation sort punctuation before letters. The upper bound is the
    prefix's successor in the id alphabet instead (none when it is all Zs).
    """
    bounds = [column >= prefix, column.startswith(prefix, autoescape=True)]
    head = prefix.rstrip("Z")
    if head:
        successor = _ALPHABET[_ALPHABET.index(head[-1]) + 1]
        bounds.append(column < head[:-1] + successor)
    return bounds


def _order(query: Select[Any], field: Field, descending: bool) -> Select[Any]:
    query, keys = joined_value(query, field)
    return query.order_by(*[(k.desc() if descending else k.asc()).nulls_last() for k in keys])


def _non_negative(what: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{what} must be a whole number >= 0. Got {value!r} instead.")
    return value
