"""The runs' fields: their names as filters, orders, columns and groups write them, and their SQL.

A field is a run fact (status, started, duration...), a param, a metric's last value, min or
max, a tag, or a fact of a logged data set; query.py documents how each is written. field_text()
writes any field so that parse_field() reads it back; joined_value() finds its value in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, Text, and_, select
from sqlalchemy.ext.compiler import compiles

from nbtrack.errors import QueryError
from nbtrack.store import schema

SCALAR_FIELDS = {"status", "experiment", "name", "notes", "notebook", "id", "started", "ended", "duration"}
PREFIXES = ("params", "metrics", "tags", "data")
SUMMARIES = ("min", "max")  # metrics.<key>.min, metrics.<key>.max; "" is the last value
DATA_FACTS = ("rows", "columns", "missing_share", "fingerprint")  # data.<name>.<fact>
_PLAIN_PART = re.compile(r"[A-Za-z_0-9][\w\-]*")
HINT = "write comparisons like metrics.test.f1 > 0.9 or params.model = 'rf'"



def filter_error(source: str, column: int, problem: str, fix: str = HINT) -> QueryError:
    return QueryError(f"invalid filter at column {column} of {shown(source)}: {problem}; {fix}")


def shown(source: str) -> str:
    """The filter as messages quote it: a long one is cut, so an error stays one readable line."""
    return repr(source) if len(source) <= 100 else repr(source[:80]) + f"... ({len(source)} characters)"


@dataclass(frozen=True)
class Field:
    """A filterable or sortable thing: a scalar column, or a param, metric, tag or data set key.

    part: which value of the key: for metrics "" (the last), "min" or "max"; for data a DATA_FACTS name.
    """

    kind: str  # params, metrics, tags, data, or one of SCALAR_FIELDS
    key: str = ""
    part: str = ""

    def __str__(self) -> str:
        return field_text(self)


def field_text(field: Field) -> str:
    """A field written as filters, orders and columns take it (parse_field(field_text(f)) == f)."""
    if field.kind in SCALAR_FIELDS:
        return field.kind
    if field.kind == "data":
        return f"data.{_quoted(field.key, whole=True)}.{field.part}"
    key = _quoted(field.key, whole=False)
    if field.kind == "metrics" and field.key.rsplit(".", 1)[-1] in SUMMARIES and "`" not in key:
        key = f"`{field.key}`"  # a key ending in .min must not read as a summary
    return f"{field.kind}.{key}" + (f".{field.part}" if field.part else "")


def _quoted(key: str, *, whole: bool) -> str:
    parts = [key] if whole else key.split(".")
    if all(_PLAIN_PART.fullmatch(p) for p in parts):
        return key
    return f"`{key}`"


def parse_field(text: str, source: str = "", column: int = 1) -> Field:
    """A field name as written in a filter, an --order-by, a column or a group."""
    pieces = _split_name(text)
    parts = [p for p, _ in pieces]
    if not parts or not all(parts):
        raise filter_error(source or text, column, f"{shown(text)} is not a field name; write one as in params.model")
    head = parts[0].lower()
    if head in PREFIXES:
        if len(parts) < 2:
            raise filter_error(source or text, column, f"{head} needs a key, as in {head}.name")
        last, last_quoted = pieces[-1]
        if head == "data":
            if len(parts) != 3 or last_quoted or last not in DATA_FACTS:
                raise filter_error(source or text, column, f"{shown(text)} is not a data field; write data.<name>.<fact> "
                             f"with a fact of {', '.join(DATA_FACTS)}, as in data.train.rows")
            return Field("data", parts[1], last)
        if head == "metrics" and len(parts) > 2 and not last_quoted and last in SUMMARIES:
            return Field(head, ".".join(parts[1:-1]), last)
        return Field(head, ".".join(parts[1:]))
    if head in SCALAR_FIELDS and len(parts) == 1:
        return Field(head)
    known = ", ".join(sorted(SCALAR_FIELDS) + [f"{p}.<key>" for p in PREFIXES[:3]] + ["data.<name>.<fact>"])
    raise filter_error(source or text, column, f"unknown field {shown(text)} (known: {known})")


def _split_name(text: str) -> list[tuple[str, bool]]:
    """The dot-separated parts of a field name, each with whether it was in backticks."""
    return [(p[1:-1], True) if p.startswith("`") else (p, False) for p in re.findall(r"`[^`]+`|[^.`]+", text)]


GROUPABLE = ("params", "tags", "status", "experiment", "name", "notebook")


def check_group(group: object) -> str:
    """A field rows can be grouped by: a param, a tag (tags.sweep groups a sweep's runs) or a run fact."""
    if not isinstance(group, str) or len(group) > 600:
        raise QueryError(f"group is a field name such as params.model. Got {str(group)[:80]!r} instead.")
    field = parse_field(group.strip())
    if field.kind not in GROUPABLE:
        raise QueryError(f"rows group by a param, a tag or one of status, experiment, name, notebook. "
                         f"Got {group[:80]!r} instead; group e.g. by params.model or tags.sweep")
    return group.strip()


class _DataFact(ColumnElement[Any]):
    """One fact of a data record's JSON body: json_extract in SQLite, ->> in PostgreSQL."""

    inherit_cache = False

    def __init__(self, fact: str, body: Any) -> None:
        self.fact = fact  # one of DATA_FACTS: safe to write into the SQL
        self.body = body
        self.type = Text() if fact == "fingerprint" else Float()


@compiles(_DataFact)
def _data_fact_sqlite(element: _DataFact, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.body, **kw)}, '$.{element.fact}')"


