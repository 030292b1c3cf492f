"""The Run API a notebook holds: buffered metrics, artifacts, figures, ending."""

from __future__ import annotations

import threading
import time

import pytest

import nbtrack
from nbtrack.errors import RunEnded, UsageError
from nbtrack.records import RunStatus
from nbtrack.track import session


@pytest.fixture(autouse=True)
def no_open_run():
    yield
    run = session.current_run()
    if run is not None:
        run.finish()


def test_start_run_records_experiment_name_params_and_tags(store):
    run = nbtrack.start_run("first", experiment="churn", params={"C": 0.5}, tags={"team": "ml"}, store=store)
    run.finish()
    stored = store.run(run.id)
    assert (stored.experiment, stored.name, stored.params, stored.tags) == ("churn", "first", {"C": 0.5}, {"team": "ml"})
    assert stored.status is RunStatus.FINISHED


def test_a_run_is_renamed_and_annotated_even_after_it_ended(store):
    run = nbtrack.start_run(store=store)
    assert store.run(run.id).name  # a memorable name from the start
    run.finish()
    run.rename("rf baseline")
    run.set_note("Baseline for **churn**")
    stored = store.run(run.id)
    assert (stored.name, stored.note) == ("rf baseline", "Baseline for **churn**")
    assert [r.id for r in store.runs(where="notes like '%churn%'")] == [run.id]


def test_start_run_uses_nbtrack_store_from_the_environment(store_path):
    run = nbtrack.start_run()
    run.finish()
    assert nbtrack.open_store(store_path).run(run.id).experiment == "default"


def test_metrics_are_buffered_then_flushed_in_one_batch(store):
    run = nbtrack.start_run(store=store)
    for step in range(1000):
        run.log_metric("loss", 1.0 / (step + 1))
    assert store.run(run.id).summaries == {}  # still in memory
    run.flush()
    summary = store.run(run.id).summaries["loss"]
    assert (summary.count, summary.step, summary.last) == (1000, 999, 0.001)


def test_background_flush_writes_within_about_a_second(store):
    run = nbtrack.start_run(store=store)
    run.log_metric("acc", 0.5)
    deadline = time.monotonic() + 5
    while "acc" not in store.run(run.id).summaries:
        assert time.monotonic() < deadline, "metric not flushed within 5 s"
        time.sleep(0.1)


def test_log_metrics_with_one_step_and_steps_continue_per_key(store):
    run = nbtrack.start_run(store=store)
    run.log_metrics({"train.loss": 0.5, "val.loss": 0.6}, step=10)
    run.log_metric("train.loss", 0.4)
    run.finish()
    assert [s for s, _v, _t in store.metric_history(run.id, "train.loss")] == [10, 11]


def test_calls_with_a_step_keep_their_order_among_every_other_kind_of_call(store):
    # log_metrics(..., step=) calls wait as rows until written; any other call settles them
    # first, so of two values at one step the later call's stays, whatever the calls' kinds.
    run = nbtrack.start_run(store=store)
    run.log_metrics({"a": 1.0, "b": 1.0}, step=0)
    run.log_metrics({"a": 2.0, "b": 2.0}, step=1)
    run.log_metric("a", 3.0, step=1)  # replaces a@1
    run.log_metrics({"a": 4.0}, step=1)  # other keys: a new group; replaces a@1 again
    run.log_metrics({"a": 5.0, "b": 5.0})  # no step: each key's next one
    run.log_metrics({"b": 6.0, "a": 6.0}, step=2)  # the same keys in another order: a new group
    run.flush()
    run.log_metrics({"a": 7.0, "b": 7.0}, step=2)  # replaces both, written by finish
    run.finish()
    history = {key: [(s, v) for s, v, _t in store.metric_history(run.id, key)] for key in "ab"}
    assert history == {"a": [(0, 1.0), (1, 4.0), (2, 7.0)], "b": [(0, 1.0), (1, 2.0), (2, 7.0)]}
    summaries = store.run(run.id).summaries
    assert (summaries["a"].count, summaries["a"].last, summaries["b"].step) == (7, 7.0, 2)


def test_numpy_values_and_steps_are_accepted(store):
    import numpy as np

    run = nbtrack.start_run(store=store)
    run.log_metric("x", np.float32(0.25), step=np.int64(3))
    run.finish()
    assert store.metric_history(run.id, "x")[0][:2] == (3, 0.25)


@pytest.mark.parametrize("value", ["0.5", None, object(), [1], 10**400])
def test_a_bad_value_in_a_row_with_a_step_buffers_none_of_that_row(store, value):
    import numpy as np

    run = nbtrack.start_run(store=store)
    run.log_metrics({"a": 1, "b": np.float32(0.5), "c": True}, step=0)  # converted as float() does
    with pytest.raises(UsageError, match="metric 'b' (must be a number|is too large)"):
        run.log_metrics({"a": 2.0, "b": value, "c": 2.0}, step=1)
    run.log_metrics({"a": 3.0, "b": 3.0, "c": 3.0}, step=1)
    run.finish()
    history = {key: [(s, v) for s, v, _t in store.metric_history(run.id, key)] for key in "abc"}
    assert history == {"a": [(0, 1.0), (1, 3.0)], "b": [(0, 0.5), (1, 3.0)], "c": [(0, 1.0), (1, 3.0)]}
    assert store.run(run.id).summaries["b"].count == 2


