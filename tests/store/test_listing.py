"""Listing in bulk: every run gets its own params, summaries, tags and artifacts, whichever read path
serves it, and compare() turns the runs into the same DataFrame whatever their shape."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event, select, text, update

import nbtrack
from nbtrack.records import MetricSummary, NotebookRef, RunError, RunRecord, RunStatus, new_run_id
from nbtrack.store import digest, listing, schema, upgrades

NAN = float("nan")


@pytest.fixture
def seven(store):
    """Seven runs of varied shape, oldest first; returns their ids."""
    ids = []
    for i in range(7):
        params = {"model": ["rf", "gb"][i % 2], "i": i, "C": 0.5 * i, "on": i % 3 == 0}
        if i == 2:
            params["layers"] = [64, i]
            params["opts"] = {"b": 1, "a": [i]}
        if i == 5:
            params["note"] = None
        run_id = store.create_run("exp" if i < 5 else "other", run_id=new_run_id(1_750_000_000 + i),
                                  name=f"r{i}", params=params, tags={"k": str(i)} if i % 2 else None)
        points = [("loss", 0, 1.0 + i, 1), ("loss", 1, 0.5 / (i + 1), 2)]
        if i != 4:
            points.append(("f1", 0, i / 10, 3))
        if i == 3:
            points.append(("bad", 0, NAN, 4))
        store.log_metrics(run_id, points)
        if i == 1:
            store.add_artifact(run_id, "a.txt", data=b"a")
        if i == 6:
            store.end_run(run_id, RunStatus.FAILED, RunError(2, "ValueError", "bad value"))
        elif i != 0:
            store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def expected_params(i):
    params = {"model": ["rf", "gb"][i % 2], "i": i, "C": 0.5 * i, "on": i % 3 == 0}
    if i == 2:
        params.update(layers=[64, i], opts={"b": 1, "a": [i]})
    if i == 5:
        params["note"] = None
    return params


def check(run, ids):
    i = ids.index(run.id)
    assert run.params == expected_params(i)
    types = {k: type(v) for k, v in expected_params(i).items()}
    assert {k: type(v) for k, v in run.params.items()} == types
    assert list(run.params) == sorted(run.params)  # key order, as every read path gives it
    assert run.tags == ({"k": str(i)} if i % 2 else {})
    assert run.artifacts == ({"a.txt": run.artifacts.get("a.txt")} if i == 1 else {})
    assert run.experiment == ("exp" if i < 5 else "other") and run.name == f"r{i}"
    assert run.status is ([RunStatus.RUNNING] + [RunStatus.FINISHED] * 5 + [RunStatus.FAILED])[i]
    metrics = run.metrics  # read before summaries are built, then compared with them
    assert run.summaries["loss"] == MetricSummary(0.5 / (i + 1), 0.5 / (i + 1), 1.0 + i, 1, 2)
    assert metrics == {k: s.last for k, s in run.summaries.items() if k != "bad"} | (
        {"bad": metrics["bad"]} if i == 3 else {})
    keys = ["loss"] + (["f1"] if i != 4 else []) + (["bad"] if i == 3 else [])
    assert sorted(run.summaries) == sorted(keys)
    if i == 3:
        assert math.isnan(metrics["bad"]) and math.isnan(run.summaries["bad"].max)
    assert run.error == (RunError(2, "ValueError", "bad value") if i == 6 else None)


@pytest.mark.parametrize("digests", [True, False], ids=["digests", "tables"])
@pytest.mark.parametrize("chunk", [2, 900])
def test_every_run_reads_back_its_own_details_through_scans_and_chunked_lookups(store, seven, monkeypatch,
                                                                                chunk, digests):
    # With 2 pks per IN list: all seven runs are read by one scan per table, three of them
    # by IN lists of two and one; with 900, by single IN lists. Ended runs are read from
    # their digests; without them (a store before 0004), from the params and summary tables.
    monkeypatch.setattr(listing, "_IN_LIST_LIMIT", chunk)
    with store.engine.begin() as conn:
        found = conn.execute(select(schema.runs.c.id).where(schema.runs.c.digest.is_not(None))).scalars()
        assert sorted(found) == sorted(seven[1:])  # every ended run has one, the running one none
        if not digests:
            conn.execute(update(schema.runs).values(digest=None))
    everything = store.runs()
    assert [r.id for r in everything] == seven[::-1]
    for run in everything:
        check(run, seven)
    some = store.runs(where="params.i >= 2 and params.i <= 4", order_by="params.i")
    assert [r.id for r in some] == seven[2:5]
    for run in some + store.runs(experiment="other") + store.runs(limit=3, offset=2):
        check(run, seven)
    assert [r.id for r in store.runs(limit=3, offset=2)] == seven[::-1][2:5]
    assert store.runs(where="params.i > 100") == []
    check(store.run(seven[3][:8]), seven)


@pytest.mark.parametrize("chunk", [2, 900])
def test_notebook_error_note_and_archived_mark_are_read_later_for_the_whole_listing(store, seven, monkeypatch,
                                                                                    chunk):
    # A listing reads these four fields for all of its runs in one go, when one of them is first
    # asked for: by a scan when the listing is most of the store, else by IN lists (two pks each).
    monkeypatch.setattr(listing, "_IN_LIST_LIMIT", chunk)
    notebook = NotebookRef("nb/train.ipynb", "ab" * 32)
    with_notebook = store.create_run("exp", run_id=new_run_id(1_750_000_100), notebook=notebook)
    store.set_note(seven[2], "**kept** <b>as text</b>")
    store.archive_runs([seven[4]])
    every = store.runs(archived="include")
    some = store.runs(where="params.i >= 2", archived="include")
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listen)
    try:
        assert [r.id for r in every[:2]] and not statements  # id, name, params...: no further read
        assert every[0].notebook == notebook and every[0].id == with_notebook
        assert len(statements) == 1  # every run's at once
        by_id = {r.id: r for r in every}
        assert by_id[seven[2]].note == "**kept** <b>as text</b>" and by_id[seven[3]].note == ""
        assert [by_id[i].archived for i in seven] == [False] * 4 + [True, False, False]
        assert by_id[seven[6]].error == RunError(2, "ValueError", "bad value") and by_id[seven[5]].error is None
        assert len(statements) == 1
        store.delete_runs([seven[3]])  # gone before its listing asked: it reads as having none
        assert [(r.id, r.note, r.archived, r.notebook) for r in some if r.id in seven[2:5]] == [
            (seven[4], "", True, None), (seven[3], "", False, None), (seven[2], "**kept** <b>as text</b>", False, None)]
    finally:
        event.remove(store.engine, "before_cursor_execute", listen)


def test_a_listed_run_equals_reads_and_dumps_like_one_built_by_hand(store, seven):
    run = store.run(seven[1])
    text = repr(run)  # builds the summaries on the way
    assert "summaries={" in text and "MetricSummary(last=" in text
    assert run == store.run(seven[1]) and run != store.run(seven[2])
    dumped = store.run(seven[1]).to_dict()
    assert dumped["summaries"]["loss"] == {"last": 0.25, "min": 0.25, "max": 2.0, "step": 1, "count": 2}
    assert dumped["metrics"] == {"f1": 0.1, "loss": 0.25} and dumped["params"]["model"] == "gb"
    containers = [r.params["opts"] for r in store.runs(where="params.i = 2")]
    containers[0]["a"].append("mine")  # each run owns its containers
    assert store.run(seven[2]).params["opts"] == {"b": 1, "a": [2]}
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = run.nope


def test_compare_builds_one_typed_column_per_param_and_metric(store, seven):
    runs = store.runs(order_by="params.i")
    frame = nbtrack.compare(runs)
    assert list(frame.index) == seven and frame.index.name == "id"
    assert list(frame.columns) == [
        "experiment", "name", "status", "started_at", "duration",
        "params.C", "params.i", "params.layers", "params.model", "params.note", "params.on", "params.opts",
        "metrics.bad", "metrics.f1", "metrics.loss",
    ]
    assert frame["params.i"].dtype == np.int64 and list(frame["params.i"]) == list(range(7))
    assert frame["params.C"].dtype == np.float64
    assert frame["params.on"].tolist() == [True, False, False, True, False, False, True]
    assert frame["params.layers"].tolist()[2] == "[64, 2]" and pd.isna(frame["params.layers"].iloc[0])
    assert frame["params.opts"].iloc[2] == '{"a": [2], "b": 1}'
    assert frame["params.note"].isna().all()
    assert frame["status"].tolist() == ["running"] + ["finished"] * 5 + ["failed"]
    assert str(frame["started_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["started_at"].iloc[0] == pd.Timestamp(runs[0].started_at, unit="s", tz="UTC")
    assert pd.isna(frame["duration"].iloc[0]) and frame["duration"].iloc[1] >= 0
    for column in ("metrics.bad", "metrics.f1", "metrics.loss"):
        assert frame[column].dtype == np.float64
    assert frame["metrics.loss"].tolist() == [0.5 / (i + 1) for i in range(7)]
    assert pd.isna(frame["metrics.f1"].iloc[4]) and frame["metrics.f1"].iloc[3] == 0.3
    assert frame["metrics.bad"].isna().all()
    assert nbtrack.compare(runs, metrics="max")["metrics.loss"].tolist() == [1.0 + i for i in range(7)]
    assert nbtrack.compare(runs, metrics="min")["metrics.f1"].iloc[5] == 0.5
    # Runs built by hand (not read from a store) give the same frame.
    by_hand = [RunRecord(**{f: getattr(r, f) for f in r.__dataclass_fields__}) for r in runs]
    pd.testing.assert_frame_equal(nbtrack.compare(by_hand), frame)
    empty = nbtrack.compare([])
    assert list(empty.columns) == ["experiment", "name", "status", "started_at", "duration"] and empty.empty


def test_a_store_from_before_0003_gets_covering_filter_indexes_and_keeps_its_runs(tmp_path):
    from sqlalchemy import text

    from nbtrack.store import open_store, upgrades

    old = open_store(tmp_path / "s")
    run_id = old.create_run("e", params={"model": "rf"}, tags={"stage": "dev"})
    old.log_metrics(run_id, [("f1", 0, 0.95, 0)])
    with old.engine.begin() as conn:  # put the store back as 0002 left it
        for name, columns in [("ix_params_key_num", "params (key, num)"),
                              ("ix_params_key_text", "params (key, text)"),
                              ("ix_summaries_key_last", "metric_summaries (key_pk, last)"),
                              ("ix_tags_key_value", "tags (key, value)")]:
            conn.execute(text(f"DROP INDEX {name}_run"))
            conn.execute(text(f"CREATE INDEX {name} ON {columns}"))
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0003_covering_filter_indexes'"))

    assert upgrades.migrate(old.engine) == ["0003_covering_filter_indexes"]  # what opening it runs
    store = old
    where = "params.model = 'rf' and metrics.f1 > 0.9 and tags.stage = 'dev'"
    assert [r.id for r in store.runs(where=where)] == [run_id]
    with store.engine.connect() as conn:
        indexes = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"
                                        " AND name LIKE 'ix_%'")).scalars())
        query = store._select_runs(where, None, None)
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert {"ix_params_key_text_run", "ix_params_key_num_run", "ix_summaries_key_last_run",
            "ix_tags_key_value_run"} <= indexes
    assert not indexes & {"ix_params_key_text", "ix_summaries_key_last", "ix_tags_key_value"}
    for index in ("ix_params_key_text_run", "ix_summaries_key_last_run", "ix_tags_key_value_run"):
        assert f"COVERING INDEX {index}" in plan, plan


def test_an_infinite_summary_leaves_the_run_without_a_digest_and_it_lists_from_the_tables(store):
    run_id = store.create_run("e", params={"lr": 0.1})
    store.log_metrics(run_id, [("loss", 0, 1.0, 0), ("loss", 1, math.inf, 1), ("gain", 0, -math.inf, 0)])
    store.end_run(run_id, "finished")
    with store.engine.begin() as conn:
        assert conn.execute(select(schema.runs.c.digest)).scalar() is None  # JSON has no infinity
    run = store.run(run_id)
    assert run.params == {"lr": 0.1} and run.metrics == {"gain": -math.inf, "loss": math.inf}
    assert run.summaries["loss"] == MetricSummary(math.inf, 1.0, math.inf, 1, 2)


def test_a_store_from_before_0004_gets_the_digests_of_its_ended_runs(store):
    old = store
    ended = old.create_run("e", params={"model": "rf", "layers": [2, 3]})
    old.log_metrics(ended, [("f1", 0, 0.5, 0), ("f1", 3, NAN, 1)])
    old.end_run(ended, "finished")
    running = old.create_run("e", params={"model": "gb"})
    before = {r.id: (r.params, r.summaries) for r in old.runs()}
    with old.engine.begin() as conn:  # put the store back as 0003 left it
        conn.execute(text("ALTER TABLE runs DROP COLUMN digest"))
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0004_run_digests'"))

    assert upgrades.migrate(old.engine) == ["0004_run_digests"]  # what opening it runs
    with old.engine.begin() as conn:
        texts = dict(conn.execute(select(schema.runs.c.id, schema.runs.c.digest)).all())
    assert texts[running] is None
    params, last = digest.read(texts[ended])
    assert params == {"layers": [2, 3], "model": "rf"} and list(last) == ["f1"] and last["f1"] is None
    assert digest.summaries(texts[ended]) == [0.5, 0.5, 3, 2]  # min, max, step, count: NaN is left out of min and max
    after = {r.id: (r.params, r.summaries) for r in old.runs()}
    assert after.keys() == before.keys()
    assert after[ended][0] == before[ended][0] and after[ended][1]["f1"].count == 2
    assert math.isnan(after[ended][1]["f1"].last)


def test_a_store_from_before_0005_moves_its_points_into_chunks(store):
    from sqlalchemy import inspect

    from nbtrack.store import chunks

    old = store
    first = old.create_run("e")
    second = old.create_run("e")
    points = {(first, "loss"): [(s, 1 / (s + 1), 1000 + s) for s in range(chunks.CHUNK_POINTS * 2 + 5)],
              (first, "acc"): [(0, NAN, 1), (7, 0.5, 2)],
              (second, "loss"): [(3, 2.0, 9)]}
    for (run_id, key), series in points.items():
        old.log_metrics(run_id, [(key, s, v, t) for s, v, t in series])
    old.end_run(first, "finished")
    with old.engine.begin() as conn:  # put the store back as 0004 left it: a row per point
        schema.metrics.create(conn)
        for (run_id, key), series in points.items():
            run_pk = conn.execute(select(schema.runs.c.pk).where(schema.runs.c.id == run_id)).scalar_one()
            key_pk = conn.execute(select(schema.metric_keys.c.pk).where(schema.metric_keys.c.name == key)).scalar_one()
            conn.execute(schema.metrics.insert(), [
                {"run_pk": run_pk, "key_pk": key_pk, "step": s, "value": None if v != v else v, "ts": t}
                for s, v, t in series])
        schema.metric_chunks.drop(conn)
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0005_metric_chunks'"))

    assert upgrades.migrate(old.engine) == ["0005_metric_chunks"]  # what opening it runs
    for (run_id, key), series in points.items():
        read = old.metric_history(run_id, key)
        assert [(s, t) for s, _v, t in read] == [(s, t) for s, _v, t in series]
        assert all(math.isnan(a) if b != b else a == b for (_s, a, _t), (_s2, b, _t2) in zip(read, series))
    with old.engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        counts = conn.execute(select(schema.metric_chunks.c.count).order_by(schema.metric_chunks.c.run_pk,
                                                                             schema.metric_chunks.c.key_pk,
                                                                             schema.metric_chunks.c.first_step))
        assert "metrics" not in tables and list(counts.scalars()) == [chunks.CHUNK_POINTS] * 2 + [5, 2, 1]


def test_a_store_from_before_0006_gets_listing_indexes_and_digests_with_summaries_apart(store, seven):
    from sqlalchemy import inspect

    before = {r.id: (r.params, r.summaries) for r in store.runs()}
    with store.engine.begin() as conn:  # put the store back as 0005 left it
        for index in ("ix_runs_started_id", "ix_runs_experiment_started_id"):
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(text("CREATE INDEX ix_runs_started ON runs (started_at)"))
        conn.execute(text("CREATE INDEX ix_runs_experiment_started ON runs (experiment_pk, started_at)"))
        for pk, found in conn.execute(select(schema.runs.c.pk, schema.runs.c.digest)).all():
            if found is not None:  # the one-document form of 0004
                head, _, rest = found.rpartition("\n")
                conn.execute(update(schema.runs).where(schema.runs.c.pk == pk)
                             .values(digest=head[:-1] + ',"summaries":' + rest + "}"))
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name >= '0006'"))

    assert upgrades.migrate(store.engine) == ["0006_listing_order_indexes", "0007_digest_summaries_apart",
                                              "0008_run_heartbeat_interval", "0009_run_workspace",
                                              "0010_alias_mover"]
    with store.engine.begin() as conn:
        indexes = {index["name"] for index in inspect(conn).get_indexes("runs")}
        texts = [t for t in conn.execute(select(schema.runs.c.digest)).scalars() if t is not None]  # run 0 is running
    assert {"ix_runs_started_id", "ix_runs_experiment_started_id"} <= indexes
    assert not {"ix_runs_started", "ix_runs_experiment_started"} & indexes
    assert len(texts) == 6 and all('"summaries"' not in t and "\n" in t for t in texts)
    after = {r.id: (r.params, r.summaries) for r in store.runs()}
    assert after.keys() == before.keys()
    for run_id, (params, summaries) in before.items():
        assert after[run_id][0] == params
        assert {k: repr(s) for k, s in after[run_id][1].items()} == {k: repr(s) for k, s in summaries.items()}
