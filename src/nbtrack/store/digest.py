"""An ended run's params and metric summaries as one JSON document, for listing many runs.

Listing 10,000 runs from the params and summary tables meant fetching and grouping
~150k rows (0.34 s of fetchall alone, profiled). An ended run's params and
summaries never change again (only a running run takes them), so end_run writes
them once more into runs.digest, in the same transaction, and listing reads one
row per run. The tables stay the truth: filters and ordering use their indexes,
and a run without a digest (still running, lost, or written by an older nbtrack
before its upgrade step filled it in) is listed from them.

The document: {"params": {key: value}, "metrics": {key: last}}, a newline, then the
summaries as one flat JSON list [min, max, step, count, ...], keys in name order, the
summaries in the metrics' key order: `metrics` is then the run's metrics dict as
parsed, and no object is built per key (each object is also walked by the garbage
collector: 25 ms of a 10,000-run listing). Listing parses only the part before the
newline; the summaries, half of a digest's numbers, are parsed when a run's summaries
are read (compare() of last values never does: 40% less parsing, measured).
NaN values are null, as the summary table keeps them.
It is parsed with orjson: 1.7 us a run against 9.5 us with json (10 params, 5
metrics), the difference between meeting 0.2 s for 10,000 runs and not. JSON has
no infinity, so a run with an infinite summary (a diverged loss) gets no digest and
is listed from the tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, literal_column, null, select, text, union_all, update

from nbtrack.records import RunStatus
from nbtrack.store import database, schema

_BATCH = 900  # run pks per IN list: below SQLite's bound-parameter limit

_p, _s, _k = schema.params.c, schema.metric_summaries.c, schema.metric_keys.c
_NONE = null()
# A batch's params and summaries in one statement (each statement costs end_run ~0.1 ms):
# (run_pk, 0, key, value JSON, ...) for params, (run_pk, 1, key, None, last, min, max, step, count).
_ROWS = union_all(
    select(_p.run_pk, literal_column("0").label("kind"), _p.key, _p.value, _NONE, _NONE, _NONE, _NONE, _NONE)
    .where(_p.run_pk.between(bindparam("low"), bindparam("high"))),
    select(_s.run_pk, literal_column("1"), _k.name, _NONE, _s["last"], _s.min, _s.max, _s.step, _s.count)
    .join_from(schema.metric_summaries, schema.metric_keys, _s.key_pk == _k.pk)
    .where(_s.run_pk.between(bindparam("low"), bindparam("high"))),
).order_by(text("2, 1, 3"))  # kind, run, key
_WRITE = update(schema.runs).where(schema.runs.c.pk == bindparam("run_pk")).values(digest=bindparam("text"))


def write(conn: Connection, pks: Sequence[int]) -> None:
    """Compose and store the digest of each run in pks (runs that have ended)."""
    rows = [{"run_pk": pk, "text": found} for pk, found in compose(conn, pks).items() if found is not None]
    if rows:
        conn.execute(_WRITE, rows)


def compose(conn: Connection, pks: Sequence[int]) -> dict[int, str | None]:
    """The digest of each run in pks (None for a run with an infinite summary: it gets none).

    Rows are read by pk range, a batch at a time (rows of other runs in the range are
    skipped): an IN list is rendered anew at each call, which cost end_run 0.3 ms.
    """
    dumps = json.dumps
    pks = sorted(pks)
    composed: dict[int, str | None] = {}
    for start in range(0, len(pks), _BATCH):
        batch = pks[start:start + _BATCH]
        params: dict[int, list[str]] = {pk: [] for pk in batch}
        summaries: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in batch}
        span = {"low": batch[0], "high": batch[-1]}
        for pk, kind, key, value, *summary in database.execute_compiled(conn, "digest rows", lambda: _ROWS,
                                                                       span).rows:
            if pk not in params:
                continue
            if kind == 0:
                params[pk].append(f"{dumps(key)}:{value}")  # values are stored as JSON text already
            else:
                summaries[pk].append((key, *summary))
        for pk in batch:
            composed[pk] = _compose(params[pk], summaries[pk]) if all(map(_finite, summaries[pk])) else None
    return composed


def _compose(params: list[str], summaries: list[tuple[Any, ...]]) -> str:
    lasts = {key: last for key, last, *_ in summaries}
    rest = [value for _key, _last, *values in summaries for value in values]
    return '{"params":{%s},"metrics":%s}\n%s' % (
        ",".join(params), json.dumps(lasts, separators=(",", ":")), json.dumps(rest, separators=(",", ":")))


def _finite(summary: tuple[Any, ...]) -> bool:
    return not any(isinstance(value, float) and math.isinf(value) for value in summary[1:4])


def read(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A digest's params and each metric's last value (its summaries stay text: see summaries)."""
    found = orjson.loads(text[:text.index("\n")])
    return found["params"], found["metrics"]


def summaries(source: str | list[Any]) -> list[Any]:
    """min, max, step and count of each metric, flat: parsed from a whole digest's text, or as read
    from the tables."""
    return orjson.loads(source[source.rindex("\n") + 1:]) if isinstance(source, str) else source


def rewrite(conn: Connection) -> None:
    """Compose again every digest in the one-document form of step 0004 (an upgrade step).

    Digests already in the current form (a store upgraded from before 0004 got them from
    its backfill) are left as they are.
    """
    digest = schema.runs.c.digest
    conn.execute(update(schema.runs).where(digest.is_not(None), ~digest.contains("\n")).values(digest=None))
    backfill(conn)


def backfill(conn: Connection) -> None:
    """Write the digest of every ended run that lacks one (an upgrade step; also after bulk loads)."""
    runs = schema.runs.c
    pks = list(conn.execute(
        select(runs.pk).where(runs.digest.is_(None), runs.status != RunStatus.RUNNING.value).order_by(runs.pk)
    ).scalars())
    write(conn, pks)
