"""The run filter language, parsed by hand and compiled to SQL (never eval).

    params.model = 'rf' and (metrics.test.f1 > 0.9 or tags.stage in ('prod', 'dev'))
    not status = 'failed' and experiment like 'churn%' and started >= '2026-11-01'

Fields: params.<key>, metrics.<key> (the last value), metrics.<key>.min and
metrics.<key>.max (the smallest and largest value), tags.<key>,
data.<name>.<fact> (a logged data set's rows, columns, missing_share or
fingerprint), status, experiment, name, notes (the run's Markdown note), notebook
(its path), id, started, ended, duration. Keys with unusual characters go in
backticks: params.`learning-rate`. A metric key's dots join its parts
(metrics.test.f1 is the key test.f1), except a last part min or max written
without backticks, which picks the summary: metrics.loss.min is the smallest
value of loss, and a key literally named loss.min is written metrics.`loss.min`
(its smallest value: metrics.`loss.min`.min). field_text() writes any field so.
A data set's name is one part, in backticks when it holds a dot:
data.`X.train`.rows. Operators: = != < <= > >= like in, combined with and, or,
not and parentheses.

A filter naming a params, metrics or tags key no run in the store has is refused
(unknown key params.modle; did you mean params.model?): check_keys().

A query is bounded before any SQL is built (see the MAX_ names): Debian 12's SQLite
3.40.1 segfaults on an ORDER BY of 64 or more terms over a LEFT JOINed table, and
refuses expression trees deeper than 1000 and more than 64 tables in a join.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)

from nbtrack.config import heartbeat_seconds
from nbtrack.errors import QueryError
from nbtrack.records import RunStatus
from nbtrack.store import schema
from nbtrack.store.fields import (  # noqa: F401  (field names and syntax, importable from here as before)
    DATA_FACTS,
    GROUPABLE,
    HINT,
    SUMMARIES,
    Field,
    check_group,
    data_fact,
    field_text,
    filter_error,
    parse_field,
    shown,
)

MAX_FILTER_CHARS = 50_000
MAX_DEPTH = 32  # parentheses and nots nested in one another
MAX_TERMS = 100  # comparisons in one filter
MAX_VALUES = 1000  # values in one filter, each value of an in (...) list counted
MAX_ORDER_TERMS = 8  # each params/metrics/tags term is a LEFT JOIN and up to 2 ORDER BY keys

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w.`]))
      | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<op><=|>=|!=|<>|==|=|<|>)
      | (?P<punct>[(),])
      | (?P<name>(?:[A-Za-z_][\w\-]*|`[^`]+`)(?:\.(?:[A-Za-z_0-9][\w\-]*|`[^`]+`))*)
    )""",
    re.VERBOSE,
)
_REST_IS_SPACE = re.compile(r"\s*\Z")
_KEYWORDS = {"and", "or", "not", "in", "like", "true", "false"}
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TOO_DEEP = "parentheses and not nest more than {} levels deep"


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, op, punct, name, keyword, end
    text: str
    column: int  # 1-based, for messages


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if _REST_IS_SPACE.match(source, pos):
            break
        match = _TOKEN.match(source, pos)
        if match is None or match.end() == pos:
            column = pos + len(source[pos:]) - len(source[pos:].lstrip()) + 1
            raise filter_error(source, column, f"unexpected character {source[column - 1]!r}")
        kind = match.lastgroup or "end"
        text = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and text.lower() in _KEYWORDS:
            kind, text = "keyword", text.lower()
        tokens.append(_Token(kind, text, column))
        pos = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str, now: float) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0
        self.now = now
        self.depth = self.terms = self.values = 0
        self.fields: list[Field] = []  # every field compared, for check_keys

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, token: _Token, problem: str) -> QueryError:
        return filter_error(self.source, token.column, problem)

    def bound(self, token: _Token, count: int, bound: int, problem: str, fix: str) -> None:
        """Refuse the filter, before any SQL is built, once a count passes its bound."""
        if count > bound:
            raise filter_error(self.source, token.column, problem.format(bound), fix)

    def expect(self, kind: str, text: str | None = None) -> _Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = repr(text) if text else kind
            found = repr(token.text) if token.text else "the end"
            raise self.fail(token, f"expected {wanted}, found {found}")
        return token

    def parse(self) -> ColumnElement[bool]:
        if self.peek().kind == "end":
            raise self.fail(self.peek(), "the filter is empty")
        clause = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            raise self.fail(token, f"unexpected {token.text!r}")
        return clause

    def parse_or(self) -> ColumnElement[bool]:
        terms = [self.parse_and()]
        while self.peek().kind == "keyword" and self.peek().text == "or":
            self.take()
            terms.append(self.parse_and())
        return terms[0] if len(terms) == 1 else or_(*terms)

    def parse_and(self) -> ColumnElement[bool]:
        terms = [self.parse_not()]
        while self.peek().kind == "keyword" and self.peek().text == "and":
            self.take()
            terms.append(self.parse_not())
        return terms[0] if len(terms) == 1 else and_(*terms)

    def parse_not(self) -> ColumnElement[bool]:
        token = self.peek()
        if token.kind == "keyword" and token.text == "not":
            self.take()
            self.depth += 1
            self.bound(token, self.depth, MAX_DEPTH, _TOO_DEEP, "write it with fewer levels, e.g. not not a as a")
            clause = not_(self.parse_not())
            self.depth -= 1
            return clause
        if token.kind == "punct" and token.text == "(":
            self.take()
            self.depth += 1
            self.bound(token, self.depth, MAX_DEPTH, _TOO_DEEP, "write it with fewer parentheses")
            clause = self.parse_or()
            self.expect("punct", ")")
            self.depth -= 1
            return clause
        return self.parse_comparison()

    def parse_comparison(self) -> ColumnElement[bool]:
        token = self.take()
        if token.kind != "name":
            found = repr(token.text) if token.text else "the end"
            raise self.fail(token, f"expected a field name, found {found}")
        self.terms += 1
        self.bound(token, self.terms, MAX_TERMS, "more than {} comparisons",
                   "split it into several queries, or list values with in (...)")
        field = parse_field(token.text, self.source, token.column)
        self.fields.append(field)
        op_token = self.take()
        negate = False
        if op_token.kind == "keyword" and op_token.text == "not":
            negate = True
            op_token = self.take()
            if op_token.text not in ("in", "like"):
                raise self.fail(op_token, "expected 'in' or 'like' after 'not'")
        if op_token.kind == "op":
            clause = self.compare(field, _OPS[op_token.text], [self.parse_value()], op_token)
        elif op_token.kind == "keyword" and op_token.text == "like":
            value = self.parse_value()
            if not isinstance(value, str):
                raise self.fail(op_token, "like needs a quoted pattern such as 'rf%'")
            clause = self.compare(field, "like", [value], op_token)
        elif op_token.kind == "keyword" and op_token.text == "in":
            self.expect("punct", "(")
            values = [self.parse_value()]
            while self.peek().kind == "punct" and self.peek().text == ",":
                self.take()
                values.append(self.parse_value())
            self.expect("punct", ")")
            clause = self.compare(field, "in", values, op_token)
        else:
            found = repr(op_token.text) if op_token.text else "the end"
            raise self.fail(op_token, f"expected an operator (= != < <= > >= like in), found {found}")
        return not_(clause) if negate else clause

    def parse_value(self) -> Any:
        token = self.take()
        self.values += 1
        self.bound(token, self.values, MAX_VALUES, "more than {} values", "split it into several queries")
        if token.kind == "number":
            number = float(token.text)
            if not math.isfinite(number):
                raise self.fail(token, f"{token.text} is not a finite number")
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        if token.kind == "string":
            quote = token.text[0]
            return token.text[1:-1].replace(quote * 2, quote)
        if token.kind == "keyword" and token.text in ("true", "false"):
            return token.text == "true"
        found = repr(token.text) if token.text else "the end"
        raise self.fail(token, f"expected a value (a number or a quoted string), found {found}")

    def compare(self, field: Field, op: str, values: list[Any], at: _Token) -> ColumnElement[bool]:
        if field.kind == "params":
            return _in_runs(schema.params, _param_test(field.key, op, values))
        if field.kind == "tags":
            column = schema.tags.c.value
            test = _apply(column, op, [str(v).lower() if isinstance(v, bool) else str(v) for v in values])
            return _in_runs(schema.tags, and_(schema.tags.c.key == field.key, test))
        if field.kind == "metrics":
            self.require(values, (int, float), at, "metrics are numbers; compare with a number")
            summaries = schema.metric_summaries
            test = and_(summaries.c.key_pk == _metric_key_pk(field.key),
                        _apply(summaries.c[field.part or "last"], op, values))
            return _in_runs(summaries, test)
        if field.kind == "data":
            wanted = (str,) if field.part == "fingerprint" else (int, float)
            self.require(values, wanted, at, f"data {field.part} is {'text' if wanted == (str,) else 'a number'}; "
                         "compare with one")
            if op == "like" and field.part != "fingerprint":
                raise self.fail(at, f"like compares text; data {field.part} is a number")
            records = schema.records
            test = and_(records.c.kind == "data", records.c.name == field.key,
                        _apply(data_fact(field.part), op, values))
            return _in_runs(records, test)
        if field.kind == "status":
            known = {s.value for s in RunStatus}
            bad = [v for v in values if v not in known]
            if bad:
                raise self.fail(at, f"status {bad[0]!r} is not one of {', '.join(sorted(known))}")
            return _apply(effective_status(self.now), op, values)
        if field.kind in ("experiment", "name", "id", "notes", "notebook"):
            self.require(values, (str,), at, f"{field.kind} is text; quote the value")
            column = {"experiment": schema.experiments.c.name, "name": schema.runs.c.name,
                      "id": schema.runs.c.id, "notes": func.coalesce(schema.runs.c.note, ""),
                      "notebook": schema.runs.c.notebook_path}[field.kind]
            return _apply(column, op, values)
        if op == "like":
            raise self.fail(at, f"like compares text; {field.kind} is a time or a number")
        times = [self.as_time(v, at) if field.kind != "duration" else v for v in values]
        self.require(times, (int, float), at, f"{field.kind} compares with a number")
        column = {"started": schema.runs.c.started_at, "ended": schema.runs.c.ended_at,
                  "duration": schema.runs.c.ended_at - schema.runs.c.started_at}[field.kind]
        return _apply(column, op, times)

    def require(self, values: list[Any], types: tuple[type, ...], at: _Token, problem: str) -> None:
        if any(isinstance(v, bool) or not isinstance(v, types) for v in values):
            raise self.fail(at, problem)

    def as_time(self, value: Any, at: _Token) -> Any:
        if not isinstance(value, str):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(at, f"{value!r} is not a date; write '2026-11-01' or '2026-11-01T12:00'") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()


