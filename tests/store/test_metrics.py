"""The store contract for metric series and their summaries."""

from __future__ import annotations

import math

import pytest

from nbtrack.errors import RunEnded
from nbtrack.records import RunStatus


def test_metric_points_keep_series_and_summary(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("loss", s, 1.0 / (s + 1), 1000 + s) for s in range(10)])
    store.log_metrics(run_id, [("loss", 10, 5.0, 2000)])
    run = store.run(run_id)
    summary = run.summaries["loss"]
    assert (summary.last, summary.min, summary.max, summary.step, summary.count) == (5.0, 0.1, 5.0, 10, 11)
    history = store.metric_history(run_id, "loss")
    assert [step for step, _v, _t in history] == list(range(11))
    assert history[0] == (0, 1.0, 1000)


def test_a_step_logged_again_replaces_its_value(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("acc", 0, 0.5, 1), ("acc", 1, 0.6, 2)])
    store.log_metrics(run_id, [("acc", 1, 0.7, 3)])
    assert [v for _s, v, _t in store.metric_history(run_id, "acc")] == [0.5, 0.7]
    assert store.run(run_id).metrics["acc"] == 0.7


def test_last_is_the_value_at_the_highest_step_whatever_the_order(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("m", 5, 50.0, 1)])
    store.log_metrics(run_id, [("m", 2, 20.0, 2)])
    summary = store.run(run_id).summaries["m"]
    assert (summary.last, summary.step, summary.min) == (50.0, 5, 20.0)


def test_nan_and_infinity_round_trip_and_stay_out_of_min_and_max(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("x", 0, 1.0, 1), ("x", 1, float("nan"), 2), ("x", 2, float("inf"), 3)])
    store.log_metrics(run_id, [("y", 0, float("nan"), 1)])
    history = store.metric_history(run_id, "x")
    assert history[0][1] == 1.0 and math.isnan(history[1][1]) and history[2][1] == math.inf
    summaries = store.run(run_id).summaries
    assert summaries["x"].min == 1.0 and summaries["x"].max == math.inf
    assert math.isnan(summaries["y"].last) and math.isnan(summaries["y"].min)


def test_downsampled_history_spans_the_whole_series(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("loss", s, float(s), s) for s in range(10_000)])
    sampled = store.metric_history(run_id, "loss", max_points=100)
    steps = [s for s, _v, _t in sampled]
    assert 90 <= len(sampled) <= 100
    assert steps[0] == 0 and steps[-1] == 9999 and steps == sorted(steps)
    assert all(v == float(s) for s, v, _t in sampled)


def test_downsampling_irregular_steps_returns_existing_points(store):
    run_id = store.create_run("e")
    steps = [0, 1, 2, 500, 501, 9000, 9999]
    store.log_metrics(run_id, [("m", s, float(s), 0) for s in steps])
    sampled = [s for s, _v, _t in store.metric_history(run_id, "m", max_points=4)]
    assert set(sampled) <= set(steps) and sampled[0] == 0 and sampled[-1] == 9999


def test_history_of_unknown_key_is_empty(store):
    run_id = store.create_run("e")
    assert store.metric_history(run_id, "never") == []


def test_metric_keys_are_shared_across_runs_but_series_are_not(store):
    a, b = store.create_run("e"), store.create_run("e")
    store.log_metrics(a, [("loss", 0, 1.0, 0)])
    store.log_metrics(b, [("loss", 0, 2.0, 0), ("loss", 1, 3.0, 0)])
    assert store.run(a).summaries["loss"].count == 1
    assert store.run(b).summaries["loss"].count == 2


def test_stored_run_metric_history_is_a_dataframe(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("loss", s, 0.5, 1_700_000_000_000 + s) for s in range(3)])
    frame = store.run(run_id).metric_history("loss")
    assert list(frame.columns) == ["step", "value", "timestamp"]
    assert len(frame) == 3 and str(frame["timestamp"].dt.tz) == "UTC"


def test_columns_out_of_step_order_are_stored_in_order_and_the_later_duplicate_wins(store):
    run_id = store.create_run("e")
    # steps 3, 1, 3, 0: the second point at step 3 replaces the first, whatever the batch order.
    store.log_metric_columns(run_id, {"m": ([3, 1, 3, 0], [30.0, 10.0, 33.0, 0.0], [1, 2, 3, 4]),
                                      "n": ([], [], [])})  # an empty key is no key
    assert store.metric_history(run_id, "m") == [(0, 0.0, 4), (1, 10.0, 2), (3, 33.0, 3)]
    summary = store.run(run_id).summaries["m"]
    assert (summary.last, summary.step, summary.min, summary.max, summary.count) == (33.0, 3, 0.0, 33.0, 4)
    assert "n" not in store.run(run_id).summaries


