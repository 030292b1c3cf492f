"""Reads that the views, the report and sweeps ask the store for, instead of querying its tables."""

from __future__ import annotations

from nbtrack.records import NotebookRef, RunStatus
from nbtrack.store.reads import records_by_kind


def test_field_keys_are_every_param_metric_and_tag_key_once_and_sorted(store):
    first = store.create_run("e", params={"model": "rf", "C": 1}, tags={"stage": "dev"})
    store.log_metrics(first, [("test.f1", 0, 0.9, 0)])
    second = store.create_run("other", params={"model": "gb"}, tags={"owner": "ana", "stage": "prod"})
    store.log_metrics(second, [("loss", 0, 1.0, 0), ("test.f1", 0, 0.8, 0)])

    assert store.field_keys() == {"params": ["C", "model"], "metrics": ["loss", "test.f1"],
                                  "tags": ["owner", "stage"]}


def test_field_keys_of_an_empty_store_are_empty_lists(store):
    assert store.field_keys() == {"params": [], "metrics": [], "tags": []}


def test_runs_of_notebook_are_that_notebooks_runs_oldest_first_of_the_asked_status(store):
    train, other = NotebookRef("/nb/train.ipynb", "ab" * 32), NotebookRef("/nb/other.ipynb", "cd" * 32)
    old = store.create_run("e", notebook=train, params={"C": 1})
    failed = store.create_run("e", notebook=train)
    running = store.create_run("e", notebook=train)
    elsewhere = store.create_run("e", notebook=other)
    new = store.create_run("e", notebook=train, params={"C": 2})
    for run_id in (old, elsewhere, new):
        store.end_run(run_id, "finished")
    store.end_run(failed, "failed")

    finished = store.runs_of_notebook("ab" * 32, status=RunStatus.FINISHED)
    assert [r.id for r in finished] == [old, new]
    assert [r.params for r in finished] == [{"C": 1}, {"C": 2}]
    assert [r.id for r in store.runs_of_notebook("ab" * 32)] == [old, failed, running, new]
    assert store.runs_of_notebook("ef" * 32) == []


def test_records_by_kind_keeps_the_named_runs_records_of_the_asked_kinds(store):
    first, second, unlisted = (store.create_run("e") for _ in range(3))
    store.add_record(first, "gate", "ci", {"passed": True})
    store.add_record(second, "drift", "train", {"share": 0.5})
    store.add_record(unlisted, "gate", "ci", {"passed": False})
    store.add_record(first, "evaluation", "test", {"f1": 0.9})

    found = records_by_kind(store, ["gate", "drift", "alert"], {first, second})

    assert found.keys() == {"gate", "drift", "alert"} and found["alert"] == []
    assert [(e["run_id"], e["name"], e["body"]) for e in found["gate"]] == [(first, "ci", {"passed": True})]
    assert [(e["run_id"], e["body"]) for e in found["drift"]] == [(second, {"share": 0.5})]
    assert all(isinstance(e["at"], float) for e in found["gate"] + found["drift"])
