"""The model registry through the CLI: versions, aliases, references, concurrent promotes."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def finished_run(store, f1: float, *, status: str = "finished") -> str:
    run_id = store.create_run("churn", params={"f1": f1})
    store.log_metrics(run_id, [("test.f1", 0, f1, 0)])
    store.add_artifact(run_id, "model.skops", data=b"model bytes %f" % f1)
    store.end_run(run_id, status)
    return run_id


def test_register_gives_numbered_versions_and_references_resolve_everywhere(store, cli):
    first, second = finished_run(store, 0.91), finished_run(store, 0.93)
    done = cli("models", "register", "churn", "--run", first[:10], "--artifact", "model.skops")
    assert done.returncode == 0, done.stderr
    assert "churn@1" in done.stdout
    assert cli("models", "register", "churn", "--run", second).returncode == 0
    assert cli("models", "promote", "churn", "1", "--alias", "champion").returncode == 0
    moved = cli("models", "promote", "churn", "2", "--format", "json")
    assert json.loads(moved.stdout) | {"moved_at": 0} == {
        "name": "churn", "alias": "champion", "previous": 1, "version": 2, "moved_at": 0,
        "moved_by": getpass.getuser()}  # who ran the command, kept in the alias history

    shown = json.loads(cli("show", "churn@champion", "--format", "json").stdout)
    assert shown["id"] == second
    assert json.loads(cli("show", "churn@1", "--format", "json").stdout)["id"] == first
    assert json.loads(cli("show", "churn@latest", "--format", "json").stdout)["id"] == second
    compared = cli("compare", "churn@1", "churn@champion", "--format", "json")
    assert [r["id"] for r in json.loads(compared.stdout)] == [first, second]

    details = json.loads(cli("models", "show", "churn", "--format", "json").stdout)
    assert [v["version"] for v in details["versions"]] == [2, 1]
    assert details["versions"][1]["artifact"] == "model.skops"
    assert details["aliases"]["champion"]["version"] == 2
    assert [(m["previous"], m["version"]) for m in details["history"]] == [(None, 1), (1, 2)]
    listed = cli("models", "list")
    assert "churn" in listed.stdout and "champion=2" in listed.stdout

    assert store.models.get("churn@champion").run_id == second
    assert store.run("churn@1").id == first



def test_models_show_lists_more_versions_than_a_filter_may_compare(store, cli):
    # It once read the versions' runs with one "id = ... or" per version: past 100 that is a QueryError.
    from nbtrack.store.query import MAX_TERMS

    for n in range(MAX_TERMS + 5):
        store.models.register("churn", finished_run(store, n / 1000))
    done = cli("models", "show", "churn")
    assert done.returncode == 0, done.stderr
    assert all(f" {n / 1000:g} " in done.stdout for n in (1, 50, MAX_TERMS + 4)), done.stdout  # each run's test.f1

def test_bad_registry_input_prints_one_line_and_exits_2(store, cli):
    failed = finished_run(store, 0.5, status="failed")
    good = finished_run(store, 0.9)
    cases = [
        (("models", "register", "churn", "--run", failed), "register a finished run"),
        (("models", "register", "churn", "--run", good, "--artifact", "nope.pkl"), "has no artifact"),
        (("models", "register", "bad name", "--run", good), "model name"),
        (("show", "missing@champion"), "no model 'missing'"),
    ]
    for args, words in cases:
        done = cli(*args)
        assert done.returncode == 2, (args, done.stdout)
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert cli("models", "register", "churn", "--run", good).returncode == 0
    for args, words in [(("models", "promote", "churn", "7"), "no version 7"),
                        (("models", "promote", "churn", "1", "--alias", "latest"), "alias 'latest'"),
                        (("show", "churn@staging"), "no alias 'staging'")]:
        done = cli(*args)
        assert done.returncode == 2 and words in done.stderr, done.stderr


def _promote_together(folder: Path, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start each promote as its own process at the same moment (a shared start file)."""
    go = folder / "go"
    go.unlink(missing_ok=True)
    waiter = ("import os, sys, time, runpy\n"
              f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
              "sys.argv = ['nbtrack', *sys.argv[1:]]\n"
              "runpy.run_module('nbtrack', run_name='__main__')\n")
    procs = [subprocess.Popen([sys.executable, "-c", waiter, *cmd], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ)) for cmd in commands]
    import time

    time.sleep(1.5)  # both processes imported and waiting
    go.write_text("")
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_two_concurrent_promotes_one_wins_and_history_is_kept(store, tmp_path):
    concurrent_promotes_keep_one_chain(store, tmp_path)


@pytest.fixture(scope="module")
def postgres_server():
    from local_servers import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_promotes_on_postgresql_keep_one_chain(postgres_server, tmp_path, monkeypatch):
    from nbtrack.store import open_store

    url = postgres_server.url(postgres_server.new_schema())
    monkeypatch.setenv("NBTRACK_STORE", url)  # the promoting processes open the same store
    monkeypatch.setenv("NBTRACK_ARTIFACTS", str(tmp_path / "objects"))
    concurrent_promotes_keep_one_chain(open_store(url), tmp_path)


def concurrent_promotes_keep_one_chain(store, folder: Path) -> None:
    for f1 in (0.90, 0.91, 0.92):
        store.models.register("churn", finished_run(store, f1))
    store.models.promote("churn", 1)

    # Compare-and-set: both expect version 1 as champion; exactly one may move it.
    results = _promote_together(folder, ["models", "promote", "churn", "2", "--expect", "1"],
                                ["models", "promote", "churn", "3", "--expect", "1"])
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1], [(r.returncode, r.stderr) for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "someone moved it" in loser.stderr
    winner = 2 if results[0].returncode == 0 else 3
    history = store.models.history("churn", "champion")
    assert [(m.previous, m.version) for m in history] == [(None, 1), (1, winner)]

    # Unconditional promotes at once: both apply, one after the other; no move is lost.
    results = _promote_together(folder, ["models", "promote", "churn", "1"], ["models", "promote", "churn", "3"])
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    history = store.models.history("churn", "champion")
    assert len(history) == 4
    for before, after in zip(history, history[1:]):
        assert after.previous == before.version  # a chain: each move saw the one before it
    assert store.models.get("churn@champion").version == history[-1].version


def test_versions_past_what_a_database_holds_or_in_other_digits_are_one_line_errors(store, cli):
    store.models.register("churn", finished_run(store, 0.9))
    for ref in ("churn@99999999999999999999", "churn@²", "churn@000000000000000000001x"):
        shown = cli("show", ref)
        assert shown.returncode == 2 and shown.stderr.startswith("nbtrack: error:"), (ref, shown.stderr)
        assert "Traceback" not in shown.stderr and len(shown.stderr.strip().splitlines()) == 1
    promoted = cli("models", "promote", "churn", "99999999999999999999")
    assert promoted.returncode == 2 and "from 1 to 2147483647" in promoted.stderr
    assert json.loads(cli("show", "churn@0000001", "--format", "json").stdout)["status"] == "finished"
