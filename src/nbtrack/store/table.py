"""The runs table's reads: a page of chosen columns, the catalogue of fields, groups with statistics.

Field strings are the filter language's (query.field_text writes them), so a field the
catalogue gives works as a filter, an order, a column and a group as it is. Sorting,
counting and grouping happen in SQL; only a page of rows is built in Python.

Default columns (the table's first view and the notebook's RunTable): the fields that
vary among the runs shown, params first, then metrics (test.* first), at most 12; when
nothing varies (a single run) the fields those runs have.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select

from nbtrack.errors import UsageError
from nbtrack.records import iso_time
from nbtrack.store import database, schema
from nbtrack.store.fields import (
    DATA_FACTS,
    SUMMARIES,
    Field,
    check_group,
    field_text,
    joined_value,
    parse_field,
)
from nbtrack.store.listing import Listing
from nbtrack.store.query import effective_status

MAX_PAGE = 500
MAX_COLUMNS = 200
MAX_GROUP_COLUMNS = 20  # each is a LEFT JOIN in one GROUP BY query
MAX_GROUPS = 200
MAX_DEFAULT_COLUMNS = 12
MAX_VALUES = 20  # common values per field, for completion
SAMPLE = 5000  # the newest matching runs the catalogue reads: keys, common values, what varies
EXCERPT = 120  # characters of a note in a table row
RUN_FIELDS = ("name", "status", "started", "ended", "duration", "experiment", "notebook", "notes", "id")
_NUMERIC_FACTS = tuple(f for f in DATA_FACTS if f != "fingerprint")


@dataclass(frozen=True)
class FieldStats:
    """How a field stands among a set of runs: how many have it and how many values it takes."""

    field: str
    kind: str  # param, metric, tag, data, run
    present: int
    distinct: int


def default_columns(stats: Iterable[FieldStats], runs: int) -> list[str]:
    """The columns worth showing first: params, then metrics (test.* first), that vary; at most 12.

    A field varies when its runs hold more than one value, or only some of the runs have it.
    When none varies (one run, or identical runs), the params and metrics the runs have.
    """
    stats = [s for s in stats if s.kind in ("param", "metric") and s.present]
    varying = [s for s in stats if s.distinct > 1 or s.present < runs]
    chosen = varying or stats
    params = sorted(s.field for s in chosen if s.kind == "param")
    metrics = sorted((s.field for s in chosen if s.kind == "metric"),
                     key=lambda f: (not f.startswith("metrics.test."), f))
    room_for_metrics = min(len(metrics), max(MAX_DEFAULT_COLUMNS - len(params), MAX_DEFAULT_COLUMNS // 2))
    return params[:MAX_DEFAULT_COLUMNS - room_for_metrics] + metrics[:room_for_metrics]


def default_columns_of(runs: Sequence[Any]) -> list[str]:
    """default_columns over runs already read (the notebook's RunTable): last values of metrics."""
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for run in runs:
        for key, value in run.params.items():
            values[("param", field_text(Field("params", key)))].append(json.dumps(value, sort_keys=True, default=str))
        for key, value in run.metrics.items():
            values[("metric", field_text(Field("metrics", key)))].append(repr(value))
    stats = [FieldStats(field, kind, len(found), len(set(found))) for (kind, field), found in values.items()]
    return default_columns(stats, len(runs))


# -- a page of rows -------------------------------------------------------------


def page(listing: Listing, where: str | None = None, *, experiment: str | None = None,
         order: Sequence[str] | None = None, limit: int = 100, offset: int = 0, archived: str = "hide",
         columns: Sequence[str] | None = None) -> dict[str, Any]:
    """A page of the runs table: each row's run facts and its values of the columns (null when absent)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_PAGE:
        raise UsageError(f"limit must be a whole number from 0 to {MAX_PAGE}. Got {limit!r} instead.")
    if columns is None:
        columns = catalogue(listing, where, experiment=experiment, archived=archived)["default_columns"]
    fields = _columns(columns, MAX_COLUMNS)
    runs = listing.runs(where, experiment=experiment, order_by=list(order or []) or None, limit=limit,
                        offset=offset, archived=archived)
    data = _data_records(listing, [run._source[0] for run in runs]) if any(
        f.kind == "data" for f in fields.values()) else {}
    rows = []
    for run in runs:
        note = run.note
        rows.append({
            "id": run.id, "name": run.name, "colour": run.colour, "status": str(run.status), "started_at": iso_time(run.started_at),
            "ended_at": iso_time(run.ended_at), "duration": run.duration, "archived": run.archived,
            "note_excerpt": " ".join(note.split())[:EXCERPT],
            "values": {text: value_of(run, field, data.get(run._source[0], {})) for text, field in fields.items()},
        })
    return {"total": listing.count(where, experiment=experiment, archived=archived), "offset": offset,
            "limit": limit, "columns": list(fields), "rows": rows}


def _columns(columns: Sequence[str], bound: int) -> dict[str, Field]:
    if isinstance(columns, str) or len(columns) > bound:
        raise UsageError(f"columns are at most {bound} field names, such as params.model and metrics.test.f1")
    found = {}
    for text in columns:
        if not isinstance(text, str):
            raise UsageError(f"a column is a field name such as params.model. Got {text!r} instead.")
        found[text] = parse_field(text.strip())
    return found


def value_of(run: Any, field: Field, data: dict[str, dict[str, Any]] | None = None) -> Any:
    """A run's value of a field (null when absent); data: the run's data records by name, for data fields."""
    if field.kind == "params":
        return run.params.get(field.key)
    if field.kind == "tags":
        return run.tags.get(field.key)
    if field.kind == "metrics":
        if not field.part:
            value = run.metrics.get(field.key)
        else:
            summary = run.summaries.get(field.key)
            value = None if summary is None else getattr(summary, field.part)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    if field.kind == "data":
        return (data or {}).get(field.key, {}).get(field.part)
    return {
        "name": run.name, "status": str(run.status), "started": iso_time(run.started_at),
        "ended": iso_time(run.ended_at), "duration": run.duration, "experiment": run.experiment,
        "notebook": run.notebook.path if run.notebook else None, "notes": run.note or None, "id": run.id,
    }[field.kind]


def _data_records(listing: Listing, pks: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """The data records of a page's runs: {run pk: {data set name: its body}}, in one query."""
    r = schema.records.c
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    if not pks:
        return found
    with database.reading(listing.engine) as conn:
        for pk, name, body in conn.execute(select(r.run_pk, r.name, r.body)
                                           .where(r.kind == "data", r.run_pk.in_(pks))):
            try:
                found[pk][name] = json.loads(body)
            except ValueError:
                continue  # a record that does not parse shows as missing, never breaks the page
    return found


# -- the catalogue of fields ------------------------------------------------------


def catalogue(listing: Listing, where: str | None = None, *, experiment: str | None = None,
              archived: str = "hide") -> dict[str, Any]:
    """Every field of the runs a filter matches (the newest SAMPLE of them), with common values, and
    default_columns."""
    runs = schema.runs.c
    matched = (listing.matching(select(runs.pk), where, experiment, archived)
               .order_by(runs.started_at.desc(), runs.id.desc()).limit(SAMPLE).subquery())
    pks = select(matched.c.pk)
    p, s, k, t, r = schema.params.c, schema.metric_summaries.c, schema.metric_keys.c, schema.tags.c, schema.records.c
    entries: list[dict[str, Any]] = []
    stats: list[FieldStats] = []
    with database.reading(listing.engine) as conn:
        total = conn.execute(select(func.count()).select_from(matched)).scalar_one()
        params = conn.execute(select(p.key, p.value, func.count()).where(p.run_pk.in_(pks))
                              .group_by(p.key, p.value)).all()
        metrics = conn.execute(
            select(k.name, func.max(s["count"]), func.count(), func.count(s["last"].distinct()),
                   func.count(s.min.distinct()), func.count(s.max.distinct()))
            .join_from(schema.metric_summaries, schema.metric_keys, s.key_pk == k.pk)
            .where(s.run_pk.in_(pks)).group_by(k.name)).all()
        tags = conn.execute(select(t.key, t.value, func.count()).where(t.run_pk.in_(pks))
                            .group_by(t.key, t.value)).all()
        data = conn.execute(select(r.name, func.count()).where(r.kind == "data", r.run_pk.in_(pks))
                            .group_by(r.name)).all()
        facts = _run_facts(conn, matched)
    for kind, prefix, rows in (("param", "params", params), ("tag", "tags", tags)):
        by_key: dict[str, Counter[Any]] = defaultdict(Counter)
        for key, value, count in rows:
            by_key[key][json.loads(value) if kind == "param" else value] += count
        for key in sorted(by_key):
            if "`" in key:
                continue  # no field syntax can name it
            field = field_text(Field(prefix, key))
            counts = by_key[key]
            common = [v for v, _ in sorted(counts.items(), key=lambda vc: (-vc[1], str(vc[0])))[:MAX_VALUES]]
            entries.append({"field": field, "kind": kind, "label": key, "values": common})
            stats.append(FieldStats(field, kind, sum(counts.values()), len(counts)))
    for key, steps, present, *distinct in sorted(metrics):
        if "`" in key:
            continue
        for part, count in zip(("", *SUMMARIES), distinct, strict=True):
            field = field_text(Field("metrics", key, part))
            # steps: the most points any matched run logged: a chart is worth drawing past 1
            entries.append({"field": field, "kind": "metric", "label": f"{key} {part}".strip(), "values": [],
                            "steps": steps})
            if not part:  # default columns show last values; min and max are a choice
                stats.append(FieldStats(field, "metric", present, count))
    for name, _count in sorted(data):
        if "`" in name:
            continue
        for fact in DATA_FACTS:
            entries.append({"field": field_text(Field("data", name, fact)), "kind": "data",
                            "label": f"{name} {fact.replace('_', ' ')}", "values": []})
    for fact in RUN_FIELDS:
        entries.append({"field": fact, "kind": "run", "label": fact, "values": facts.get(fact, [])})
    return {"fields": entries, "default_columns": default_columns(stats, total)}


def _run_facts(conn: Any, matched: Any) -> dict[str, list[Any]]:
    """Common statuses and experiments of the matched runs, for completion."""
    runs, experiments = schema.runs.c, schema.experiments.c
    status = effective_status(time.time())
    of_matched = runs.pk.in_(select(matched.c.pk))
    found = {}
    for fact, column, joined in (("status", status, False), ("experiment", experiments.name, True)):
        query = select(column, func.count()).where(of_matched)
        if joined:
            query = query.select_from(schema.runs.join(schema.experiments, runs.experiment_pk == experiments.pk))
        rows = conn.execute(query.group_by(column).order_by(func.count().desc()).limit(MAX_VALUES)).all()
        found[fact] = [value for value, _ in rows]
    return found


# -- groups -----------------------------------------------------------------------


def groups(listing: Listing, where: str | None = None, *, experiment: str | None = None,
           archived: str = "hide", group: str, columns: Sequence[str] = ()) -> dict[str, Any]:
    """The matching runs grouped by a param, a tag or a run fact: count, and mean, std and count of each
    numeric column per group (SQL aggregation), biggest groups first, at most MAX_GROUPS."""
    group = check_group(group)
    by = parse_field(group)
    fields = _columns(columns, MAX_GROUP_COLUMNS)
    runs = schema.runs.c
    query = listing.matching(select(func.count().label("n")), where, experiment, archived)
    if by.kind == "params":
        table = schema.params.alias()
        query = query.outerjoin(table, and_(table.c.run_pk == runs.pk, table.c.key == by.key))
        key: Any = table.c.value
    elif by.kind == "tags":
        query, (key,) = joined_value(query, by)
    elif by.kind == "status":
        key = effective_status(time.time())
    else:
        query, (key,) = joined_value(query, by)
    numeric: list[str] = []
    for text, field in fields.items():
        value = _numeric(field)
        if value is None:
            continue
        query, (column, *_) = joined_value(query, field)
        numeric.append(text)
        query = query.add_columns(func.count(column), func.sum(column), func.sum(column * column))
    query = query.add_columns(key.label("grp")).group_by(key).order_by(func.count().desc()).limit(MAX_GROUPS + 1)
    with database.reading(listing.engine) as conn:
        rows = conn.execute(query).all()
    found = []
    for row in rows[:MAX_GROUPS]:
        count, *sums = row[:-1]
        value = row[-1]
        if by.kind == "params" and value is not None:
            value = json.loads(value)
        stats = {}
        for i, text in enumerate(numeric):
            n, total, squares = sums[3 * i:3 * i + 3]
            if n:
                stats[text] = _mean_std(int(n), float(total), float(squares))
        found.append({"value": value, "count": int(count), "where": _group_where(where, experiment, group, value),
                      "stats": stats})
    return {"group": group, "groups": found, "truncated": len(rows) > MAX_GROUPS}


def _numeric(field: Field) -> Any:
    """Whether a column has numbers to average (params may; metrics, numeric data facts and duration do)."""
    if field.kind in ("params", "metrics", "duration"):
        return True
    if field.kind == "data" and field.part in _NUMERIC_FACTS:
        return True
    return None


def _mean_std(n: int, total: float, squares: float) -> dict[str, Any]:
    mean = total / n
    std = math.sqrt(max(squares - total * total / n, 0.0) / (n - 1)) if n > 1 else None
    return {"mean": mean, "std": std, "count": n}


def _group_where(where: str | None, experiment: str | None, group: str, value: Any) -> str | None:
    """The filter that selects exactly one group's runs, or None when its value has no literal (a list, a
    missing value)."""
    literal = _literal(value)
    if literal is None:
        return None
    parts = [f"({where})"] if where and where.strip() else []
    if experiment is not None:
        parts.append(f"experiment = {_literal(experiment)}")
    parts.append(f"{group} = {literal}")
    return " and ".join(parts)


def _literal(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None
