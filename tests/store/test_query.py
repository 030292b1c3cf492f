"""The filter language: what it selects, how it sorts, and how it refuses bad input."""

from __future__ import annotations

import pytest

from nbtrack.errors import QueryError
from nbtrack.records import new_run_id


@pytest.fixture
def runs(store):
    """Four finished runs with params, metrics and tags; returns {label: id}."""
    specs = {
        "rf-good": ({"model": "rf", "C": 1.0, "depth": 5}, {"test.f1": 0.95, "loss": 0.1}, {"stage": "prod"}),
        "rf-bad": ({"model": "rf", "C": 0.1, "depth": 3}, {"test.f1": 0.80, "loss": 0.4}, {"stage": "dev"}),
        "gb": ({"model": "gb", "C": 0.5, "depth": 3}, {"test.f1": 0.91}, {}),
        "logreg": ({"model": "logreg", "C": 10}, {}, {"stage": "dev"}),
    }
    ids = {}
    for offset, (label, (params, metrics, tags)) in enumerate(specs.items()):
        run_id = store.create_run("exp" if label != "logreg" else "other",
                                  run_id=new_run_id(1_750_000_000 + offset), name=label,
                                  params=params, tags=tags)
        store.log_metrics(run_id, [(k, 0, v, 0) for k, v in metrics.items()])
        store.end_run(run_id, "finished" if label != "gb" else "failed")
        ids[label] = run_id
    return ids


def selected(store, runs, where):
    by_id = {v: k for k, v in runs.items()}
    return sorted(by_id[r.id] for r in store.runs(where=where))


@pytest.mark.parametrize("where, expected", [
    ("params.model = 'rf'", ["rf-bad", "rf-good"]),
    ("params.model == \"rf\" and metrics.test.f1 > 0.9", ["rf-good"]),
    ("metrics.test.f1 >= 0.91", ["gb", "rf-good"]),
    ("metrics.test.f1 < 0.85 or params.model = 'logreg'", ["logreg", "rf-bad"]),
    ("params.C > 0.4 and params.C <= 1", ["gb", "rf-good"]),
    ("params.C = 10", ["logreg"]),
    ("params.depth != 3", ["rf-good"]),
    ("params.model in ('gb', 'logreg')", ["gb", "logreg"]),
    ("params.model not in ('gb', 'logreg')", ["rf-bad", "rf-good"]),
    ("params.model like 'log%'", ["logreg"]),
    ("tags.stage = 'dev'", ["logreg", "rf-bad"]),
    ("status = 'failed'", ["gb"]),
    ("status != 'failed' and experiment = 'exp'", ["rf-bad", "rf-good"]),
    ("experiment like 'oth%'", ["logreg"]),
    ("name = 'gb'", ["gb"]),
    ("not (params.model = 'rf')", ["gb", "logreg"]),
    ("(params.model = 'rf' or params.model = 'gb') and not metrics.test.f1 < 0.9", ["gb", "rf-good"]),
    ("started >= '2020-01-01' and started < '2100-01-01T00:00'", ["gb", "logreg", "rf-bad", "rf-good"]),
    ("started < '2020-01-01' or ended < 1000", []),
    ("duration >= 0 and duration < 3600", ["gb", "logreg", "rf-bad", "rf-good"]),
    ("params.`model` = 'gb'", ["gb"]),
    ("metrics.missing > 0", []),
])
def test_filter_selects_matching_runs(store, runs, where, expected):
    assert selected(store, runs, where) == expected


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_filter_selects_every_run(store, runs, blank):
    assert len(store.runs(where=blank)) == 4


def test_order_by_metric_descending_puts_missing_last(store, runs):
    order = [r.name for r in store.runs(order_by="-metrics.test.f1")]
    assert order == ["rf-good", "gb", "rf-bad", "logreg"]


def test_order_by_param_then_start(store, runs):
    order = [r.name for r in store.runs(order_by=["params.model", "-started"])]
    assert order == ["gb", "logreg", "rf-bad", "rf-good"]


def test_count_matches_filter(store, runs):
    assert store.count("params.model = 'rf'") == 2
    assert store.count(experiment="other") == 1


@pytest.mark.parametrize("where, column, problem", [
    ("metrics.test.f1 >", 18, "expected a value"),
    ("metrics.test f1 > 0.9", 14, "expected an operator"),
    ("params.model = rf", 16, "expected a value"),
    ("params = 'rf'", 1, "params needs a key"),
    ("foo.bar = 1", 1, "unknown field"),
    ("params.model = 'rf' and", 24, "expected a field name"),
    ("(params.model = 'rf'", 21, "expected ')'"),
    ("params.model = 'rf')", 20, "unexpected ')'"),
    ("metrics.f1 > 'high'", 12, "metrics are numbers"),
    ("status = 'done'", 8, "status 'done' is not one of"),
    ("started > 'yesterday'", 9, "not a date"),
    ("params.x @ 3", 10, "unexpected character '@'"),
    ("params.x like 3", 10, "like needs a quoted pattern"),
])
def test_bad_filter_points_at_the_offending_token(store, where, column, problem):
    with pytest.raises(QueryError) as caught:
        store.runs(where=where)
    message = str(caught.value)
    assert f"column {column} " in message and problem in message
    assert "\n" not in message


@pytest.mark.parametrize("order", ["", "-", "nope", "params"])
def test_bad_order_is_a_query_error(store, runs, order):
    with pytest.raises(QueryError):
        store.runs(order_by=order)


def test_quotes_inside_strings_are_doubled_and_never_reach_sql_as_code(store, runs):
    store.create_run("exp", params={"model": "it's; DROP TABLE runs; --"})
    assert len(store.runs(where="params.model = 'it''s; DROP TABLE runs; --'")) == 1
    assert store.count() == 5
