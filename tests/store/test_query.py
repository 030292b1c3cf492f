"""The filter language: what it selects, how it sorts, and how it refuses bad input."""

from __future__ import annotations

import time

import pytest

from nbtrack.errors import QueryError, UsageError
from nbtrack.store.query import MAX_DEPTH, MAX_FILTER_CHARS, MAX_ORDER_TERMS, MAX_TERMS, MAX_VALUES
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
        if label.startswith("rf"):
            store.add_record(run_id, "data", "train", {"rows": 200 if label == "rf-good" else 100, "columns": 3,
                                                       "fingerprint": "abc"})
        store.end_run(run_id, "finished" if label != "gb" else "failed")
        ids[label] = run_id
    store.set_note(ids["rf-bad"], "the **Baseline** to beat")
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
    ("metrics.loss.min < 0.2", ["rf-good"]),
    ("metrics.test.f1.max >= 0.91 and metrics.test.f1.min < 0.95", ["gb"]),
    ("notes like '%baseline%'", ["rf-bad"]),
    ("data.train.rows > 150", ["rf-good"]),
    ("data.train.fingerprint = 'abc'", ["rf-bad", "rf-good"]),
    ("notebook like '%train%'", []),
])
def test_filter_selects_matching_runs(store, runs, where, expected):
    assert selected(store, runs, where) == expected


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_filter_selects_every_run(store, runs, blank):
    assert len(store.runs(where=blank)) == 4


def test_order_by_metric_descending_puts_missing_last(store, runs):
    order = [r.name for r in store.runs(order_by="-metrics.test.f1")]
    assert order == ["rf-good", "gb", "rf-bad", "logreg"]


@pytest.mark.parametrize("where, message", [
    ("params.modle = 'rf'", "unknown key params.modle; did you mean params.model? No run in this store has"),
    ("metrics.test.f2 > 0.5", "unknown key metrics.test.f2; did you mean metrics.test.f1?"),
    ("tags.stag = 'dev'", "unknown key tags.stag; did you mean tags.stage?"),
    ("metrics.zzzzzz > 0", ("unknown key metrics.zzzzzz: no run in this store has it; check the spelling "
                            "(metrics keys: loss, test.f1)")),
])
def test_filter_naming_a_key_no_run_has_is_refused_with_the_nearest_key(store, runs, where, message):
    with pytest.raises(QueryError) as caught:
        store.runs(where=where)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_metric_key_ending_in_min_is_written_in_backticks_and_its_summary_after_them(store):
    from nbtrack.store.query import Field, field_text, parse_field

    run_id = store.create_run("exp")
    store.log_metrics(run_id, [("loss.min", 0, 5.0, 0), ("loss.min", 1, 2.0, 0), ("loss", 0, 7.0, 0)])
    assert parse_field("metrics.loss.min") == Field("metrics", "loss", "min")
    assert field_text(Field("metrics", "loss.min")) == "metrics.`loss.min`"
    assert field_text(Field("metrics", "loss.min", "max")) == "metrics.`loss.min`.max"
    assert [r.id for r in store.runs(where="metrics.`loss.min` = 2")] == [run_id]
    assert [r.id for r in store.runs(where="metrics.`loss.min`.max = 5")] == [run_id]
    assert store.runs(where="metrics.loss.min = 2") == []  # loss's smallest value is 7


def test_archived_runs_are_hidden_unless_asked_for(store, runs):
    report = store.archive_runs([runs["gb"]])
    assert report.done == [runs["gb"]] and report.refused == []
    assert runs["gb"] not in [r.id for r in store.runs()] and store.count() == 3
    assert [r.id for r in store.runs(archived="only")] == [runs["gb"]]
    assert store.count(archived="include") == 4 and store.run(runs["gb"]).archived
    store.restore_runs([runs["gb"]])
    assert store.count() == 4 and not store.run(runs["gb"]).to_dict()["archived"]
    with pytest.raises(UsageError, match="archived is one of hide, include, only"):
        store.runs(archived="all")


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


# -- bounds: every query is refused before any SQL once it passes one (issue 15) ----------------------

