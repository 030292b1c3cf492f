"""The store's side of the runs workspace: names, notes, archive/restore/delete, saved views, the runs table."""

from __future__ import annotations

import pytest

from nbtrack.errors import QueryError, RunNotFound, UsageError, ViewNotFound
from nbtrack.records import memorable_name, new_run_id


def finished(store, experiment="exp", *, params=None, metrics=None, tags=None, name=None, offset=0, data=None):
    run_id = store.create_run(experiment, run_id=new_run_id(1_750_000_000 + offset), name=name,
                              params=params or {}, tags=tags or {})
    for key, values in (metrics or {}).items():
        store.log_metrics(run_id, [(key, step, value, 0) for step, value in enumerate(values)])
    for name_, body in (data or {}).items():
        store.add_record(run_id, "data", name_, body)
    store.end_run(run_id, "finished")
    return run_id


@pytest.fixture
def sweep_runs(store):
    """Six runs of two models over three C values, each with a loss series and a test f1."""
    ids = []
    for i, (model, c) in enumerate([(m, c) for m in ("rf", "gb") for c in (0.1, 1.0, 10.0)]):
        f1 = {"rf": 0.8, "gb": 0.9}[model] + c / 100
        ids.append(finished(store, params={"model": model, "C": c, "seed": 7},
                            metrics={"loss": [1.0, 0.5 - i / 100, 0.6], "test.f1": [f1]},
                            tags={"sweep": "S1" if model == "rf" else "S2"}, offset=i,
                            data={"train": {"rows": 100 + i, "columns": 4, "fingerprint": "ab" * 32}}))
    return ids


def test_a_run_created_without_a_name_gets_a_memorable_one_from_its_id(store):
    run_id = store.create_run("exp")
    name = store.run(run_id).name
    assert name == memorable_name(run_id) and len(name.split("-")) == 3
    assert store.run(run_id).to_dict()["name"] == name
    assert [r.id for r in store.runs(where=f"name = '{name}'")] == [run_id]


def test_rename_and_note_change_after_the_run_ended_and_are_searchable(store):
    run_id = finished(store, name="first")
    store.rename(run_id, "  rf baseline  ")
    store.set_note(run_id, "# Why\nthe **baseline** to beat")
    run = store.run(run_id)
    assert run.name == "rf baseline" and run.note.startswith("# Why")
    assert run.to_dict()["note"] == "# Why\nthe **baseline** to beat"
    assert [r.id for r in store.runs(where="notes like '%BASELINE%'")] == [run_id]
    store.set_note(run_id, "")
    assert store.run(run_id).to_dict()["note"] == ""


def test_a_stored_run_is_renamed_and_annotated_in_place(store):
    run = store.run(finished(store))
    run.rename("gb tuned")
    run.set_note("*better*")
    assert (run.status, run.name, run.note) == ("finished", "gb tuned", "*better*")
    assert (store.run(run.id).name, store.run(run.id).note) == ("gb tuned", "*better*")


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 201, 3])
def test_a_bad_name_is_refused_and_the_old_one_kept(store, name):
    run_id = finished(store, name="kept")
    with pytest.raises(UsageError, match="a run name is one line of 1 to 200 printable characters"):
        store.rename(run_id, name)
    assert store.run(run_id).name == "kept"


def test_a_note_past_its_bound_is_refused(store):
    run_id = finished(store)
    with pytest.raises(UsageError, match="a run note is Markdown text of at most 100000 characters"):
        store.set_note(run_id, "x" * 100_001)


def test_delete_removes_the_rows_and_refuses_running_runs_and_model_versions(store):
    kept = finished(store, params={"a": 1}, metrics={"loss": [1.0]}, offset=1)
    doomed = finished(store, params={"a": 2}, metrics={"loss": [2.0]}, tags={"t": "x"}, offset=2)
    running = store.create_run("exp")
    store.models.register("churn", kept)
    report = store.delete_runs([doomed, kept, running, "ZZZZZZZZ"])
    assert report.done == [doomed]
    reasons = {r["id"]: r["reason"] for r in report.refused}
    assert "is model churn v1" in reasons[kept] and "archive it instead" in reasons[kept]
    assert "still running" in reasons[running]
    assert "ZZZZZZZZ" in reasons
    with pytest.raises(RunNotFound):
        store.run(doomed)
    assert {r.id for r in store.runs()} == {kept, running}
    assert store.metric_history(kept, "loss") and store.count("params.a = 2") == 0


def test_tag_action_sets_and_deletes_tags_on_many_runs(store, sweep_runs):
    report = store.act("tag", sweep_runs[:2], tags={"stage": "review"}, delete_tags=["sweep"])
    assert report.done == sorted(sweep_runs[:2])
    assert store.run(sweep_runs[0]).tags == {"stage": "review"}
    assert store.run(sweep_runs[3]).tags == {"sweep": "S2"}
    with pytest.raises(UsageError, match="is not one of archive, restore, delete, tag"):
        store.act("explode", sweep_runs)
    with pytest.raises(UsageError, match="more than 10000"):
        store.act("archive", ["X"] * 10_001)


