"""Bulk reads for comparing many runs: their series and their records, in few queries (the widget's
views, the server's compare endpoint and the HTML report use them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from nbtrack.records import RunRecord
from nbtrack.store import chunks, database, schema

if TYPE_CHECKING:
    from nbtrack.store.store import Store

Points = tuple[list[int], list[float]]


def series_of(store: Store, runs: Sequence[RunRecord], keys: Sequence[str], *,
              max_points: int) -> dict[tuple[str, str], Points]:
    """(run id, key) -> (steps, values), each series thinned to about max_points.

    Series of at most max_points points (by their summary's count) are read whole, all
    of them in one query of their chunks; a longer one is sampled evenly over its
    steps from its own chunks (store/chunks.py), its first and last points kept.
    """
    c, k, r = schema.metric_chunks.c, schema.metric_keys.c, schema.runs.c
    found: dict[tuple[str, str], Points] = {}
    counts = {(run.id, key): run.summaries[key].count for run in runs for key in keys if key in run.summaries}
    if not counts:
        return found
    with database.reading(store.engine) as conn:
        pk_of = {run_id: pk for pk, run_id in conn.execute(
            select(r.pk, r.id).where(r.id.in_([run.id for run in runs])))}
        key_pk_of = {name: pk for pk, name in conn.execute(select(k.pk, k.name).where(k.name.in_(list(keys))))}
        whole = {(pk_of[run_id], key_pk_of[key]): (run_id, key) for (run_id, key), count in counts.items()
                 if count <= max_points}
        if whole:
            # Filter on the primary key's own columns; pairs not asked for are dropped below.
            query = (select(c.run_pk, c.key_pk, c.first_step, c.steps, c["values"], c.stamps)
                     .where(c.run_pk.in_({run_pk for run_pk, _ in whole}),
                            c.key_pk.in_({key_pk for _, key_pk in whole}))
                     .order_by(c.run_pk, c.key_pk, c.first_step))
            for run_pk, key_pk, *packed in conn.execute(query):
                name = whole.get((run_pk, key_pk))
                if name is not None:
                    steps, values, _stamps = chunks.unpack(*packed)
                    found.setdefault(name, ([], []))[0].extend(steps)
                    found[name][1].extend(values)
        for (run_id, key), count in counts.items():
            if count > max_points:
                points = chunks.sample(conn, pk_of[run_id], key_pk_of[key], max_points)
                found[(run_id, key)] = ([p[0] for p in points], [p[1] for p in points])
    return found


def records_of(store: Store, run_ids: Sequence[str], kinds: Sequence[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """kind -> run id -> record name -> body, for every run (empty where a run has none)."""
    rec, r = schema.records.c, schema.runs.c
    found: dict[str, dict[str, dict[str, Any]]] = {kind: {run_id: {} for run_id in run_ids} for kind in kinds}
    if not run_ids:
        return found
    query = (
        select(r.id, rec.kind, rec.name, rec.body)
        .select_from(schema.records.join(schema.runs, r.pk == rec.run_pk))
        .where(r.id.in_(list(run_ids)), rec.kind.in_(list(kinds)))
        .order_by(rec.kind, rec.name, rec.created_at)
    )
    with database.reading(store.engine) as conn:
        for run_id, kind, name, body in conn.execute(query):
            found[kind][run_id][name] = json.loads(body)
    return found


def records_by_kind(store: Store, kinds: Sequence[str], run_ids: set[str]) -> dict[str, list[dict[str, Any]]]:
    """kind -> the records of that kind kept with the runs run_ids names, in one query.

    Each is {"run_id", "name", "body", "at"}, at being when it was kept (the HTML report's form).
    """
    r, runs = schema.records.c, schema.runs.c
    query = (select(runs.id, r.kind, r.name, r.body, r.created_at)
             .join_from(schema.records, schema.runs, r.run_pk == runs.pk)
             .where(r.kind.in_(list(kinds))))
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    with database.reading(store.engine) as conn:
        for run_id, kind, name, body, created in conn.execute(query):
            if run_id in run_ids:
                found[kind].append({"run_id": run_id, "name": name, "body": json.loads(body), "at": created})
    return found


def newest_records(store: Store, kind: str, *, limit: int) -> list[dict[str, Any]]:
    """The store's newest records of one kind, newest first, at most limit: {"run_id", "name", "body", "at"}."""
    r, runs = schema.records.c, schema.runs.c
    query = (select(runs.id, r.name, r.body, r.created_at)
             .join_from(schema.records, schema.runs, r.run_pk == runs.pk)
             .where(r.kind == kind).order_by(r.created_at.desc()).limit(limit))
    with database.reading(store.engine) as conn:
        return [{"run_id": run_id, "name": name, "body": json.loads(body), "at": created}
                for run_id, name, body, created in conn.execute(query)]
