"""Metric points as chunks: one row per run, key and span of steps, its columns packed as arrays.

A row per point cost SQLite about 2 us to insert (1.9-2.2 s per million with plain
sqlite3 executemany, measured): the whole budget of 500k points/s. A chunk holds up to
CHUNK_POINTS points of one series as three little-endian arrays (steps int64, values
float64 with NaN as is, timestamps int64 ms), so a million points are ~3,900 rows.

What every writer keeps true:
- a chunk's steps rise strictly (one value per step);
- the chunks of one series cover disjoint step spans, so ordered by first_step (or by
  last_step) they are ordered by every step;
- new points that follow a short chunk are merged into it, so a series written in
  order has every chunk full but its last.

A point written at a step already stored replaces it: the chunks it overlaps are
read, merged with the new points (new ones win) and written again, in the caller's
transaction, whose lock on the run keeps two writers of one series apart.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, select

from nbtrack.store import database, schema

# A sampled read of 1,000 points seeks at most 1,000 chunks: 26-43 ms at 1M points with 256 a
# chunk; 128 (twice the spans to read) and 512 (twice the bytes per seek) were no faster.
CHUNK_POINTS = 256
_IN_LIST_LIMIT = 900  # bound parameters per IN list: below SQLite's limit
_SWAP = sys.byteorder != "little"

Columns = tuple[Sequence[int], Sequence[float], Sequence[int]]  # steps, values, timestamps (ms)

_c = schema.metric_chunks.c
_SERIES = (_c.run_pk == bindparam("run_pk")) & (_c.key_pk == bindparam("key_pk"))
_BEFORE = (select(_c.first_step, _c.last_step, _c.count).where(_SERIES, _c.first_step <= bindparam("last"))
           .order_by(_c.first_step.desc()).limit(1))
_OVERLAPPING = (select(_c.first_step, _c.steps, _c["values"], _c.stamps)
                .where(_SERIES, _c.first_step <= bindparam("last"), _c.last_step >= bindparam("first"))
                .order_by(_c.first_step))
_AT = (select(_c.first_step, _c.steps, _c["values"], _c.stamps)
       .where(_SERIES, _c.first_step.in_(bindparam("firsts", expanding=True))).order_by(_c.first_step))
# By last_step, the same order (spans are disjoint), so the spans index serves it without the blobs.
_SPANS = select(_c.first_step, _c.last_step).where(_SERIES).order_by(_c.last_step)
_ALL = select(_c.first_step, _c.steps, _c["values"], _c.stamps).where(_SERIES).order_by(_c.first_step)
_DROP = delete(schema.metric_chunks).where(_SERIES, _c.first_step.in_(bindparam("firsts", expanding=True)))
_INSERT = schema.metric_chunks.insert()
_DROP_ONE = delete(schema.metric_chunks).where(_SERIES, _c.first_step == bindparam("first"))
# Each series of a run with its final chunk, the one ending at the summary's highest step:
# key_pk, first_step, last_step, count, and the blobs only when the chunk is short.
_s = schema.metric_summaries.c
_short = _c.count < bindparam("full")
_FINALS = (
    select(_s.key_pk, _c.first_step, _c.last_step, _c.count, case((_short, _c.steps)),
           case((_short, _c["values"])), case((_short, _c.stamps)))
    .select_from(schema.metric_summaries.outerjoin(
        schema.metric_chunks, (_c.run_pk == _s.run_pk) & (_c.key_pk == _s.key_pk) & (_c.last_step == _s.step)))
    .where(_s.run_pk == bindparam("run_pk"))
)


def _arrays(steps: Sequence[int], values: Sequence[float | None], stamps: Sequence[int]) -> tuple[array, ...]:
    """Columns as arrays ("q", "d", "q"), None read as NaN; arrays already so are kept as they are."""
    if not (isinstance(values, array) and values.typecode == "d"):
        if None in values:
            values = [float("nan") if v is None else v for v in values]
        values = array("d", values)
    if not (isinstance(steps, array) and steps.typecode == "q"):
        steps = array("q", steps)
    if not (isinstance(stamps, array) and stamps.typecode == "q"):
        stamps = array("q", stamps)
    return steps, values, stamps


def _packed(steps: array, values: array, stamps: array) -> dict[str, Any]:
    """A chunk's arrays as a row. Steps without a gap (first, first + 1, ...), as most series log
    them, are stored as no bytes: a third less to write and to read."""
    dense = steps[-1] - steps[0] == len(steps) - 1  # they rise strictly: no gap
    if _SWAP:
        steps, values, stamps = array("q", steps), array("d", values), array("q", stamps)
        for column in (steps, values, stamps):
            column.byteswap()
    return {"first_step": steps[0], "last_step": steps[-1], "count": len(steps),
            "steps": b"" if dense else steps.tobytes(), "values": values.tobytes(), "stamps": stamps.tobytes()}


def unpack(first_step: int, steps: bytes, values: bytes, stamps: bytes) -> Columns:
    """A chunk's columns as sequences over its bytes (no copy, on a little-endian machine)."""
    if _SWAP:
        columns = [array("q", steps), array("d", values), array("q", stamps)]
        for column in columns:
            column.byteswap()
    else:
        columns = [memoryview(steps).cast("q"), memoryview(values).cast("d"), memoryview(stamps).cast("q")]
    if not steps:  # stored without a gap
        columns[0] = range(first_step, first_step + len(columns[1]))
    return columns[0], columns[1], columns[2]