def test_saved_views_are_checked_kept_listed_and_deleted(store, sweep_runs):
    view = store.save_view("best rf", {"where": "params.model = 'rf'", "columns": ["params.C", "metrics.loss.min"],
                                       "order": ["-metrics.test.f1"], "group": "params.C", "archived": "include"})
    assert view["name"] == "best rf" and view["columns"] == ["params.C", "metrics.loss.min"]
    assert [v["name"] for v in store.views()] == ["best rf"] and store.view("best rf")["group"] == "params.C"
    assert view["pinned"] == [] and view["widths"] == {}  # the table's own layout unless saved
    store.save_view("best rf", {"where": ""})  # replaced
    assert store.view("best rf")["where"] == "" and store.view("best rf")["archived"] == "hide"
    laid = store.save_view("laid out", {"columns": ["params.C", "metrics.loss.min"], "pinned": ["metrics.loss.min"],
                                        "widths": {"params.C": 180, "status": 92}})
    assert store.view("laid out")["pinned"] == ["metrics.loss.min"] == laid["pinned"]
    assert store.view("laid out")["widths"] == {"params.C": 180, "status": 92}
    store.delete_view("laid out")
    for name, body, problem in [
        ("../x", {}, "a view name is 1 to 100"), ("ok", {"where": "params.model ="}, "invalid filter"),
        ("ok", {"order": ["-"]}, "invalid order"), ("ok", {"columns": ["foo.bar"]}, "unknown field"),
        ("ok", {"group": "metrics.loss"}, "rows group by a param"), ("ok", {"colour": "red"}, "has no part"),
        ("ok", {"columns": ["params.a"] * 201}, "at most 200"), ("ok", {"archived": "all"}, "archived is one of"),
        ("ok", {"pinned": ["foo.bar"]}, "unknown field"), ("ok", {"pinned": "params.C"}, "list of at most"),
        ("ok", {"widths": {"params.C": 10}}, "whole pixels from 48"), ("ok", {"widths": {"params.C": 1e9}}, "whole pixels"),
        ("ok", {"widths": {"params.C": True}}, "whole pixels"), ("ok", {"widths": ["params.C"]}, "whole pixels"),
        ("ok", {"widths": {f"params.a{i}": 100 for i in range(201)}}, "whole pixels"),
        ("ok", {"widths": {"foo.bar": 100}}, "unknown field"),
    ]:
        with pytest.raises(UsageError, match=problem):
            store.save_view(name, body)
    store.delete_view("best rf")
    with pytest.raises(ViewNotFound):
        store.delete_view("best rf")
    assert store.views() == []


def test_table_page_has_chosen_columns_sorted_on_the_server_with_the_total(store, sweep_runs):
    page = store.table(columns=["params.model", "params.C", "metrics.loss", "metrics.loss.min", "tags.sweep",
                                "data.train.rows", "duration", "status"],
                       order=["-metrics.loss.min"], limit=2, offset=1)
    assert page["total"] == 6 and page["offset"] == 1 and page["limit"] == 2
    assert [row["id"] for row in page["rows"]] == [sweep_runs[1], sweep_runs[2]]
    row = page["rows"][0]
    assert row["values"] == {"params.model": "rf", "params.C": 1.0, "metrics.loss": 0.6, "metrics.loss.min": 0.49,
                             "tags.sweep": "S1", "data.train.rows": 101, "duration": row["duration"],
                             "status": "finished"}
    assert row["name"] and row["archived"] is False and row["note_excerpt"] == ""
    by_data = store.table(columns=["data.train.rows"], order=["-data.train.rows"], limit=1)
    assert by_data["rows"][0]["id"] == sweep_runs[5]


def test_fields_list_every_key_with_common_values_and_default_columns_that_vary(store, sweep_runs):
    finished(store, "other", params={"batch_size": 32}, metrics={"val.acc": [0.5]}, offset=50)
    found = store.fields(experiment="exp")
    by_field = {f["field"]: f for f in found["fields"]}
    assert by_field["params.model"]["values"] == ["gb", "rf"] and by_field["params.model"]["kind"] == "param"
    assert {"metrics.loss", "metrics.loss.min", "metrics.loss.max", "metrics.test.f1", "tags.sweep",
            "data.train.rows", "data.train.fingerprint", "status", "duration"} <= set(by_field)
    assert "params.batch_size" not in by_field  # another experiment's
    # seed never varies; test.* metrics come before the rest
    assert found["default_columns"][:2] == ["params.C", "params.model"]
    assert found["default_columns"][2] == "metrics.test.f1" and "params.seed" not in found["default_columns"]
    assert store.fields(where="params.model = 'rf' and params.C = 0.1")["default_columns"][0] == "params.C"