@compiles(_DataFact, "postgresql")
def _data_fact_postgresql(element: _DataFact, compiler: Any, **kw: Any) -> str:
    text = f"(CAST({compiler.process(element.body, **kw)} AS JSONB) ->> '{element.fact}')"
    return text if element.fact == "fingerprint" else f"CAST({text} AS DOUBLE PRECISION)"


def data_fact(fact: str, records: Any = None) -> ColumnElement[Any]:
    """A data record's fact (DATA_FACTS) as SQL over records (or an alias): a number, or text for the fingerprint."""
    if fact not in DATA_FACTS:
        raise QueryError(f"{fact!r} is not a data fact; use one of {', '.join(DATA_FACTS)}")
    return _DataFact(fact, (schema.records if records is None else records).c.body)


def joined_value(query: Select[Any], field: Field) -> tuple[Select[Any], list[Any]]:
    """query LEFT JOINed to where a field's value lives, and that value as SQL (a param: number, then text).

    One LEFT JOIN per params, metrics, tags or data field: callers bound how many they ask for.
    """
    runs = schema.runs.c
    if field.kind == "params":
        table = schema.params.alias()
        query = query.outerjoin(table, and_(table.c.run_pk == runs.pk, table.c.key == field.key))
        return query, [table.c.num, table.c.text]
    if field.kind == "tags":
        table = schema.tags.alias()
        query = query.outerjoin(table, and_(table.c.run_pk == runs.pk, table.c.key == field.key))
        return query, [table.c.value]
    if field.kind == "metrics":
        table = schema.metric_summaries.alias()
        key_pk = select(schema.metric_keys.c.pk).where(schema.metric_keys.c.name == field.key).scalar_subquery()
        query = query.outerjoin(table, and_(table.c.run_pk == runs.pk, table.c.key_pk == key_pk))
        return query, [table.c[field.part or "last"]]
    if field.kind == "data":
        table = schema.records.alias()
        query = query.outerjoin(table, and_(table.c.run_pk == runs.pk, table.c.kind == "data",
                                            table.c.name == field.key))
        return query, [data_fact(field.part, table)]
    return query, [scalar_column(field.kind)]


def scalar_column(kind: str) -> Any:
    """The SQL of a run fact (status, started, duration...): a column of runs or experiments."""
    runs = schema.runs.c
    return {
        "started": runs.started_at, "ended": runs.ended_at, "id": runs.id, "name": runs.name,
        "experiment": schema.experiments.c.name, "status": runs.status, "notes": runs.note,
        "notebook": runs.notebook_path, "duration": runs.ended_at - runs.started_at,
    }[kind]