def write(conn: Connection, run_pk: int, series: dict[int, Columns]) -> None:
    """Store new points of a run's series, key_pk -> columns (steps rising strictly), in a few statements.

    Call it before the summaries take these points in: a series' final chunk is found
    through its summary's highest step (the final chunk ends there), one query for all
    keys. Points past it are appended (filling it first when it is short); points at or
    before it go through the general path, which merges what they overlap.
    """
    finals = {row[0]: row for row in database.execute_compiled(
        conn, "chunk finals", lambda: _FINALS, {"run_pk": run_pk, "full": CHUNK_POINTS}).rows}
    rows: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for key_pk, (steps, values, stamps) in series.items():
        final = finals.get(key_pk)  # key_pk, first_step, last_step, count, blobs when short
        # At or before stored steps (they may be replaced), or a summary with no chunk at its
        # step (not expected): the general path.
        if final is not None and (final[1] is None or steps[0] <= final[2]):
            _write_any(conn, run_pk, key_pk, steps, values, stamps)
            continue
        if final is not None and final[4] is not None:  # the short final chunk takes them in
            steps, values, stamps = _after((final[1], *final[4:]), steps, values, stamps)
            dropped.append({"run_pk": run_pk, "key_pk": key_pk, "first": final[1]})
        rows += chunk_rows(run_pk, key_pk, steps, values, stamps)
    if dropped:
        conn.execute(_DROP_ONE, dropped)
    if rows:
        database.execute_compiled(conn, "chunk insert", lambda: _INSERT, rows)


def _write_any(conn: Connection, run_pk: int, key_pk: int, steps: Sequence[int], values: Sequence[Any],
               stamps: Sequence[int]) -> None:
    """One series' new points wherever they fall, merged with what they overlap or follow."""
    series = {"run_pk": run_pk, "key_pk": key_pk}
    before = conn.execute(_BEFORE, {**series, "last": steps[-1]}).first()
    if before is not None and before.last_step >= steps[0]:  # overlaps stored points: they are replaced
        merged = list(conn.execute(_OVERLAPPING, {**series, "first": steps[0], "last": steps[-1]}))
        steps, values, stamps = _merge(merged, steps, values, stamps)
        conn.execute(_DROP, {**series, "firsts": [row[0] for row in merged]})
    elif before is not None and before.count < CHUNK_POINTS:  # the short chunk before takes them in
        (first, *packed), = conn.execute(_AT, {**series, "firsts": [before.first_step]})
        steps, values, stamps = _after((first, *packed), steps, values, stamps)
        conn.execute(_DROP, {**series, "firsts": [first]})
    conn.execute(_INSERT, chunk_rows(run_pk, key_pk, steps, values, stamps))


