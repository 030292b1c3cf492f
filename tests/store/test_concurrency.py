"""Several processes writing one store at once: no "database is locked", nothing lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

WRITER = textwrap.dedent("""
    import sys
    from nbtrack.store import open_store
    store = open_store(sys.argv[1])
    shared, label = sys.argv[2], sys.argv[3]
    own = store.create_run("concurrency", name=label)
    for step in range(200):
        store.log_metrics(own, [("loss", step, float(step), step)])
        store.log_metrics(shared, [(f"loss.{label}", step, float(step), step)])
        store.log_params(own, {f"p{step % 5}": step})
    store.end_run(own, "finished")
    print(own)
""")


@pytest.mark.slow
def test_two_processes_write_the_same_store_at_once(store_uri, store):
    shared = store.create_run("concurrency", name="shared")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, store_uri, shared, label],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for label in ("a", "b")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert "locked" not in err
    own_ids = [out.strip() for out, _err in results]
    for run_id in own_ids:
        run = store.run(run_id)
        assert run.summaries["loss"].count == 200 and str(run.status) == "finished"
    series = store.run(shared).summaries
    assert series["loss.a"].count == 200 and series["loss.b"].count == 200


def test_threads_sharing_a_store_create_a_new_experiment_and_key_at_once(store):
    # Two sweep executions in one process share the Store: one must never hand the other
    # the pk of an experiment or metric key that its own transaction has not committed yet.
    rounds, width = 25, 4
    failures: list[BaseException] = []

    def first_run(barrier: threading.Barrier, experiment: str, key: str) -> None:
        try:
            barrier.wait()
            run_id = store.create_run(experiment)
            store.log_metrics(run_id, [(key, 0, 1.0, 0)])
            store.end_run(run_id, "finished")
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            failures.append(exc)

    for n in range(rounds):
        barrier = threading.Barrier(width)
        threads = [threading.Thread(target=first_run, args=(barrier, f"exp-{n}", f"key-{n}")) for _ in range(width)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert store.count() == rounds * width
    assert {r.experiment for r in store.runs()} == {f"exp-{n}" for n in range(rounds)}
