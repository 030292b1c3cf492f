"""nbtrack reproduce: passes on a deterministic run; names the cause when the data or a default changed."""

from __future__ import annotations

import json

import pytest

CELL = '''import pandas as pd
import nbtrack

run = nbtrack.start_run()
frame = pd.read_csv("data.csv")
run.log_data(frame, name="train")
run.log_metrics({"test.total": float(frame["x"].sum() * scale), "test.rows": float(len(frame))})'''


@pytest.mark.slow
def test_reproduce_passes_then_names_changed_data_and_a_changed_default(store, cli, notebook, tmp_path):
    path = notebook([CELL], parameters="scale = 2\nlabel = 'a'")
    data = path.parent / "data.csv"
    data.write_text("x\n1\n2\n3\n")
    first = cli("run", path, "-p", "label", "b", "--no-autolog", "--format", "json")
    assert first.returncode == 0, first.stderr
    original = json.loads(first.stdout)["id"]

    same = cli("reproduce", original[:8])
    assert same.returncode == 0, same.stdout + same.stderr
    assert f"run {original} reproduced" in same.stdout

    data.write_text("x\n1\n2\n4\n")
    changed = cli("reproduce", original, "--format", "json")
    assert changed.returncode == 1, changed.stderr
    report = json.loads(changed.stdout)
    assert report["same"] is False
    assert [m["metric"] for m in report["metrics"] if not m["same"]] == ["test.total"]
    assert any(c.startswith("data 'train' changed: fingerprint") for c in report["causes"]), report["causes"]
    replay = store.run(report["replay_id"])
    assert replay.tags["reproduces"] == original and replay.params == {"scale": 2, "label": "b"}

    data.write_text("x\n1\n2\n3\n")
    path.write_text(path.read_text().replace("scale = 2", "scale = 3"))
    stored = cli("reproduce", original)
    assert stored.returncode == 0, stored.stdout  # the stored source still has scale = 2
    current = cli("reproduce", original, "--source", "current")
    assert current.returncode == 1
    assert "param scale: 2 -> 3 (the run used the notebook's default, and the default changed)" in current.stdout
    assert "notebook cells changed: code cell 1 changed: -scale = 2" in current.stdout
    assert "label" not in current.stdout.split("likely causes")[1]  # the given param was passed again


def test_reproduce_refuses_runs_it_cannot_replay(store, cli):
    run_id = store.create_run("manual")
    done = cli("reproduce", run_id)
    assert done.returncode == 2 and "reproduce a run that has ended" in done.stderr
    store.end_run(run_id, "finished")
    done = cli("reproduce", run_id)
    assert done.returncode == 2 and "kept no source notebook" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
