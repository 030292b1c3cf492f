"""Eight processes at once on one store: nothing lost, nothing doubled, no "database is locked"."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from nbtrack.store import open_store, upgrades
from reliability import writers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability")]

PROCESSES = 8
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["nbtrack.store.store", "reliability.writers"])


def run_all(target: Any, argument_lists: list[tuple[Any, ...]], *, lead: float = 2.0) -> None:
    """Start one process per argument tuple, all released at the same moment; each must exit 0."""
    start = time.time() + lead
    procs = [_context.Process(target=target, args=(*args, start)) for args in argument_lists]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def run_with_results(target: Any, argument_lists: list[tuple[Any, ...]], folder: Path) -> list[str]:
    start = time.time() + 2.0
    results = [folder / f"result-{n}" for n in range(len(argument_lists))]
    procs = [_context.Process(target=target, args=(*args, start, str(result)))
             for args, result in zip(argument_lists, results, strict=True)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return [r.read_text() for r in results]


def test_eight_writers_of_10000_points_each_into_own_runs_and_one_shared_run(tmp_path):
    path = tmp_path / "busy"
    store = open_store(path)
    shared = store.create_run("concurrency", name="shared")
    labels = [f"w{n}" for n in range(PROCESSES)]
    run_all(writers.point_writer, [(str(path), shared, label, 10_000) for label in labels])
    own = store.runs(where="name != 'shared'")
    assert len(own) == PROCESSES
    for run in own:
        assert run.summaries["loss"].count == 10_000 and str(run.status) == "finished"
        assert len(store.metric_history(run.id, "loss")) == 10_000
    summaries = store.run(shared).summaries
    for label in labels:
        assert summaries[f"loss.{label}"].count == 10_000
        assert summaries[f"loss.{label}"].step == 9_999


def test_eight_processes_opening_a_fresh_store_at_once_apply_each_schema_step_once(tmp_path):
    path = tmp_path / "fresh"
    run_all(writers.store_opener, [(str(path),)] * PROCESSES)
    with sqlite3.connect(path / "nbtrack.db") as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM nbtrack_migrations ORDER BY name")]
        runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert names == [name for name, _ in upgrades.STEPS]
    assert runs == PROCESSES


def test_eight_processes_creating_the_same_experiment_make_one(tmp_path):
    path = tmp_path / "same-experiment"
    open_store(path).close()
    run_all(writers.experiment_creator, [(str(path),)] * PROCESSES)
    store = open_store(path)
    assert [e["name"] for e in store.experiments()] == ["the-same-experiment"]
    assert store.count(experiment="the-same-experiment") == PROCESSES


def test_two_processes_ending_the_same_run_one_wins_the_other_gets_run_ended(tmp_path):
    path = tmp_path / "end-race"
    store = open_store(path)
    run_id = store.create_run("race")
    outcomes = run_with_results(writers.run_ender, [(str(path), run_id, "finished"), (str(path), run_id, "killed")],
                                tmp_path)
    assert sorted(o.split(":")[0] for o in outcomes) == ["RunEnded", "won"]
    winner = ["finished", "killed"][outcomes.index("won")]
    assert str(store.run(run_id).status) == winner


@pytest.mark.parametrize("immediate", [True, False], ids=["store-transactions", "deferred-control"])
def test_read_then_write_transactions_need_begin_immediate(tmp_path, immediate):
    """The control shows what the store's BEGIN IMMEDIATE prevents: a deferred BEGIN is refused."""
    path = tmp_path / "counter"
    store = open_store(path)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (value INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    rounds = 150
    refused = run_with_results(writers.counter_incrementer, [(str(path), immediate, rounds)] * PROCESSES, tmp_path)
    refused_total = sum(map(int, refused))
    with sqlite3.connect(path / "nbtrack.db") as conn:
        value = conn.execute("SELECT value FROM counter").fetchone()[0]
    if immediate:
        assert refused_total == 0 and value == PROCESSES * rounds
    else:
        assert refused_total > 0  # the failure the store's transactions exist to prevent
        assert value == PROCESSES * rounds - refused_total  # nothing half-applied either way
