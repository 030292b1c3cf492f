"""The sweep analysis computation on hostile values: numbers at the float limits, missing params, odd types."""

from __future__ import annotations

from pathlib import Path

from nbtrack.analyze.sweep_analysis import analyze_runs


def runs_with(tmp_path: Path, rows: list[tuple[dict[str, object], float | None]]) -> list[object]:
    from nbtrack.store import open_store

    store = open_store(tmp_path / "store")
    for params, value in rows:
        run_id = store.create_run("hostile", params=params)
        if value is not None:
            store.log_metrics(run_id, [("score", 0, value, 0)])
        store.end_run(run_id, "finished")
    return store.runs(order_by=["started"])


def test_values_at_the_float_limits_still_give_finite_importances_with_the_driving_param_first(tmp_path: Path) -> None:
    rows = [({"huge": sign * 1e308 * (i % 3) / 2, "noise": i % 2, "kind": ["a", [1, 2], {"k": None}][i % 3]},
             1e307 * (i % 3) + i * 1e300 * (-1) ** i) for i, sign in enumerate([1, -1] * 6)]
    found = analyze_runs(runs_with(tmp_path, rows), "metrics.score")
    assert found["used"] == 12 and found["importance_method"].startswith("random forest")
    assert all(e["importance"] is not None and 0 <= e["importance"] <= 1 for e in found["importance"])
    assert found["importance"][0]["field"] in ("params.kind", "params.huge")
    assert {a["field"]: a["kind"] for a in found["axes"]}["params.kind"] == "categorical"
    assert sorted(next(a for a in found["axes"] if a["field"] == "params.kind")["categories"]) == \
        ['[1, 2]', 'a', '{"k": null}']


def test_a_param_only_some_runs_have_is_an_axis_and_runs_without_the_metric_are_counted(tmp_path: Path) -> None:
    rows = [({"depth": d, **({"extra": "x"} if d == 4 else {})}, None if d == 8 else d / 10) for d in (2, 4, 8, 6, 3)]
    found = analyze_runs(runs_with(tmp_path, rows), "metrics.score")
    assert found["missing_metric"] == 1 and found["used"] == 4
    extra = next(a for a in found["axes"] if a["field"] == "params.extra")
    assert extra["missing"] == 3 and extra["categories"] == ["-", "x"]
    assert found["importance"][0]["field"] == "params.depth" and found["importance"][0]["correlation"] == 1.0


def test_a_sweep_in_a_store_without_sweeps_is_one_line_that_says_so(tmp_path: Path) -> None:
    import pytest

    from nbtrack.analyze.sweep_analysis import select_runs
    from nbtrack.errors import UsageError
    from nbtrack.store import open_store

    runs_with(tmp_path, [({"depth": 2}, 0.5)])
    with pytest.raises(UsageError, match=r"^no run belongs to sweep '01X': no run in this store came from a sweep"):
        select_runs(open_store(tmp_path / "store"), sweep="01X")


def test_six_runs_are_too_few_for_the_forest_and_the_summary_names_the_param_the_correlations_name(
        tmp_path: Path) -> None:
    # model explains the metric; max_depth is noise the forest can still split on with six runs
    rows = [({"model": m, "max_depth": d}, s) for m, d, s in
            [("rf", 2, 0.93), ("rf", 8, 0.95), ("rf", 4, 0.90), ("gb", 2, 0.91), ("gb", 8, 0.86), ("gb", 4, 0.88)]]
    found = analyze_runs(runs_with(tmp_path, rows), "metrics.score")
    assert found["reliable"] is False and found["reliable_runs"] == 20
    by_field = {e["field"]: e for e in found["importance"]}
    first = found["importance"][0]
    assert first["field"] == "params.model"  # ranked by the correlation, not by the forest
    assert abs(first["correlation"]) > abs(by_field["params.max_depth"]["correlation"])
    assert found["summary"] == (f"model matters most for score (η {first['correlation']:.2f}); 6 runs: too few "
                                "for a reliable importance (at least 20 needed), read the correlations")


def test_enough_runs_make_the_importance_reliable_and_rank_by_it(tmp_path: Path) -> None:
    rows = [({"depth": i % 7, "seed": i % 3}, (i % 7) / 10 + (i % 3) / 1000) for i in range(24)]
    found = analyze_runs(runs_with(tmp_path, rows), "metrics.score")
    assert found["reliable"] is True and found["importance"][0]["field"] == "params.depth"
    assert found["summary"].startswith("depth matters most for score (importance ")
    assert found["summary"].endswith("; 24 runs")


def test_a_bare_metric_key_is_read_as_the_metric_field(tmp_path: Path) -> None:
    import pytest

    from nbtrack.analyze.sweep_analysis import metric_field
    from nbtrack.errors import UsageError

    found = analyze_runs(runs_with(tmp_path, [({"depth": d}, d / 10) for d in (2, 4, 6)]), "score")
    assert found["metric"] == "metrics.score" and found["used"] == 3
    assert metric_field("test.f1") == ("test.f1", "") and metric_field("test.loss.min") == ("test.loss", "min")
    with pytest.raises(UsageError, match="is not a metric field"):
        metric_field("duration")  # a run field keeps its meaning


def test_archived_runs_are_left_out_of_an_analysis_unless_asked_for(tmp_path: Path) -> None:
    from nbtrack.analyze.sweep_analysis import select_runs
    from nbtrack.store import open_store

    runs = runs_with(tmp_path, [({"depth": d}, d / 10) for d in (2, 4, 6, 8)])
    store = open_store(tmp_path / "store")
    store.archive_runs([runs[0].id])
    assert runs[0].id not in {r.id for r in select_runs(store)}
    assert len(select_runs(store, archived="include")) == 4