def nested(depth: int, opener: str = "(", closer: str = ")") -> str:
    return opener * depth + "params.model = 'rf'" + closer * depth


@pytest.mark.parametrize("count", [MAX_ORDER_TERMS + 1, 32, 40])
def test_more_order_terms_than_the_bound_are_a_query_error(store, runs, count):
    # 32 repeats of params.C were one LEFT JOIN each and segfaulted Debian 12's SQLite 3.40.1.
    with pytest.raises(QueryError, match=f"more than {MAX_ORDER_TERMS}; sort by at most"):
        store.runs(order_by=["params.C"] * count)


def test_order_terms_up_to_the_bound_sort_and_repeats_change_nothing(store, runs):
    distinct = ["-params.depth", "params.C", "-metrics.test.f1", "tags.stage", "status", "name", "-started", "id"]
    assert len(distinct) == MAX_ORDER_TERMS
    assert [r.name for r in store.runs(order_by=distinct)] == ["rf-good", "rf-bad", "gb", "logreg"]
    repeated = ["-metrics.test.f1", "metrics.test.f1"] * (MAX_ORDER_TERMS // 2)
    assert [r.name for r in store.runs(order_by=repeated)] == ["rf-good", "gb", "rf-bad", "logreg"]


@pytest.mark.parametrize("where", [
    nested(MAX_DEPTH + 1), nested(2000), nested(MAX_DEPTH + 1, "not ", ""), nested(3000, "not ", ""),
    nested(MAX_DEPTH // 2 + 1, "not (", ")"),
])
def test_nesting_deeper_than_the_bound_is_a_query_error(store, runs, where):
    with pytest.raises(QueryError, match=f"nest more than {MAX_DEPTH} levels deep") as caught:
        store.runs(where=where)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


@pytest.mark.parametrize("where", [nested(MAX_DEPTH), nested(MAX_DEPTH, "not ", ""), nested(MAX_DEPTH // 2, "not (", ")")])
def test_nesting_up_to_the_bound_selects_runs(store, runs, where):
    assert len(store.runs(where=where)) in (2, 3)  # the rf runs, or every run with a model but rf


@pytest.mark.parametrize("joiner, count", [(" or ", MAX_TERMS + 1), (" or ", 1500), (" and ", 1500)])
def test_more_comparisons_than_the_bound_are_a_query_error(store, runs, joiner, count):
    with pytest.raises(QueryError, match=f"more than {MAX_TERMS} comparisons"):
        store.runs(where=joiner.join(["params.model = 'rf'"] * count))


def test_comparisons_up_to_the_bound_select_runs(store, runs):
    where = " or ".join(f"params.depth = {n}" for n in range(MAX_TERMS))
    assert selected(store, runs, where) == ["gb", "rf-bad", "rf-good"]


def test_more_values_than_the_bound_are_a_query_error_and_up_to_it_select_runs(store, runs):
    values = ", ".join(str(n) for n in range(MAX_VALUES))
    assert selected(store, runs, f"params.depth in ({values})") == ["gb", "rf-bad", "rf-good"]
    with pytest.raises(QueryError, match=f"more than {MAX_VALUES} values"):
        store.runs(where=f"params.depth in ({values}, {MAX_VALUES})")
    with pytest.raises(QueryError, match=f"more than {MAX_VALUES} values"):
        half = ", ".join(["1"] * (MAX_VALUES // 2 + 1))
        store.runs(where=f"params.depth in ({half}) or params.C in ({half})")


def test_a_filter_longer_than_the_bound_is_a_short_query_error(store, runs):
    where = "params.model = '" + "x" * MAX_FILTER_CHARS + "'"
    with pytest.raises(QueryError, match=f"longer than {MAX_FILTER_CHARS} characters") as caught:
        store.runs(where=where)
    assert len(str(caught.value)) < 300


def test_a_long_run_of_digits_is_refused_in_linear_time(store, runs):
    # The number pattern backtracked over every split of the digits: 20,000 of them took ~30 s.
    started = time.perf_counter()
    with pytest.raises(QueryError, match="unexpected character"):
        store.runs(where="9" * 20_000 + "x")
    assert time.perf_counter() - started < 2