def test_end_run_writes_its_points_in_the_same_transaction(store):
    run_id = store.create_run("e")
    store.end_run(run_id, "finished", metrics={"loss": ([0, 1], [0.5, float("nan")], [1, 2])})
    ended = store.run(run_id)
    assert ended.status is RunStatus.FINISHED and ended.summaries["loss"].count == 2
    assert ended.summaries["loss"].min == 0.5 and math.isnan(ended.summaries["loss"].last)
    # A run ended already takes neither the end nor the points: nothing half-written.
    with pytest.raises(RunEnded):
        store.end_run(run_id, "failed", metrics={"late": ([0], [1.0], [3])})
    again = store.run(run_id)
    assert again.status is RunStatus.FINISHED and "late" not in again.summaries


def test_points_read_back_with_none_for_nan_can_be_written_again(store):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("x", 0, None, 1), ("x", 1, 2.0, 2)])
    history = store.metric_history(run_id, "x")
    assert math.isnan(history[0][1]) and history[1][1] == 2.0
    assert store.run(run_id).summaries["x"].min == 2.0


# -- chunks: series written in many batches, rewritten, sampled across chunk boundaries ------------

@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 points, so that a few dozen points cross many chunk boundaries."""
    from nbtrack.store import chunks

    monkeypatch.setattr(chunks, "CHUNK_POINTS", 4)
    return chunks


def stored_chunks(store, run_id):
    from sqlalchemy import select

    from nbtrack.store import schema

    c, r = schema.metric_chunks.c, schema.runs.c
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(c.first_step, c.last_step, c.count).join(schema.runs, r.pk == c.run_pk)
            .where(r.id == run_id).order_by(c.first_step))]


def test_batches_fill_the_short_last_chunk_before_starting_another(store, small_chunks):
    run_id = store.create_run("e")
    for first in range(0, 23, 3):  # batches of 3 points: 0-2, 3-5, ... 21-22
        store.log_metrics(run_id, [("m", s, s / 2, s) for s in range(first, min(first + 3, 23))])
    assert store.metric_history(run_id, "m") == [(s, s / 2, s) for s in range(23)]
    # Every chunk full but the last: 23 points in chunks of 4.
    assert stored_chunks(store, run_id) == [(s, s + 3, 4) for s in range(0, 20, 4)] + [(20, 22, 3)]


def test_points_rewritten_across_chunks_replace_exactly_their_steps(store, small_chunks):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("m", s, float(s), s) for s in range(0, 40, 2)])  # even steps 0-38
    # Rewrites steps 5-15 (odd ones new, even ones replaced) and one far ahead.
    store.log_metrics(run_id, [("m", s, -float(s), 100 + s) for s in range(5, 16)] + [("m", 50, 5.0, 1)])
    expected = {s: (float(s), s) for s in range(0, 40, 2)}
    expected.update({s: (-float(s), 100 + s) for s in range(5, 16)})
    expected[50] = (5.0, 1)
    assert store.metric_history(run_id, "m") == [(s, v, t) for s, (v, t) in sorted(expected.items())]
    spans = stored_chunks(store, run_id)
    assert all(last < following for (_f, last, _n), (following, _l, _c) in zip(spans, spans[1:]))
    assert sum(n for _f, _l, n in spans) == len(expected)


def test_a_sample_picks_the_first_point_at_or_after_each_target_across_chunks(store, small_chunks):
    run_id = store.create_run("e")
    steps = sorted({int(i * 1.7) for i in range(300)} | {1000})
    store.log_metrics(run_id, [("m", s, float(s), s) for s in steps])
    sampled = store.metric_history(run_id, "m", max_points=25)
    stride = 1000 / 24
    targets = [round(n * stride) for n in range(25)]
    expected = sorted({next(s for s in steps if s >= target) for target in targets})
    assert [s for s, _v, _t in sampled] == expected
    assert all(v == float(s) and t == s for s, v, t in sampled)


def test_nan_is_kept_in_a_chunk_and_none_is_read_back_as_nan(store, small_chunks):
    run_id = store.create_run("e")
    store.log_metrics(run_id, [("m", s, float("nan") if s % 3 == 0 else (None if s % 3 == 1 else 1.0), s)
                               for s in range(10)])
    history = store.metric_history(run_id, "m")
    assert [s for s, _v, _t in history] == list(range(10))
    assert all(math.isnan(v) for s, v, _t in history if s % 3 != 2)
    assert [v for s, v, _t in history if s % 3 == 2] == [1.0, 1.0, 1.0]