@pytest.mark.parametrize("value", ["0.5", None, object(), [1]])
def test_non_numeric_metric_is_a_usage_error(store, value):
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError, match="must be a number"):
        run.log_metric("x", value)


@pytest.mark.parametrize("step", [-1, 1.5, "3", True])
def test_bad_step_is_a_usage_error(store, step):
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError, match="step"):
        run.log_metric("x", 1.0, step=step)


def test_finished_run_rejects_new_metrics(store):
    run = nbtrack.start_run(store=store)
    run.finish()
    with pytest.raises(RunEnded, match="start a new run with nbtrack.start_run"):
        run.log_metric("late", 1.0)
    with pytest.raises(RunEnded):
        run.log_params({"late": 1})


def test_context_manager_marks_an_exception_failed_and_reraises(store):
    with pytest.raises(ZeroDivisionError):
        with nbtrack.start_run(store=store) as run:
            run.log_metric("before", 1.0)
            1 / 0
    stored = store.run(run.id)
    assert stored.status is RunStatus.FAILED
    assert stored.error.ename == "ZeroDivisionError" and stored.metrics == {"before": 1.0}


def test_second_start_run_finishes_the_first(store):
    first = nbtrack.start_run(store=store)
    second = nbtrack.start_run(store=store)
    assert store.run(first.id).status is RunStatus.FINISHED
    assert nbtrack.current_run() is second


def test_log_artifact_from_bytes_and_path(store, tmp_path):
    run = nbtrack.start_run(store=store)
    (tmp_path / "report.txt").write_text("hello")
    run.log_artifact(tmp_path / "report.txt")
    run.log_artifact(b"{}", "config.json")
    run.finish()
    stored = store.run(run.id)
    assert stored.artifact("report.txt") == b"hello"
    assert store.artifact(run.id, "config.json").media_type == "application/json"


def test_log_figure_stores_a_png(store):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    run = nbtrack.start_run(store=store)
    artifact = run.log_figure(fig, "roc")
    run.finish()
    assert artifact.name == "roc.png" and artifact.media_type == "image/png"
    assert store.read_artifact(run.id, "roc.png").startswith(b"\x89PNG")


def test_log_figure_refuses_what_is_not_a_figure(store):
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError, match="matplotlib Figure"):
        run.log_figure("not a figure", "x")


def test_attached_run_is_the_engines_and_finish_only_flushes(store, monkeypatch):
    run_id = store.create_run("engine")
    monkeypatch.setenv("NBTRACK_RUN_ID", run_id)
    attached = nbtrack.start_run(store=store)
    assert attached.id == run_id and nbtrack.start_run(store=store) is attached
    attached.log_metric("m", 1.0)
    attached.finish()
    stored = store.run(run_id)
    assert stored.status is RunStatus.RUNNING and stored.metrics == {"m": 1.0}


def test_metric_keys_are_checked(store):
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError):
        run.log_metric("", 1.0)
    with pytest.raises(UsageError):
        run.log_metric("k" * 300, 1.0)


def test_short_runs_start_no_thread_each_and_finish_writes_points_with_the_end(store):
    before = threading.active_count()
    ids = []
    for i in range(20):
        with nbtrack.start_run(store=store, params={"i": i}) as run:
            run.log_metrics({"test.f1": i / 20, "loss": 1.0 / (i + 1)})
        ids.append(run.id)
    assert threading.active_count() <= before + 1  # at most the process's one flusher
    stored = store.run(ids[-1])
    assert stored.status is RunStatus.FINISHED and stored.metrics == {"test.f1": 0.95, "loss": 0.05}


def test_finish_of_a_run_ended_elsewhere_writes_none_of_its_points(store):
    run = nbtrack.start_run(store=store)
    run.log_metric("loss", 0.5)
    store.end_run(run.id, "killed")  # another process ended it first
    with pytest.raises(RunEnded):
        run.finish()
    assert store.metric_history(run.id, "loss") == []  # points and end go in one transaction


def test_a_full_buffer_is_written_by_the_logging_call(store, monkeypatch):
    from nbtrack.track import run as run_module

    monkeypatch.setattr(run_module, "MAX_BUFFERED", 100)
    run = nbtrack.start_run(store=store)
    for step in range(250):
        run.log_metric("loss", float(step))
    assert store.run(run.id).summaries["loss"].count == 200  # two full buffers, 50 points still buffered
    run.log_metrics({f"k{n}": 1.0 for n in range(60)})  # 110 buffered: this call writes them
    assert store.run(run.id).summaries["loss"].count == 250


