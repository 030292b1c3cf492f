"""Bulk reads for comparing many runs: every series and every record in one query each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from nbtrack.records import RunRecord
from nbtrack.store import Store, database, schema

Points = tuple[list[int], list[float]]


def series_of(store: Store, runs: Sequence[RunRecord], keys: Sequence[str], *,
              max_points: int) -> dict[tuple[str, str], Points]:
    """(run id, key) -> (steps, values), thinned in SQL to about max_points per series.

    A series longer than max_points keeps every n-th step (n from its last step, known from
    its summary) and its last point, so 50 runs x 5 keys x 1,000 steps are one or a few
    primary-key scans returning ~30,000 rows.
    """
    m, k, r = schema.metrics.c, schema.metric_keys.c, schema.runs.c
    by_stride: dict[int, list[tuple[str, str]]] = {}
    for run in runs:
        for key in keys:
            summary = run.summaries.get(key)
            if summary is not None:
                stride = summary.step // max_points + 1 if summary.count > max_points else 1
                by_stride.setdefault(stride, []).append((run.id, key))
    found: dict[tuple[str, str], Points] = {}
    if not by_stride:
        return found
    with database.reading(store.engine) as conn:
        pk_of = {run_id: pk for pk, run_id in conn.execute(
            select(r.pk, r.id).where(r.id.in_([run.id for run in runs])))}
        key_pk_of = {name: pk for pk, name in conn.execute(select(k.pk, k.name).where(k.name.in_(list(keys))))}
        names = {(pk_of[run_id], key_pk_of[key]): (run_id, key) for pairs in by_stride.values()
                 for run_id, key in pairs}
        for stride, pairs in by_stride.items():
            # Filter on the primary key's own columns; pairs outside this stride are dropped below.
            query = (select(m.run_pk, m.key_pk, m.step, m.value)
                     .where(m.run_pk.in_({pk_of[run_id] for run_id, _ in pairs}),
                            m.key_pk.in_({key_pk_of[key] for _, key in pairs}),
                            (m.step % stride) == 0)
                     .order_by(m.run_pk, m.key_pk, m.step))
            wanted = set(pairs)
            for run_pk, key_pk, step, value in conn.execute(query):
                name = names.get((run_pk, key_pk))
                if name in wanted:
                    steps, values = found.setdefault(name, ([], []))
                    steps.append(step)
                    values.append(float("nan") if value is None else value)
    for run in runs:  # the last point always shows, whatever the stride skipped
        for key in keys:
            summary = run.summaries.get(key)
            series = found.get((run.id, key))
            if summary is not None and series is not None and series[0][-1] != summary.step:
                series[0].append(summary.step)
                series[1].append(summary.last)
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
