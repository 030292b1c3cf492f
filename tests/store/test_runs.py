"""The store contract for runs, params, tags and how runs end."""

from __future__ import annotations

import time

import pytest

from nbtrack.errors import RunEnded, RunNotFound, UsageError
from nbtrack.records import NotebookRef, RunError, RunStatus, new_run_id


def test_created_run_reads_back_with_typed_params_and_tags(store):
    run_id = store.create_run(
        "churn",
        name="first",
        params={"model": "rf", "C": 0.5, "n": 200, "flag": True, "layers": [64, 32], "none": None},
        tags={"stage": "dev", "seed": 3},
        notebook=NotebookRef("/nb/train.ipynb", "ab" * 32),
    )
    run = store.run(run_id)
    assert run.id == run_id
    assert run.experiment == "churn"
    assert run.name == "first"
    assert run.status is RunStatus.RUNNING
    assert run.params == {"model": "rf", "C": 0.5, "n": 200, "flag": True, "layers": [64, 32], "none": None}
    assert isinstance(run.params["n"], int) and isinstance(run.params["flag"], bool)
    assert run.tags == {"stage": "dev", "seed": "3"}
    assert run.notebook == NotebookRef("/nb/train.ipynb", "ab" * 32)
    assert run.ended_at is None and run.duration is None


def test_run_ids_sort_by_start_time_and_are_unique():
    ids = [new_run_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    early, late = new_run_id(now=1_700_000_000.0), new_run_id(now=1_700_000_000.002)
    assert early < late
    assert len(early) == 26


def test_end_run_is_recorded_with_status_and_error(store):
    run_id = store.create_run("e")
    store.end_run(run_id, RunStatus.FAILED, RunError(3, "ValueError", "bad value"))
    run = store.run(run_id)
    assert run.status is RunStatus.FAILED
    assert run.error == RunError(3, "ValueError", "bad value")
    assert run.ended_at is not None and run.duration >= 0


def test_ending_a_run_twice_raises_run_ended(store):
    run_id = store.create_run("e")
    store.end_run(run_id, "finished")
    with pytest.raises(RunEnded, match="is finished and cannot change"):
        store.end_run(run_id, "killed")
    assert store.run(run_id).status is RunStatus.FINISHED


@pytest.mark.parametrize("write", [
    lambda s, r: s.log_params(r, {"x": 1}),
    lambda s, r: s.log_metrics(r, [("loss", 0, 1.0, 1)]),
    lambda s, r: s.add_artifact(r, "a.txt", data=b"a"),
    lambda s, r: s.add_record(r, "data", "train", {"rows": 1}),
])
def test_finished_run_rejects_new_results(store, write):
    run_id = store.create_run("e", params={"x": 0})
    store.end_run(run_id, "finished")
    with pytest.raises(RunEnded):
        write(store, run_id)
    run = store.run(run_id)
    assert run.params == {"x": 0} and run.summaries == {} and run.artifacts == {}


def test_tags_annotate_a_run_after_it_ended(store):
    run_id = store.create_run("e", tags={"a": "1"})
    store.end_run(run_id, "finished")
    store.set_tags(run_id, {"a": "2", "reviewed": "yes"})
    store.delete_tag(run_id, "reviewed")
    assert store.run(run_id).tags == {"a": "2"}


def test_only_final_statuses_end_a_run(store):
    run_id = store.create_run("e")
    with pytest.raises(UsageError):
        store.end_run(run_id, "running")
    with pytest.raises(ValueError):
        store.end_run(run_id, "done")


def test_run_found_by_unique_prefix_of_six_or_more_characters(store):
    run_id = store.create_run("e")
    assert store.run(run_id[:6]).id == run_id
    assert store.run(run_id.lower()).id == run_id
    with pytest.raises(RunNotFound, match="at least 6"):
        store.run(run_id[:5])


def test_ambiguous_prefix_names_the_candidates(store):
    now = time.time()
    first = store.create_run("e", run_id=new_run_id(now))
    second = store.create_run("e", run_id=new_run_id(now))
    common = next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)
    assert common >= 10  # the same millisecond: the whole time part is shared
    with pytest.raises(RunNotFound, match="ambiguous"):
        store.run(first[:common])


@pytest.mark.parametrize("ref", ["ZZZZZZZZ", "not-an-id", "01JD3F!!", "        "])
def test_unknown_run_reference_raises_run_not_found(store, ref):
    store.create_run("e")
    with pytest.raises(RunNotFound):
        store.run(ref)


def test_runs_list_newest_first_and_pages(store):
    ids = [store.create_run("e", run_id=new_run_id(1_700_000_000 + i)) for i in range(5)]
    assert [r.id for r in store.runs()] == ids[::-1]
    assert [r.id for r in store.runs(limit=2, offset=1)] == ids[::-1][1:3]
    assert store.count() == 5