def _apply(column: Any, op: str, values: list[Any]) -> ColumnElement[bool]:
    if op == "in":
        return column.in_(values)
    if op == "like":
        # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite: both ignore case, as SQLite's LIKE does.
        return column.ilike(values[0])
    value = values[0]
    return {
        "=": lambda: column == value,
        "!=": lambda: column != value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
    }[op]()


def _param_test(key: str, op: str, values: list[Any]) -> ColumnElement[bool]:
    p = schema.params.c
    numbers = [float(v) for v in values if isinstance(v, (int, float))]
    texts = [v for v in values if isinstance(v, str)]
    if op == "like":
        test = _apply(p.text, "like", texts)
    elif op == "in":
        parts = []
        if numbers:
            parts.append(p.num.in_(numbers))
        if texts:
            parts.append(p.text.in_(texts))
        test = or_(*parts) if parts else false()
    elif numbers:
        test = _apply(p.num, op, numbers)
    else:
        test = _apply(p.text, op, texts)
    return and_(p.key == key, test)


_KEY_COLUMNS = {"params": schema.params.c.key, "metrics": schema.metric_keys.c.name, "tags": schema.tags.c.key}


def _metric_key_pk(key: str) -> Any:
    keys = schema.metric_keys
    return select(keys.c.pk).where(keys.c.name == key).scalar_subquery()


