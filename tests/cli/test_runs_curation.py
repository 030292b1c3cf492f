"""nbtrack runs rename|note|archive|restore|delete and nbtrack views, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def three(store):
    """Three finished runs of model rf, rf and lr; returns their ids."""
    ids = []
    for model in ("rf", "rf", "lr"):
        run_id = store.create_run("train", params={"model": model})
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def listed(cli, *args):
    result = cli("runs", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return [r["id"] for r in json.loads(result.stdout)]


def test_rename_and_note_from_an_argument_or_stdin(cli, store, three, store_path):
    result = cli("runs", "rename", three[0][:10], "rf baseline")
    assert result.returncode == 0 and f"run {three[0]} is now named rf baseline" in result.stdout
    assert cli("runs", "note", three[0], "first *note*").returncode == 0
    assert store.run(three[0]).note == "first *note*"
    piped = subprocess.run([sys.executable, "-m", "nbtrack", "runs", "note", three[1], "-"], input="# from stdin\n",
                           capture_output=True, text=True, env=os.environ, check=False)
    assert piped.returncode == 0 and store.run(three[1]).note == "# from stdin\n"
    assert listed(cli, "--where", "notes like '%stdin%'") == [three[1]]
    bad = cli("runs", "rename", three[0], "")
    assert bad.returncode == 2 and bad.stderr.startswith("nbtrack: error: a run name is one line")


def test_archive_hides_runs_until_restored_and_runs_lists_them_on_request(cli, store, three):
    result = cli("runs", "archive", "--where", "params.model = 'rf'")
    assert result.returncode == 0 and result.stdout.startswith("archived 2 runs")
    assert listed(cli) == [three[2]]
    assert set(listed(cli, "--archived", "only")) == set(three[:2])
    assert len(listed(cli, "--archived", "include")) == 3
    assert cli("runs", "restore", three[0]).returncode == 0
    assert set(listed(cli)) == {three[0], three[2]}


def test_delete_asks_first_and_reports_what_it_refused_with_exit_one(cli, store, three):
    store.models.register("churn", three[2])
    declined = subprocess.run([sys.executable, "-m", "nbtrack", "runs", "delete", three[0]], input="n\n",
                              capture_output=True, text=True, env=os.environ, check=False)
    assert declined.returncode == 1 and "Delete 1 runs for good" in declined.stderr
    assert store.count() == 3
    result = cli("runs", "delete", "--yes", three[0], three[2])
    assert result.returncode == 1
    assert result.stdout.strip() == f"deleted 1 runs: {three[0]}"
    assert f"nbtrack: refused {three[2]}: run {three[2]} is model churn v1" in result.stderr
    assert set(listed(cli)) == {three[1], three[2]}


@pytest.mark.parametrize("args, problem", [
    (["archive"], "name the runs to archive either as ids"),
    (["archive", "X", "--where", "params.model = 'rf'"], "not both and not neither"),
    (["delete", "--yes", "--where", "params.modle = 'rf'"], "unknown key params.modle; did you mean params.model?"),
    (["--archived", "all"], "Invalid value for '--archived'"),
])
def test_bad_curation_commands_fail_in_one_line(cli, three, args, problem):
    result = cli("runs", *args)
    assert result.returncode == 2 and problem in result.stderr and "Traceback" not in result.stderr


def test_views_are_listed_shown_and_deleted(cli, store, three):
    store.save_view("rf runs", {"where": "params.model = 'rf'", "columns": ["params.model"], "order": ["-started"]})
    table = cli("views", "list")
    assert table.returncode == 0 and "rf runs" in table.stdout and "params.model = 'rf'" in table.stdout
    shown = json.loads(cli("views", "show", "rf runs", "--format", "json").stdout)
    assert shown["columns"] == ["params.model"] and shown["archived"] == "hide"
    assert cli("views", "delete", "rf runs").returncode == 0
    missing = cli("views", "show", "rf runs")
    assert missing.returncode == 2 and "no saved view 'rf runs'" in missing.stderr
    assert "no saved views" in cli("views", "list").stdout