def test_experiments_list_run_counts(store):
    store.create_run("a")
    store.create_run("a")
    store.create_run("b")
    assert {e["name"]: e["runs"] for e in store.experiments()} == {"a": 2, "b": 1}
    assert [r.experiment for r in store.runs(experiment="b")] == ["b"]


def test_running_run_without_heartbeat_reads_as_lost(store):
    from sqlalchemy import update

    from nbtrack.store import schema

    run_id = store.create_run("e")  # its writer beats every 10 s (NBTRACK_HEARTBEAT's default)
    with store.engine.begin() as conn:  # its last heartbeat 31 s ago: three missed
        conn.execute(update(schema.runs).where(schema.runs.c.id == run_id)
                     .values(heartbeat_at=time.time() - 31))
    assert store.run(run_id).status is RunStatus.LOST
    assert [r.id for r in store.runs(where="status = 'lost'")] == [run_id]
    store.heartbeat(run_id)
    assert store.run(run_id).status is RunStatus.RUNNING


@pytest.mark.parametrize("bad", ["", None, "x" * 251, "a\x00b"])
def test_experiment_names_are_checked(store, bad):
    with pytest.raises(UsageError):
        store.create_run(bad)


def test_records_and_cells_are_kept_per_run(store):
    from nbtrack.records import CellTiming

    run_id = store.create_run("e")
    store.add_record(run_id, "data", "train", {"rows": 10, "nan": float("nan")})
    store.add_cells(run_id, [CellTiming(0, 0.5, 0.4, 1000, 10), CellTiming(1, 0.1)])
    store.add_cells(run_id, [CellTiming(1, 0.2)])
    assert [(r.kind, r.name, r.body) for r in store.records(run_id)] == [("data", "train", {"rows": 10, "nan": "nan"})]
    assert [(c.index, c.wall_s) for c in store.cells(run_id)] == [(0, 0.5), (1, 0.2)]


def test_fsck_mark_lost_stores_lost_once_and_the_silent_writer_is_told_its_run_ended(store):
    from sqlalchemy import update

    from nbtrack.store import schema
    from nbtrack.store.maintenance import mark_lost

    live = store.create_run("e")
    dead = store.create_run("e", params={"p": 1})
    store.log_metrics(dead, [("loss", 0, 0.5, 0)])
    last_beat = time.time() - 31  # three of its writer's 10 s heartbeats missed
    with store.engine.begin() as conn:
        conn.execute(update(schema.runs).where(schema.runs.c.id == dead).values(heartbeat_at=last_beat))
    assert mark_lost(store) == [dead]
    assert mark_lost(store) == []  # once
    run = store.run(dead)
    assert run.status is RunStatus.LOST and run.ended_at == pytest.approx(last_beat)
    assert run.params == {"p": 1} and run.metrics == {"loss": 0.5}
    # the writer comes back: nothing it sends lands, and it is told so in one line
    for write in (lambda: store.heartbeat(dead), lambda: store.log_params(dead, {"q": 2}),
                  lambda: store.log_metrics(dead, [("loss", 1, 0.4, 0)]),
                  lambda: store.end_run(dead, "finished")):
        with pytest.raises(RunEnded, match=f"run {dead} is lost and cannot change"):
            write()
    assert store.run(dead).status is RunStatus.LOST and store.run(dead).metrics == {"loss": 0.5}
    assert store.run(live).status is RunStatus.RUNNING
    assert [r.id for r in store.runs(where="status = 'lost'")] == [dead]


def test_a_heartbeat_racing_mark_lost_either_lands_and_the_run_stays_running_or_is_refused(store):
    """No third outcome: a run marked lost never takes a late heartbeat, a run that took one is not marked."""
    import threading

    from sqlalchemy import select, update

    from nbtrack.store import schema
    from nbtrack.store.maintenance import mark_lost

    run_ids = [store.create_run("race") for _ in range(40)]
    with store.engine.begin() as conn:
        conn.execute(update(schema.runs).values(heartbeat_at=time.time() - 31))
    outcomes: dict[str, str] = {}

    def beat() -> None:
        for run_id in run_ids:
            try:
                store.heartbeat(run_id)
                outcomes[run_id] = "landed"
            except RunEnded:
                outcomes[run_id] = "refused"
            time.sleep(0.02)  # writers beat apart: mark_lost lands among them

    beating = threading.Thread(target=beat)
    beating.start()
    while len(outcomes) < 10:
        time.sleep(0.001)
    marked = set(mark_lost(store))
    beating.join()
    assert set(outcomes.values()) == {"landed", "refused"}
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.runs.c.id, schema.runs.c.status, schema.runs.c.heartbeat_at,
                                   schema.runs.c.ended_at)).all()
    for run_id, status, heartbeat_at, ended_at in rows:
        if outcomes[run_id] == "landed":
            assert status == "running" and run_id not in marked and ended_at is None
        else:
            assert status == "lost" and run_id in marked and heartbeat_at == ended_at