def _after(packed: Sequence[Any], steps: Sequence[int], values: Sequence[Any],
           stamps: Sequence[int]) -> tuple[array, ...]:
    """A stored chunk's points (first_step and blobs) followed by new points that all come after them."""
    old = _arrays(*unpack(*packed))
    new = _arrays(steps, values, stamps)
    return old[0] + new[0], old[1] + new[1], old[2] + new[2]


def chunk_rows(run_pk: int, key_pk: int, steps: Sequence[int], values: Sequence[Any],
               stamps: Sequence[int]) -> list[dict[str, Any]]:
    """A series' points (steps rising strictly) as metric_chunks rows of up to CHUNK_POINTS each.

    The columns become arrays once; a chunk is then three slices, copied in C.
    """
    steps, values, stamps = _arrays(steps, values, stamps)
    return [{"run_pk": run_pk, "key_pk": key_pk,
             **_packed(steps[i:i + CHUNK_POINTS], values[i:i + CHUNK_POINTS], stamps[i:i + CHUNK_POINTS])}
            for i in range(0, len(steps), CHUNK_POINTS)]


def _merge(stored: list[tuple[Any, ...]], steps: Sequence[int], values: Sequence[float | None],
           stamps: Sequence[int]) -> tuple[list[int], list[float | None], list[int]]:
    points: dict[int, tuple[float | None, int]] = {}
    for packed in stored:  # first_step and blobs
        old_steps, old_values, old_stamps = unpack(*packed)
        points.update(zip(old_steps, zip(old_values, old_stamps)))
    points.update(zip(steps, zip(values, stamps)))  # the new point at a step wins
    order = sorted(points)
    return order, [points[s][0] for s in order], [points[s][1] for s in order]


def read(conn: Connection, run_pk: int, key_pk: int) -> Iterator[tuple[int, float, int]]:
    """Every (step, value, timestamp ms) point of a series, in step order."""
    for packed in conn.execute(_ALL, {"run_pk": run_pk, "key_pk": key_pk}):
        yield from zip(*unpack(*packed))


def sample(conn: Connection, run_pk: int, key_pk: int, points: int) -> list[tuple[int, float, int]]:
    """About `points` points spread evenly over the step range: for each of `points` evenly
    spaced target steps, the first stored step at or after it (each point once).

    The chunk spans are read first; only the chunks that hold a chosen point are
    fetched, so a read touches at most `points` chunks however long the series.
    """
    series = {"run_pk": run_pk, "key_pk": key_pk}
    spans = database.fetch(conn, _SPANS, series)
    if not spans:
        return []
    firsts = [first for first, _last in spans]
    lasts = [last for _first, last in spans]
    low, high = firsts[0], lasts[-1]
    points = max(points, 2)
    stride = (high - low) / (points - 1)
    targets = [low + round(n * stride) for n in range(points)]
    wanted = sorted({firsts[bisect_left(lasts, target)] for target in targets})  # the chunk holding it or after
    found: dict[int, Columns] = {}
    for start in range(0, len(wanted), _IN_LIST_LIMIT):
        for first, *packed in database.fetch(conn, _AT, {**series, "firsts": wanted[start:start + _IN_LIST_LIMIT]}):
            found[first] = unpack(first, *packed)
    chosen: dict[int, tuple[int, float, int]] = {}
    for target in targets:
        steps, values, stamps = found[firsts[bisect_left(lasts, target)]]
        i = bisect_left(steps, target)
        chosen[steps[i]] = (steps[i], values[i], stamps[i])
    return [chosen[step] for step in sorted(chosen)]