def test_the_flusher_asks_a_logging_run_to_write_its_points_itself(store):
    run = nbtrack.start_run(store=store)
    run.log_metric("loss", 1.0)
    deadline = time.monotonic() + 5
    while not run._flush_asked:  # the flusher's tick asks; it does not write itself yet
        assert time.monotonic() < deadline, "the flusher did not ask within 5 s"
        time.sleep(0.02)
    run.log_metric("loss", 2.0)  # this call first writes the point before it, in the notebook's thread
    assert [v for _s, v, _t in store.metric_history(run.id, "loss")] == [1.0]
    assert not run._flush_asked and run._buffered == 1


def test_a_failed_write_keeps_the_points_in_order_for_the_next(store, monkeypatch):
    run = nbtrack.start_run(store=store)
    run.log_metrics({"a": 1.0, "b": 1.0}, step=0)
    real = store.log_metric_columns

    def fail_once(run_id, columns):
        monkeypatch.setattr(store, "log_metric_columns", real)
        raise OSError("database is busy")

    monkeypatch.setattr(store, "log_metric_columns", fail_once)
    with pytest.raises(OSError):
        run.flush()
    run.log_metric("a", 2.0, step=0)  # logged after the failure: it wins step 0
    run.log_metric("a", 3.0)
    run.flush()
    assert [(s, v) for s, v, _t in store.metric_history(run.id, "a")] == [(0, 2.0), (1, 3.0)]
    assert store.run(run.id).metrics == {"a": 3.0, "b": 1.0}


def test_threads_logging_into_one_run_lose_no_point(store):
    run = nbtrack.start_run(store=store)

    def log(n: int) -> None:
        for i in range(3000):
            run.log_metric("shared", float(n))  # steps given out one by one across threads
            run.log_metrics({f"own.{n}": float(i)})

    threads = [threading.Thread(target=log, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.finish()
    assert [s for s, _v, _t in store.metric_history(run.id, "shared")] == list(range(12_000))
    for n in range(4):
        history = store.metric_history(run.id, f"own.{n}")
        assert [(s, v) for s, v, _t in history] == [(i, float(i)) for i in range(3000)]


def _log_in_forked_child(store_path: str, out: str) -> None:
    import os

    child = nbtrack.start_run(store=store_path)
    child.log_metric("child", 1.0)
    with open(out, "w") as f:
        f.write(child.id)
    time.sleep(4)  # no log call and no finish: only the child's own flusher can write the point
    os._exit(0)


def test_a_forked_child_gets_its_own_flusher(store, tmp_path):
    import multiprocessing

    from nbtrack.track.run import Run

    parent = Run(store, store.create_run("fork"))  # not the session's run: the child must not end it
    parent.log_metric("parent", 1.0)  # the parent's flusher thread is running
    out = tmp_path / "child-run"
    child = multiprocessing.get_context("fork").Process(target=_log_in_forked_child,
                                                        args=(str(store.location.folder), str(out)))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert store.metric_history(out.read_text(), "child")[0][1] == 1.0
    parent.finish()
    assert store.run(parent.id).metrics == {"parent": 1.0}


def test_a_param_or_tag_over_the_value_limit_is_refused_naming_log_artifact(store):
    run = nbtrack.start_run(store=store)
    for write in (lambda: run.log_param("table", "x" * 70_000), lambda: run.set_tag("notes", "x" * 70_000),
                  lambda: run.log_params({"rows": list(range(20_000))})):
        with pytest.raises(UsageError, match=r"over the 65536-byte limit.*run\.log_artifact"):
            write()
    run.log_param("fits", "x" * 60_000)
    run.finish()
    stored = store.run(run.id)
    assert list(stored.params) == ["fits"] and stored.tags == {}
    with pytest.raises(UsageError, match="the run name is 70000 bytes"):
        nbtrack.start_run("n" * 70_000, store=store)


def test_the_value_limit_follows_nbtrack_max_value_bytes(store, monkeypatch):
    monkeypatch.setenv("NBTRACK_MAX_VALUE_BYTES", "100")
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError, match="over the 100-byte limit"):
        run.log_param("name", "y" * 200)
    monkeypatch.setenv("NBTRACK_MAX_VALUE_BYTES", str(1024 * 1024))
    run.log_param("name", "y" * 200_000)
    run.finish()
    assert len(store.run(run.id).params["name"]) == 200_000


def nested(depth: int, *, keyed: bool = False) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"k": value} if keyed else [value]
    return value


@pytest.mark.parametrize("value, fragment", [
    (10**400, "integer too large"), (-(10**400), "integer too large"), (nested(40), "deeper than 32"),
    (nested(40, keyed=True), "deeper than 32"), (nested(5000), "deeper than 32"),
], ids=["huge int", "huge negative int", "40 lists deep", "40 dicts deep", "5000 lists deep"])
def test_params_too_deep_or_too_large_to_store_are_one_line_usage_errors(store, value, fragment):
    run = nbtrack.start_run(store=store)
    with pytest.raises(UsageError, match=fragment) as caught:  # never a RecursionError or OverflowError
        run.log_param("p", value)
    assert "\n" not in str(caught.value)
    run.log_param("ok", nested(30))
    run.finish()
    assert list(store.run(run.id).params) == ["ok"]