def _in_runs(table: Any, test: ColumnElement[bool]) -> ColumnElement[bool]:
    return schema.runs.c.pk.in_(select(table.c.run_pk).where(test))


def effective_status(now: float, window: float | None = None) -> Any:
    """The stored status, except a running run whose heartbeat stopped reads as lost.

    Stopped means three of its writer's heartbeat intervals missed (runs from before
    that interval was recorded: three of this reader's NBTRACK_HEARTBEAT).
    """
    runs = schema.runs.c
    interval = case((runs.heartbeat_s.is_(None), heartbeat_seconds()), else_=runs.heartbeat_s)
    stale = and_(runs.status == RunStatus.RUNNING.value,
                 runs.heartbeat_at < (now - window if window is not None else now - 3 * interval))
    return case((stale, literal(RunStatus.LOST.value)), else_=runs.status)


def compile_filter(source: str, now: float) -> ColumnElement[bool]:
    """A filter expression as a WHERE clause over runs joined to experiments."""
    return parse_filter(source, now)[0]


def parse_filter(source: str, now: float) -> tuple[ColumnElement[bool], list[Field]]:
    """A filter expression as a WHERE clause, and the fields it compares (for check_keys)."""
    if not isinstance(source, str):
        raise QueryError(f"a filter is text such as \"metrics.test.f1 > 0.9\". Got {source!r} instead.")
    if len(source) > MAX_FILTER_CHARS:
        raise QueryError(f"the filter {shown(source)} is longer than {MAX_FILTER_CHARS} characters; "
                         "split it into several queries")
    parser = _Parser(source, now)
    return parser.parse(), parser.fields


