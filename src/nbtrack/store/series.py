"""Whole metric series of many runs as numpy arrays, read chunk by chunk in one query per batch of runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select

from nbtrack.store import database, schema

if TYPE_CHECKING:
    from nbtrack.store.listing import Listing

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]  # steps int64, values float64, stamps int64 (ms)
_BATCH = 500  # run pks per IN list: below SQLite's bound-parameter limit


def series_arrays(listing: Listing, run_ids: Sequence[str], key: str, *,
                  after: int | None = None) -> dict[str, Arrays]:
    """run id -> every point of the key's series past step `after` (all when None), in step order.

    Reads the chunks (store/chunks.py) that hold such points; a chunk that straddles
    `after` is cut. Runs without the key are absent from the result.
    """
    c, k, r = schema.metric_chunks.c, schema.metric_keys.c, schema.runs.c
    pieces: dict[str, list[Arrays]] = {}
    with database.reading(listing.engine) as conn:
        key_pk = conn.execute(select(k.pk).where(k.name == key)).scalar()
        if key_pk is None or not run_ids:
            return {}
        id_of: dict[int, str] = {}
        for start in range(0, len(run_ids), _BATCH):
            batch = list(run_ids[start:start + _BATCH])
            id_of.update((pk, run_id) for pk, run_id in conn.execute(select(r.pk, r.id).where(r.id.in_(batch))))
        pks = sorted(id_of)
        for start in range(0, len(pks), _BATCH):
            query = (select(c.run_pk, c.first_step, c.steps, c["values"], c.stamps)
                     .where(c.key_pk == key_pk, c.run_pk.in_(pks[start:start + _BATCH]))
                     .order_by(c.run_pk, c.first_step))
            if after is not None:
                query = query.where(c.last_step > after)
            for run_pk, first, steps, values, stamps in conn.execute(query):
                pieces.setdefault(id_of[run_pk], []).append(_unpack(first, steps, values, stamps))
    found = {}
    for run_id, parts in pieces.items():
        steps = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        stamps = np.concatenate([p[2] for p in parts])
        if after is not None and len(steps) and steps[0] <= after:
            keep = steps > after
            steps, values, stamps = steps[keep], values[keep], stamps[keep]
        found[run_id] = (steps, values, stamps)
    return found


def _unpack(first: int, steps: bytes, values: bytes, stamps: bytes) -> Arrays:
    """A chunk's little-endian columns as arrays; steps stored as no bytes run without a gap from first."""
    value_array = np.frombuffer(values, dtype="<f8").astype(np.float64, copy=False)
    step_array = (np.arange(first, first + len(value_array), dtype=np.int64) if not steps
                  else np.frombuffer(steps, dtype="<i8").astype(np.int64, copy=False))
    return step_array, value_array, np.frombuffer(stamps, dtype="<i8").astype(np.int64, copy=False)