def test_groups_count_and_average_numeric_columns_in_sql_with_a_where_per_group(store, sweep_runs):
    found = store.groups(group="params.model", columns=["metrics.test.f1", "params.C", "tags.sweep"])
    assert found["group"] == "params.model"
    groups = {g["value"]: g for g in found["groups"]}
    assert groups["rf"]["count"] == 3 and set(groups["rf"]["stats"]) == {"metrics.test.f1", "params.C"}
    stats = groups["gb"]["stats"]["metrics.test.f1"]
    assert stats["count"] == 3 and stats["mean"] == pytest.approx((0.901 + 0.91 + 1.0) / 3)
    assert stats["std"] == pytest.approx(0.0546, abs=1e-3)
    assert [r.id for r in store.runs(where=groups["rf"]["where"])] == list(reversed(sweep_runs[:3]))
    by_c = store.groups(where="params.model = 'gb'", group="params.C", columns=[])
    assert {g["value"]: g["count"] for g in by_c["groups"]} == {0.1: 1, 1.0: 1, 10.0: 1}
    assert store.count(next(g["where"] for g in by_c["groups"] if g["value"] == 0.1)) == 1
    by_sweep = store.groups(group="tags.sweep")
    assert {g["value"]: g["count"] for g in by_sweep["groups"]} == {"S1": 3, "S2": 3}
    with pytest.raises(QueryError, match="rows group by a param"):
        store.groups(group="metrics.loss")


def test_a_store_from_before_0009_gets_names_notes_archive_and_views(store, store_uri):
    from sqlalchemy import text

    from nbtrack.store import open_store, upgrades

    run_id = finished(store, name="given")
    nameless = finished(store, offset=1)
    with store.engine.begin() as conn:  # as an nbtrack before step 0009 left it
        conn.execute(text("UPDATE runs SET name = NULL WHERE id = :id"), {"id": nameless})
        conn.execute(text("ALTER TABLE runs DROP COLUMN note"))
        conn.execute(text("ALTER TABLE runs DROP COLUMN archived_at"))
        conn.execute(text("DROP TABLE saved_views"))
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0009_run_workspace'"))
    assert upgrades.migrate(store.engine) == ["0009_run_workspace"]
    reopened = open_store(store_uri)
    assert reopened.run(run_id).name == "given" and reopened.run(nameless).name == memorable_name(nameless)
    reopened.set_note(nameless, "kept")
    reopened.archive_runs([nameless])
    assert reopened.run(nameless).archived and reopened.save_view("v", {})["name"] == "v"


def test_a_store_from_before_0010_keeps_its_alias_history_and_records_who_moves_an_alias_from_then_on(
        store, store_uri):
    from sqlalchemy import text

    from nbtrack.store import open_store, upgrades

    run_id = finished(store, name="model run")
    store.models.register("churn", run_id)
    store.models.promote("churn", 1, "champion", by="ana")
    with store.engine.begin() as conn:  # as an nbtrack before step 0010 left it
        conn.execute(text("ALTER TABLE alias_moves DROP COLUMN moved_by"))
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0010_alias_mover'"))
    assert upgrades.migrate(store.engine) == ["0010_alias_mover"]
    reopened = open_store(store_uri)
    reopened.models.promote("churn", 1, "staging", by="bo")
    assert [(m.alias, m.moved_by) for m in reopened.models.history("churn")] == [("champion", None),
                                                                                  ("staging", "bo")]


@pytest.mark.parametrize("order", [["-metrics.loss"], ["metrics.loss"], ["-metrics.loss", "params.model"],
                                   ["metrics.loss", "-started"]])
def test_pages_sorted_by_a_metric_list_runs_without_it_last_in_every_page(store, order):
    """Pages read from the metric's index, then the runs lacking it: the same order as one sort."""
    ids = []
    for i, loss in enumerate([0.5, None, 0.2, 0.5, float("nan"), 0.9, None, 0.1]):
        metrics = {} if loss is None else {"loss": [loss]}
        ids.append(finished(store, params={"model": "rf" if i % 2 else "gb"}, metrics=metrics, offset=i))
    whole = [r.id for r in store.runs(order_by=order)]  # no limit: one sort of every run
    for size in (1, 2, 3, 5, 100):
        paged = [r.id for offset in range(0, 10, size) for r in store.runs(order_by=order, limit=size, offset=offset)]
        assert paged == whole, (size, paged, whole)
    assert whole[-3:] and set(whole[-3:]) == {ids[1], ids[4], ids[6]}  # none and NaN last, in either direction
