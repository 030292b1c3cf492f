"""Bulk reads for comparing many runs: every series and every record in one query each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, or_, select

from nbtrack.store import Store, database, schema

Points = tuple[list[int], list[float]]


def series_of(store: Store, run_ids: Sequence[str], keys: Sequence[str], *,
              max_points: int) -> dict[tuple[str, str], Points]:
    """(run id, key) -> (steps, values), thinned in SQL to about max_points per series.

    A series longer than max_points keeps every n-th step (n from its last step) and its
    last point, so 50 runs x 5 keys x 1,000 steps come back as one query of ~30,000 rows.
    """
    if not run_ids or not keys:
        return {}
    m, k, s, r = schema.metrics.c, schema.metric_keys.c, schema.metric_summaries.c, schema.runs.c
    stride = case((s["count"] > max_points, s.step / max_points + 1), else_=1)
    query = (
        select(r.id, k.name, m.step, m.value)
        .select_from(
            schema.metrics.join(schema.runs, r.pk == m.run_pk)
            .join(schema.metric_keys, k.pk == m.key_pk)
            .join(schema.metric_summaries, and_(s.run_pk == m.run_pk, s.key_pk == m.key_pk))
        )
        .where(r.id.in_(list(run_ids)), k.name.in_(list(keys)), or_(m.step % stride == 0, m.step == s.step))
        .order_by(m.run_pk, m.key_pk, m.step)
    )
    found: dict[tuple[str, str], Points] = {}
    with database.reading(store.engine) as conn:
        for run_id, key, step, value in conn.execute(query):
            steps, values = found.setdefault((run_id, key), ([], []))
            steps.append(step)
            values.append(float("nan") if value is None else value)
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
