"""A run ended by hand (a notebook in JupyterLab, a script) has its alert rules evaluated too."""

from __future__ import annotations

import json
import sys

import pytest

import nbtrack

pytestmark = pytest.mark.slow


def test_finishing_an_interactive_run_evaluates_the_rules_in_a_process_of_its_own(tmp_path, monkeypatch, store):
    fired = tmp_path / "fired.json"
    recorder = f"import sys, pathlib; pathlib.Path({str(fired)!r}).write_text(sys.stdin.read())"
    (tmp_path / "nbtrack.toml").write_text(
        '[[alerts]]\nname = "accuracy-drop"\nwhen = "metrics.val.acc < 0.8"\n'
        f"command = [{json.dumps(sys.executable)}, \"-c\", {json.dumps(recorder)}]\n")
    monkeypatch.chdir(tmp_path)
    run = nbtrack.start_run(experiment="by-hand", store=store, display=False)
    run.log_metric("val.acc", 0.6)
    run.finish()
    assert run.alerts is not None and run.alerts.wait(timeout=120) == 0
    firing = json.loads(fired.read_text())
    assert firing["rule"] == "accuracy-drop" and firing["run_id"] == run.id
    (record,) = store.run(run.id).records("alert")
    assert record.body["fired"] is True


def test_without_a_rules_file_nothing_starts(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    run = nbtrack.start_run(experiment="by-hand", store=store, display=False)
    run.finish()
    assert run.alerts is None