def check_keys(conn: Connection, fields: list[Field]) -> None:
    """Refuse a params, metrics or tags key no run in the store has, suggesting the nearest known one.

    Each key is one index lookup; the store's keys are read only to word the refusal.
    """
    for field in dict.fromkeys(f for f in fields if f.kind in ("params", "metrics", "tags")):
        column = _KEY_COLUMNS[field.kind]
        if conn.execute(select(column).where(column == field.key).limit(1)).first() is not None:
            continue
        known = list(conn.execute(select(column).distinct().limit(10_000)).scalars())
        named = field_text(Field(field.kind, field.key))
        near = difflib.get_close_matches(field.key, known, n=1, cutoff=0.6)
        if near:
            raise QueryError(f"unknown key {named}; did you mean {field_text(Field(field.kind, near[0]))}? "
                             f"No run in this store has {named}")
        listed = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        raise QueryError(f"unknown key {named}: no run in this store has it; check the spelling "
                         f"({field.kind} keys: {listed or 'none yet'})")


def parse_order(spec: str) -> tuple[Field, bool]:
    """An --order-by term: a field, with a leading - for descending."""
    text = spec.strip()
    descending = text.startswith("-")
    text = text.lstrip("-+").strip()
    if not text:
        raise QueryError(f"invalid order {shown(spec)}: name a field, as in -metrics.test.f1 or started")
    return parse_field(text, spec), descending


def parse_orders(specs: list[str]) -> list[tuple[Field, bool]]:
    """At most MAX_ORDER_TERMS --order-by terms, each field once (a repeat can never break a tie)."""
    if len(specs) > MAX_ORDER_TERMS:
        listed = ", ".join(shown(str(s)) for s in specs[:3])
        raise QueryError(f"{len(specs)} order terms ({listed}, ...) are more than {MAX_ORDER_TERMS}; "
                         f"sort by at most {MAX_ORDER_TERMS} fields")
    orders: dict[Field, bool] = {}
    for spec in specs:
        if not isinstance(spec, str):
            raise QueryError(f"an order is text such as \"-metrics.test.f1\". Got {spec!r} instead.")
        field, descending = parse_order(spec)
        orders.setdefault(field, descending)
    return list(orders.items())
