"""Curating stored runs: rename, note, archive, restore and delete, one run or thousands at once.

Names, notes and the archived mark annotate a run, so they change after it ended, as tags do.
Bulk actions answer per run: what was done, and what was refused with a one-line reason.
Delete removes a run's rows in one transaction; its blobs stay until `nbtrack gc` (after
gc's grace period) finds nothing references them. Delete is refused for a run that is
still running (its writer would fail on its next write; stop it or wait for its end)
and for a run a registered model version points to (the version is named). Archiving a
running run is allowed: it only hides it from listings.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, select, update

from nbtrack.errors import RunNotFound, UsageError
from nbtrack.records import RunStatus
from nbtrack.store import database, schema
from nbtrack.store.query import effective_status

MAX_NAME = 200  # characters: the runs table's name column
MAX_NOTE = 100_000  # characters of a run's Markdown note
MAX_IDS = 10_000  # runs in one bulk action
ACTIONS = ("archive", "restore", "delete", "tag")
_BATCH = 900  # ids per IN list: below SQLite's bound-parameter limit
# Every per-run table, children before the runs row (foreign keys).
_RUN_TABLES = (schema.params, schema.metric_summaries, schema.metric_chunks, schema.tags, schema.artifacts,
               schema.records, schema.cells)


@dataclass
class ActionReport:
    """What a bulk action did: the runs done, and each refused run with why."""

    done: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"done": self.done, "refused": self.refused}


def check_name(name: object) -> str:
    """A run name as stored: one line of 1 to MAX_NAME printable characters, surrounding blanks dropped."""
    text = name.strip() if isinstance(name, str) else None
    if not text or len(text) > MAX_NAME or not text.isprintable():
        shown = repr(name[:80]) if isinstance(name, str) else type(name).__name__
        raise UsageError(f"a run name is one line of 1 to {MAX_NAME} printable characters. Got {shown} instead; "
                         "give a name such as 'rf baseline'")
    return text


def check_note(note: object) -> str:
    """A run note as stored: Markdown text of at most MAX_NOTE characters ("" clears it)."""
    if not isinstance(note, str) or len(note) > MAX_NOTE or "\x00" in note:
        shown = f"{len(note)} characters" if isinstance(note, str) else type(note).__name__
        raise UsageError(f"a run note is Markdown text of at most {MAX_NOTE} characters without NUL. "
                         f"Got {shown} instead; shorten it or keep long text as an artifact")
    return note


def set_fields(engine: Engine, run_id: str, values: Mapping[str, Any]) -> None:
    """Set name and/or note of one run (by full id)."""
    with database.writing(engine) as conn:
        done = conn.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(**values)).rowcount
    if not done:
        raise RunNotFound(f"no run {run_id}; list runs with nbtrack runs")


def act(engine: Engine, action: str, ids: Iterable[str], *, resolve: Any,
        tags: Mapping[str, Any] | None = None, delete_tags: Iterable[str] = (), tag_rows: Any = None) -> ActionReport:
    """Archive, restore, delete or tag the runs named by ids (ids or unique prefixes), each answered.

    resolve: the store's id lookup (an id or a prefix to the full id, else RunNotFound).
    tag_rows: the store's tag validation (a mapping to rows), for the tag action.
    """
    if action not in ACTIONS:
        raise UsageError(f"action {str(action)[:40]!r} is not one of {', '.join(ACTIONS)}; "
                         'send e.g. {"action": "archive", "ids": [...]}')
    refs = list(ids)
    if len(refs) > MAX_IDS:
        raise UsageError(f"{len(refs)} runs are more than {MAX_IDS} in one action; act on them in batches")
    report = ActionReport()
    exact = _existing(engine, [r.upper() for r in refs if isinstance(r, str) and len(r) == 26])
    found: dict[str, str] = {}  # full id -> the reference as given
    for ref in refs:
        try:
            run_id = ref.upper() if isinstance(ref, str) and ref.upper() in exact else resolve(ref)
        except RunNotFound as exc:
            report.refused.append({"id": str(ref)[:80], "reason": str(exc)})
            continue
        found.setdefault(run_id, ref)
    ordered = sorted(found)
    if action == "tag":
        rows = tag_rows(tags or {}) if tags else []
        keys = [_tag_key(k) for k in delete_tags]
        if not rows and not keys:
            raise UsageError('the tag action needs "tags" to set or "delete_tags" to remove, '
                             'such as {"action": "tag", "ids": [...], "tags": {"stage": "review"}}')
        _tag(engine, ordered, rows, keys)
        report.done.extend(ordered)
    elif action in ("archive", "restore"):
        when = time.time() if action == "archive" else None
        with database.writing(engine) as conn:
            for batch in _batches(ordered):
                conn.execute(update(schema.runs).where(schema.runs.c.id.in_(batch)).values(archived_at=when))
        report.done.extend(ordered)
    else:
        _delete(engine, ordered, report)
    return report


def _existing(engine: Engine, ids: list[str]) -> set[str]:
    """Which of these full ids name stored runs (one query per batch, not one per id)."""
    found: set[str] = set()
    with database.reading(engine) as conn:
        for batch in _batches(sorted(set(ids))):
            found.update(conn.execute(select(schema.runs.c.id).where(schema.runs.c.id.in_(batch))).scalars())
    return found


def _delete(engine: Engine, ids: list[str], report: ActionReport) -> None:
    runs, versions, models = schema.runs.c, schema.model_versions.c, schema.models.c
    with database.writing(engine) as conn:
        doomed: list[tuple[int, str]] = []
        for batch in _batches(ids):
            rows = conn.execute(select(runs.pk, runs.id, effective_status(time.time()).label("status"))
                                .where(runs.id.in_(batch))).all()
            pointed: dict[int, str] = {}
            for pk, name, version in conn.execute(
                    select(versions.run_pk, models.name, versions.version)
                    .join_from(schema.model_versions, schema.models, versions.model_pk == models.pk)
                    .where(versions.run_pk.in_([r.pk for r in rows])).order_by(models.name, versions.version)):
                pointed.setdefault(pk, f"{name} v{version}")
            for pk, run_id, status in rows:
                if pk in pointed:
                    report.refused.append({"id": run_id, "reason": (
                        f"run {run_id} is model {pointed[pk]}; a run a model version points to is kept, "
                        "archive it instead")})
                elif status == RunStatus.RUNNING.value:
                    report.refused.append({"id": run_id, "reason": (
                        f"run {run_id} is still running; stop it or wait for it to end, then delete it")})
                else:
                    doomed.append((pk, run_id))
        for batch in _batches([pk for pk, _ in doomed]):
            for table in _RUN_TABLES:
                conn.execute(delete(table).where(table.c.run_pk.in_(batch)))
            conn.execute(delete(schema.runs).where(runs.pk.in_(batch)))
    report.done.extend(run_id for _, run_id in doomed)


def _tag(engine: Engine, ids: list[str], rows: list[dict[str, Any]], keys: list[str]) -> None:
    tags = schema.tags
    with database.writing(engine) as conn:
        for batch in _batches(ids):
            pks = sorted(conn.execute(select(schema.runs.c.pk).where(schema.runs.c.id.in_(batch))).scalars())
            if keys:
                conn.execute(delete(tags).where(tags.c.run_pk.in_(pks), tags.c.key.in_(keys)))
            if rows:
                stmt = database.upsert(conn, tags, ["run_pk", "key"], ["value"])
                conn.execute(stmt, [{"run_pk": pk, **row} for pk in pks for row in sorted(rows, key=_by_key)])


def _by_key(row: dict[str, Any]) -> str:
    return str(row["key"])


def _tag_key(key: object) -> str:
    if not isinstance(key, str) or not key or len(key) > 250:
        raise UsageError(f'"delete_tags" lists tag names of 1 to 250 characters. Got {str(key)[:80]!r} instead.')
    return key


def _batches(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]
