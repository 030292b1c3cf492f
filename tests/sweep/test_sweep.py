"""Sweeps: grid and random combinations, resume, Ctrl-C, kernel start retries, Dask workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import nbtrack
from nbtrack.errors import ParameterError, UsageError
from nbtrack.execution.sweep import Range, combinations, parse_axis, sweep_name, varying_params
from nbtrack.store import open_store

TINY = Path(__file__).parent / "notebooks" / "tiny.ipynb"


# -- combinations (no kernel) ---------------------------------------------------


def test_grid_axes_parse_values_as_yaml_and_ranges_as_ranges():
    assert parse_axis("model=rf,gb") == ("model", ["rf", "gb"])
    assert parse_axis("max_depth=3,5,8") == ("max_depth", [3, 5, 8])
    assert parse_axis("C=log:0.01..10") == ("C", Range(0.01, 10, "log"))
    assert parse_axis("x=0..1") == ("x", Range(0, 1))
    assert parse_axis("n=int:1..10") == ("n", Range(1, 10, "int"))
    assert parse_axis("flag=true") == ("flag", [True])


def test_a_grid_is_every_combination_in_order():
    combos = combinations({"model": ["rf", "gb"], "max_depth": [3, 5, 8]})
    assert combos == [{"model": m, "max_depth": d} for m in ("rf", "gb") for d in (3, 5, 8)]


def test_random_draws_stay_in_their_ranges_and_repeat_with_the_seed():
    space = {"C": Range(0.01, 10, "log"), "x": Range(0, 1), "n": Range(1, 10, "int"), "model": ["rf", "gb"]}
    draws = combinations(space, random=200, seed=1)
    assert len(draws) == 200
    assert all(0.01 <= d["C"] <= 10 and 0 <= d["x"] <= 1 and 1 <= d["n"] <= 10 for d in draws)
    assert {d["n"] for d in draws} == set(range(1, 11)) and {d["model"] for d in draws} == {"rf", "gb"}
    assert all(isinstance(d["n"], int) and isinstance(d["model"], str) for d in draws)
    # log-uniform: about as many draws below 0.316 (the geometric middle) as above
    assert 70 < sum(d["C"] < 0.316 for d in draws) < 130
    assert combinations(space, random=200, seed=1) == draws
    assert combinations(space, random=200, seed=2) != draws


def test_a_sweep_run_is_named_by_the_params_that_vary_in_its_sweep_only():
    grid = combinations({"model": ["rf", "gb"], "max_depth": [3, 5], "seed": [1]})
    assert varying_params(grid) == ["model", "max_depth"]
    assert sweep_name("train_classifier", grid[1], varying_params(grid)) == "model=rf max_depth=5"
    assert sweep_name("nb", {"x": 1}, []) == "nb"


@pytest.mark.parametrize("text", ["x", "=1,2", "x=", "1x=2"])
def test_a_malformed_grid_axis_is_a_usage_error(text):
    with pytest.raises(ParameterError, match="--grid takes NAME=VALUES"):
        parse_axis(text)


@pytest.mark.parametrize("text, problem", [("C=log:0..1", "low > 0"), ("x=1..0", "low < high"),
                                           ("n=int:1..2.5", "whole bounds")])
def test_a_bad_range_names_the_problem(text, problem):
    with pytest.raises(ParameterError, match=problem):
        parse_axis(text)


def test_a_range_without_random_asks_for_random():
    with pytest.raises(ParameterError, match="--random N"):
        combinations({"x": Range(0, 1)})


def test_bad_sweeps_are_refused_before_anything_runs(store):
    with pytest.raises(ParameterError, match="declares no parameter 'depth'"):
        nbtrack.sweep(TINY, {"depth": [1, 2]}, store=store)
    with pytest.raises(ParameterError, match="is a number"):
        nbtrack.sweep(TINY, {"a": ["rf"]}, store=store)
    with pytest.raises(UsageError, match="'workers' parameter of sweep must be an int >= 1. Got 0"):
        nbtrack.sweep(TINY, {"a": [1]}, workers=0, store=store)
    assert store.runs() == []


def test_the_cli_refuses_a_bad_sweep_in_one_line(cli):
    result = cli("sweep", TINY, "--grid", "x=log:-1..1", "--random", "2")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("nbtrack: error: a log range needs low > 0")
    result = cli("sweep", TINY)
    assert result.returncode == 2 and "at least one --grid" in result.stderr


# -- real kernels -----------------------------------------------------------------


@pytest.mark.slow
def test_a_grid_sweep_runs_every_combination_in_fresh_kernels_and_resume_skips_finished_ones(cli, store):
    result = cli("sweep", TINY, "--grid", "a=1,2", "--grid", "b=0.5,1", "--workers", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert [(r["params"]["a"], r["params"]["b"]) for r in runs] == [(1, 0.5), (1, 1.0), (2, 0.5), (2, 1.0)]
    assert {r["status"] for r in runs} == {"finished"}
    assert [r["name"] for r in runs] == ["a=1 b=0.5", "a=1 b=1", "a=2 b=0.5", "a=2 b=1"]
    sweep_ids = {r["tags"]["sweep"] for r in runs}
    assert len(sweep_ids) == 1
    stored = {r.id: r for r in store.runs()}
    assert set(stored) == {r["id"] for r in runs}
    for run in stored.values():
        assert run.metrics["score"] == run.params["a"] * run.params["b"]
        assert run.metrics["leaked"] == 1  # no state from an earlier execution in the kernel
        assert run.artifact("notebook.ipynb")  # the executed notebook, stored whole
        cells = run.cells()
        # pre-started kernels measured; the notebook's own 3 code cells, numbered as written
        assert [c.index for c in cells] == [1, 2, 3] and all(c.cpu_s is not None for c in cells)
    assert len({run.metrics["draw"] for run in stored.values()}) == 4  # no kernel repeats another's randomness
    # The progress bar: per-status counts and tqdm's elapsed<remaining.
    assert "finished=4" in result.stderr and "4/4" in result.stderr and "<00:00" in result.stderr

    again = cli("sweep", TINY, "--grid", "a=1,2,3", "--grid", "b=0.5,1", "--workers", "2", "--resume",
                "--format", "json")
    assert again.returncode == 0, again.stderr
    resumed = json.loads(again.stdout)
    assert [r["id"] for r in resumed[:4]] == [r["id"] for r in runs]  # skipped, not executed again
    assert [(r["params"]["a"], r["params"]["b"]) for r in resumed[4:]] == [(3, 0.5), (3, 1.0)]
    assert {r["tags"]["sweep"] for r in resumed} == sweep_ids  # the same sweep, completed
    assert "skipped=4" in again.stderr
    assert store.count() == 6


@pytest.mark.slow
def test_a_failed_combination_fails_the_sweep_and_is_run_again_on_resume(cli, store):
    result = cli("sweep", TINY, "--grid", "sleep=-1,0", "--workers", "2")  # time.sleep(-1) raises
    assert result.returncode == 1
    assert "failed=1" in result.stderr and "finished=1" in result.stderr
    again = cli("sweep", TINY, "--grid", "sleep=-1,0", "--workers", "2", "--resume", "--format", "json")
    assert again.returncode == 1 and "skipped=1" in again.stderr
    runs = {r.id: r for r in store.runs()}
    assert len(runs) == 3  # the finished one was skipped, the failed one executed again
    resumed = json.loads(again.stdout)
    assert [(r["params"]["sleep"], r["status"]) for r in resumed] == [(-1, "failed"), (0, "finished")]
    assert runs[resumed[0]["id"]].error.ename == "ValueError"


@pytest.mark.slow
def test_a_random_sweep_through_the_api_returns_its_runs(store):
    runs = nbtrack.sweep(TINY, {"a": Range(1, 10, "int"), "b": Range(0.01, 10, "log"), "label": ["p", "q"]},
                         random=3, seed=7, workers=2, store=store)
    expected = combinations({"a": Range(1, 10, "int"), "b": Range(0.01, 10, "log"), "label": ["p", "q"]},
                            random=3, seed=7)
    assert [{k: r.params[k] for k in ("a", "b", "label")} for r in runs] == expected
    assert all(r.status == nbtrack.RunStatus.FINISHED for r in runs)
    assert len({r.tags["sweep"] for r in runs}) == 1


@pytest.mark.slow
@pytest.mark.parametrize("where", [[], ["--dask", "local"]], ids=["local", "dask"])
def test_ctrl_c_ends_running_executions_as_killed_and_leaves_no_kernel(tmp_path, store_path, where):
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbtrack", "sweep", str(TINY), "--grid", "a=1,2,3,4", "--grid", "sleep=60",
         "--workers", "2", *where],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal's job, whoever ran pytest
    )
    store = open_store(store_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = [r for r in store.runs() if r.cells() and r.metrics.get("leaked") == 1]
        if len(running) == 2:
            break
        time.sleep(0.3)
    assert len(running) == 2, "two executions should be running"
    # The metric is written (within a second, or at the cell's end) before the engine hears that
    # its cell ended: on a loaded machine the kill could land in that gap. The next cell sleeps
    # 60 s; a few seconds in, both executions are surely in it.
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "sweep interrupted; 2 running executions ended as killed" in err
    assert "Traceback" not in err
    runs = store.runs()
    assert sorted(str(r.status) for r in runs) == ["killed", "killed"], [(r.params, r.error) for r in runs]
    for run in runs:
        cells = json.loads(run.artifact("notebook.ipynb"))["cells"]  # whole and verified
        written = [c for c in cells if c["cell_type"] == "code"
                   and not {"injected-parameters", "nbtrack-autolog"} & set(c["metadata"].get("tags", []))]
        sleeping = next(n for n, c in enumerate(written, 1) if "".join(c["source"]) == "time.sleep(sleep)")
        assert run.error is not None and run.error.cell == sleeping and run.error.ename == "DeadKernelError"
    assert _processes_of([r.id for r in runs]) == []


@pytest.mark.slow
def test_a_kernel_start_that_fails_with_address_already_in_use_is_retried(tmp_path, monkeypatch, store):
    # A kernelspec whose first two starts die exactly as colliding kernels do.
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    counter = tmp_path / "starts"
    launcher = tmp_path / "flaky_kernel.py"
    launcher.write_text(textwrap.dedent(f"""
        import pathlib, sys
        counter = pathlib.Path({str(counter)!r})
        starts = len(counter.read_text()) if counter.exists() else 0
        counter.write_text("x" * (starts + 1))
        if starts < 2:
            import zmq
            context = zmq.Context()
            first, second = context.socket(zmq.ROUTER), context.socket(zmq.ROUTER)
            port = first.bind_to_random_port("tcp://127.0.0.1")
            second.bind(f"tcp://127.0.0.1:{{port}}")  # raises ZMQError: Address already in use
        from ipykernel import kernelapp
        kernelapp.launch_new_instance()
    """))
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, str(launcher), "-f", "{connection_file}"],
        "display_name": "flaky", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = json.loads(TINY.read_text())
    nb["metadata"]["kernelspec"] = {"name": "flaky", "display_name": "flaky", "language": "python"}
    flaky = tmp_path / "flaky.ipynb"
    flaky.write_text(json.dumps(nb))
    [run] = nbtrack.sweep(flaky, {"a": [5]}, store=store)
    assert run.status == nbtrack.RunStatus.FINISHED and run.metrics["score"] == 2.5
    assert counter.read_text() == "xxx"  # two failed starts, then one that worked


@pytest.mark.slow
def test_a_kernel_that_never_starts_leaves_a_failed_run_for_its_combination(tmp_path, cli, store):
    # Before: the combination vanished from the results and the sweep exited 0.
    spec = tmp_path / "jupyter" / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "raise SystemExit(3)", "{connection_file}"],
        "display_name": "broken", "language": "python",
    }))
    nb = json.loads(TINY.read_text())
    nb["metadata"]["kernelspec"] = {"name": "broken", "display_name": "broken", "language": "python"}
    broken = tmp_path / "broken.ipynb"
    broken.write_text(json.dumps(nb))
    result = cli("sweep", broken, "--grid", "a=1,2", "--workers", "2", "--format", "json",
                 env={"JUPYTER_PATH": str(tmp_path / "jupyter")})
    assert result.returncode == 1 and "failed=2" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    runs = json.loads(result.stdout)
    assert [(r["params"]["a"], r["status"]) for r in runs] == [(1, "failed"), (2, "failed")]
    assert len({r["tags"]["sweep"] for r in runs}) == 1
    for run in store.runs():
        assert run.error.ename == "KernelStartFailed" and "did not start" in run.error.evalue


@pytest.mark.slow
def test_a_dask_local_cluster_of_two_workers_writes_six_runs_into_one_store(cli, store):
    result = cli("sweep", TINY, "--grid", "a=1,2,3", "--grid", "b=1,2", "--workers", "2", "--dask", "local",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    stored = store.runs()
    assert len(stored) == 6 and len({r.id for r in stored}) == 6  # none lost, none twice
    assert sorted((r.params["a"], r.params["b"]) for r in stored) == [(a, b) for a in (1, 2, 3) for b in (1, 2)]
    assert {str(r.status) for r in stored} == {"finished"}
    assert {r.tags["sweep"] for r in stored} == {runs[0]["tags"]["sweep"]}
    assert all(r.metrics["score"] == r.params["a"] * r.params["b"] for r in stored)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.s3
def test_a_sweep_writes_into_a_team_store_of_postgresql_and_s3(cli, postgres_server, s3_server, monkeypatch):
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)  # the CLI and its kernels reach the S3 server
    monkeypatch.setenv("NBTRACK_ARTIFACTS", f"s3://{s3_server.new_bucket()}/objects")
    url = postgres_server.url(postgres_server.new_schema())
    result = cli("sweep", TINY, "--grid", "a=1,2", "--workers", "2", "--store", url, "--format", "json")
    assert result.returncode == 0, (result.stderr, [r["error"] for r in json.loads(result.stdout or "[]")])
    store = open_store(url)
    try:
        runs = store.runs(order_by=["params.a"])
        made = [(r["id"], r["params"].get("a"), r["status"]) for r in json.loads(result.stdout)]
        # Seen once in a fresh clone's full run: one of the two runs missing. The message keeps
        # what the sweep said it made, to tell a lost write from a run written elsewhere.
        assert [(r.params["a"], str(r.status)) for r in runs] == [(1, "finished"), (2, "finished")], made
        assert [r.metrics["score"] for r in runs] == [0.5, 1.0]  # logged by the kernels, into PostgreSQL
        executed = json.loads(store.read_artifact(runs[0].id, "notebook.ipynb"))  # bytes from S3, verified
        assert executed["metadata"]["nbtrack"]["run_id"] == runs[0].id
    finally:
        store.close()


def _processes_of(run_ids: list[str]) -> list[int]:
    """Kernels left alive: started with one of these runs in their environment, or forked
    from a sweep's kernel template that is gone (their parent is then init)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if any(f"NBTRACK_RUN_ID={run_id}".encode() in environ for run_id in run_ids) or (
                b"kernelapp.launch_new_instance" in cmdline and parent == 1):
            found.append(int(entry.name))
    return found


def test_sweep_is_public():
    assert "sweep" in nbtrack.__all__ and nbtrack.sweep.__module__ == "nbtrack.execution.sweep"


@pytest.mark.slow
def test_the_sweep_summary_shows_the_metrics_that_vary_best_first(cli, store):
    result = cli("sweep", TINY, "--grid", "a=1,2", "--grid", "b=0.5,1", "--workers", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["run", "status", "a", "b", "draw", "score", "duration"]  # leaked is 1 in each
    draws = [float(line.split()[4]) for line in lines[2:6]]
    assert draws == sorted(draws, reverse=True)  # by the first metric, highest first
    scores = {float(line.split()[5]) for line in lines[2:6]}
    assert scores == {0.5, 1.0, 2.0}
