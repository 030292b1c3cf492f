"""The run filter language, parsed by hand and compiled to SQL (never eval).

    params.model = 'rf' and (metrics.test.f1 > 0.9 or tags.stage in ('prod', 'dev'))
    not status = 'failed' and experiment like 'churn%' and started >= '2026-11-01'

Fields: params.<key>, metrics.<key> (the last value), tags.<key>, status,
experiment, name, id, started, ended, duration. Keys with unusual characters
go in backticks: params.`learning-rate`. Operators: = != < <= > >= like in,
combined with and, or, not and parentheses.

A query is bounded before any SQL is built (see the MAX_ names): Debian 12's SQLite
3.40.1 segfaults on an ORDER BY of 64 or more terms over a LEFT JOINed table, and
refuses expression trees deeper than 1000 and more than 64 tables in a join.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    literal,
    not_,
    or_,
    select,
)

from nbtrack.config import heartbeat_seconds
from nbtrack.errors import QueryError
from nbtrack.records import RunStatus
from nbtrack.store import schema

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
_SCALAR_FIELDS = {"status", "experiment", "name", "id", "started", "ended", "duration"}
_PREFIXES = ("params", "metrics", "tags")
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TOO_DEEP = "parentheses and not nest more than {} levels deep"
_HINT = "write comparisons like metrics.test.f1 > 0.9 or params.model = 'rf'"


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
            raise _error(source, column, f"unexpected character {source[column - 1]!r}")
        kind = match.lastgroup or "end"
        text = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and text.lower() in _KEYWORDS:
            kind, text = "keyword", text.lower()
        tokens.append(_Token(kind, text, column))
        pos = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


def _error(source: str, column: int, problem: str, fix: str = _HINT) -> QueryError:
    return QueryError(f"invalid filter at column {column} of {_shown(source)}: {problem}; {fix}")


def _shown(source: str) -> str:
    """The filter as messages quote it: a long one is cut, so an error stays one readable line."""
    return repr(source) if len(source) <= 100 else repr(source[:80]) + f"... ({len(source)} characters)"


@dataclass(frozen=True)
class Field:
    """A filterable or sortable thing: a scalar column, or a param, metric or tag key."""

    kind: str  # params, metrics, tags, or one of _SCALAR_FIELDS
    key: str = ""


def parse_field(text: str, source: str = "", column: int = 1) -> Field:
    """A field name as written in a filter or an --order-by."""
    parts = _split_name(text)
    if not parts or not all(parts):
        raise _error(source or text, column, f"{_shown(text)} is not a field name; write one as in params.model")
    head = parts[0].lower()
    if head in _PREFIXES:
        if len(parts) < 2:
            raise _error(source or text, column, f"{head} needs a key, as in {head}.name")
        return Field(head, ".".join(parts[1:]))
    if head in _SCALAR_FIELDS and len(parts) == 1:
        return Field(head)
    known = ", ".join(sorted(_SCALAR_FIELDS) + [f"{p}.<key>" for p in _PREFIXES])
    raise _error(source or text, column, f"unknown field {_shown(text)} (known: {known})")


def _split_name(text: str) -> list[str]:
    return [p[1:-1] if p.startswith("`") else p for p in re.findall(r"`[^`]+`|[^.`]+", text)]


class _Parser:
    def __init__(self, source: str, now: float) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0
        self.now = now
        self.depth = self.terms = self.values = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, token: _Token, problem: str) -> QueryError:
        return _error(self.source, token.column, problem)

    def bound(self, token: _Token, count: int, bound: int, problem: str, fix: str) -> None:
        """Refuse the filter, before any SQL is built, once a count passes its bound."""
        if count > bound:
            raise _error(self.source, token.column, problem.format(bound), fix)

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
                        _apply(summaries.c.last, op, values))
            return _in_runs(summaries, test)
        if field.kind == "status":
            known = {s.value for s in RunStatus}
            bad = [v for v in values if v not in known]
            if bad:
                raise self.fail(at, f"status {bad[0]!r} is not one of {', '.join(sorted(known))}")
            return _apply(effective_status(self.now), op, values)
        if field.kind in ("experiment", "name", "id"):
            self.require(values, (str,), at, f"{field.kind} is text; quote the value")
            column = {"experiment": schema.experiments.c.name, "name": schema.runs.c.name,
                      "id": schema.runs.c.id}[field.kind]
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
            moment = moment.replace(tzinfo=timezone.utc)
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
    if not isinstance(source, str):
        raise QueryError(f"a filter is text such as \"metrics.test.f1 > 0.9\". Got {source!r} instead.")
    if len(source) > MAX_FILTER_CHARS:
        raise QueryError(f"the filter {_shown(source)} is longer than {MAX_FILTER_CHARS} characters; "
                         "split it into several queries")
    return _Parser(source, now).parse()


def parse_order(spec: str) -> tuple[Field, bool]:
    """An --order-by term: a field, with a leading - for descending."""
    text = spec.strip()
    descending = text.startswith("-")
    text = text.lstrip("-+").strip()
    if not text:
        raise QueryError(f"invalid order {_shown(spec)}: name a field, as in -metrics.test.f1 or started")
    return parse_field(text, spec), descending


def parse_orders(specs: list[str]) -> list[tuple[Field, bool]]:
    """At most MAX_ORDER_TERMS --order-by terms, each field once (a repeat can never break a tie)."""
    if len(specs) > MAX_ORDER_TERMS:
        shown = ", ".join(_shown(str(s)) for s in specs[:3])
        raise QueryError(f"{len(specs)} order terms ({shown}, ...) are more than {MAX_ORDER_TERMS}; "
                         f"sort by at most {MAX_ORDER_TERMS} fields")
    orders: dict[Field, bool] = {}
    for spec in specs:
        if not isinstance(spec, str):
            raise QueryError(f"an order is text such as \"-metrics.test.f1\". Got {spec!r} instead.")
        field, descending = parse_order(spec)
        orders.setdefault(field, descending)
    return list(orders.items())
