"""Saved views of the runs table: a name for a filter, its columns (with their pins and widths), sort,
grouping and archived choice.

Every part is parsed by the filter language before it is kept, so a saved view always
opens; sizes are bounded like any other input.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import delete as delete_rows

from nbtrack.errors import UsageError, ViewNotFound
from nbtrack.store import database, schema
from nbtrack.store.listing import ARCHIVED
from nbtrack.store.query import MAX_ORDER_TERMS, check_group, compile_filter, parse_field, parse_orders

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,99}")
MAX_VIEWS = 1000
MAX_COLUMNS = 200
MAX_WHERE = 10_000  # characters of a saved filter
PARTS = ("where", "experiment", "columns", "order", "group", "archived", "pinned", "widths")
WIDTHS = (48, 2000)  # pixels a column may take: the Lab's narrowest, and a bound


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name) or name != name.strip():
        raise UsageError(f"a view name is 1 to 100 letters, digits, spaces, '_', '-' or '.', starting with a "
                         f"letter or digit. Got {str(name)[:120]!r} instead; name it e.g. 'best rf runs'")
    return name


def check_view(view: Mapping[str, Any]) -> dict[str, Any]:
    """A view's parts as stored, each checked: unknown parts, bad fields and oversize values are refused."""
    if not isinstance(view, Mapping):
        raise UsageError('a view is an object such as {"where": "params.model = \'rf\'", "columns": [...]}')
    unknown = sorted(set(view) - set(PARTS) - {"name", "updated_at"})
    if unknown:
        raise UsageError(f"a view has no part {str(unknown[0])[:40]!r}; its parts are {', '.join(PARTS)}")
    where = _optional_text(view, "where", MAX_WHERE)
    if where:
        compile_filter(where, time.time())
    experiment = _optional_text(view, "experiment", 200)
    columns = _texts(view, "columns", MAX_COLUMNS)
    for column in columns:
        parse_field(column)
    order = _texts(view, "order", MAX_ORDER_TERMS)
    parse_orders(order)
    group = _optional_text(view, "group", 600)
    if group:
        check_group(group)
    archived = view.get("archived") or "hide"
    if archived not in ARCHIVED:
        raise UsageError(f"archived is one of {', '.join(ARCHIVED)}. Got {str(archived)[:40]!r} instead.")
    pinned = _texts(view, "pinned", MAX_COLUMNS)
    for column in pinned:
        parse_field(column)
    return {"where": where or "", "experiment": experiment or None, "columns": columns, "order": order,
            "group": group or None, "archived": archived, "pinned": pinned, "widths": _widths(view)}


def save(engine: Engine, name: str, view: Mapping[str, Any]) -> dict[str, Any]:
    name = check_name(name)
    body = check_view(view)
    now = time.time()
    table = schema.saved_views
    with database.writing(engine) as conn:
        count = len(conn.execute(select(table.c.name).limit(MAX_VIEWS + 1)).all())
        exists = conn.execute(select(table.c.name).where(table.c.name == name)).first() is not None
        if not exists and count >= MAX_VIEWS:
            raise UsageError(f"this store keeps at most {MAX_VIEWS} saved views; delete some first")
        stmt = database.upsert(conn, table, ["name"], ["body", "updated_at"])
        conn.execute(stmt, [{"name": name, "body": json.dumps(body), "updated_at": now}])
    return _view(name, body, now)


def listed(engine: Engine) -> list[dict[str, Any]]:
    table = schema.saved_views.c
    with database.reading(engine) as conn:
        rows = conn.execute(select(table.name, table.body, table.updated_at).order_by(table.name)).all()
    return [_view(name, json.loads(body), updated) for name, body, updated in rows]


def one(engine: Engine, name: str) -> dict[str, Any]:
    table = schema.saved_views.c
    with database.reading(engine) as conn:
        row = conn.execute(select(table.body, table.updated_at).where(table.name == name)).first()
    if row is None:
        raise ViewNotFound(f"no saved view {str(name)[:120]!r}; list them with nbtrack views list")
    return _view(name, json.loads(row[0]), row[1])


def delete(engine: Engine, name: str) -> None:
    table = schema.saved_views
    with database.writing(engine) as conn:
        gone = conn.execute(delete_rows(table).where(table.c.name == name)).rowcount
    if not gone:
        raise ViewNotFound(f"no saved view {str(name)[:120]!r}; list them with nbtrack views list")


def _view(name: str, body: dict[str, Any], updated_at: float) -> dict[str, Any]:
    from nbtrack.records import iso_time

    found = {"name": name, **{part: body.get(part) for part in PARTS}, "updated_at": iso_time(updated_at)}
    found["pinned"], found["widths"] = found["pinned"] or [], found["widths"] or {}  # saved before they were kept
    return found


def _optional_text(view: Mapping[str, Any], part: str, limit: int) -> str | None:
    value = view.get(part)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise UsageError(f"a view's {part} is text of at most {limit} characters. Got {str(value)[:80]!r} instead.")
    return value


def _widths(view: Mapping[str, Any]) -> dict[str, int]:
    """Column widths in pixels by field, each a whole number within WIDTHS."""
    value = view.get("widths") or {}
    low, high = WIDTHS
    if (not isinstance(value, Mapping) or len(value) > MAX_COLUMNS
            or not all(isinstance(k, str) and len(k) <= 600 and type(v) is int and low <= v <= high
                       for k, v in value.items())):
        raise UsageError(f"a view's widths map at most {MAX_COLUMNS} field names to whole pixels from {low} to "
                         f"{high}, such as {{\"params.model\": 140}}. Got {str(value)[:80]!r} instead.")
    for column in value:
        parse_field(column)
    return dict(value)


def _texts(view: Mapping[str, Any], part: str, limit: int) -> list[str]:
    value = view.get(part) or []
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) and len(v) <= 600 for v in value):
        raise UsageError(f"a view's {part} is a list of at most {limit} field names, such as "
                         f"[\"params.model\", \"-metrics.test.f1\"]. Got {str(value)[:80]!r} instead.")
    return value
