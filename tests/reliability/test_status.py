"""Status honesty: however a notebook ends, its run says so, and its stored notebook is valid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from sqlalchemy import text

import nbtrack
from nbtrack.errors import ExecutionFailed
from nbtrack.records import RunStatus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability")]


def stored_notebook_is_valid(run) -> nbformat.NotebookNode:
    executed = nbformat.reads(run.artifact("notebook.ipynb").decode(), as_version=4)
    nbformat.validate(executed)
    return executed


def written_cells(executed: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The code cells of the notebook as written, in the order RunError.cell numbers them from 1."""
    inserted = {"injected-parameters", "nbtrack-autolog"}
    return [c for c in executed.cells if c.cell_type == "code" and not inserted & set(c.metadata.get("tags", []))]


def test_a_raising_cell_ends_failed_numbered_as_the_code_cell_of_the_notebook_as_written(notebook, store):
    path = notebook(["x = 1", "raise ValueError('bad input row 7')", "never = True"], parameters="p = 1")
    # the engine's autolog cell and papermill's injected parameters run too, but are not counted
    with pytest.raises(ExecutionFailed, match="failed in cell 3: ValueError: bad input row 7") as caught:
        nbtrack.execute(path, {"p": 2}, store=store)
    run = store.run(caught.value.run_id)
    assert run.status is RunStatus.FAILED
    assert (run.error.cell, run.error.ename, run.error.evalue) == (3, "ValueError", "bad input row 7")
    executed = stored_notebook_is_valid(run)
    assert written_cells(executed)[2].outputs[0].ename == "ValueError"


def test_a_cell_over_the_timeout_ends_timeout(notebook, store):
    path = notebook(["import time", "time.sleep(30)"])
    run = nbtrack.execute(path, store=store, timeout=2, raise_errors=False)
    assert run.status is RunStatus.TIMEOUT and run.error.cell == 2
    assert run.duration < 25
    stored_notebook_is_valid(run)


def test_a_kernel_that_kills_itself_ends_killed(notebook, store):
    path = notebook(["import os", "os._exit(1)", "never = True"])
    run = nbtrack.execute(path, store=store, raise_errors=False)
    assert run.status is RunStatus.KILLED
    assert run.error.ename == "DeadKernelError" and run.error.cell == 2
    stored_notebook_is_valid(run)


def test_sys_exit_zero_ends_finished_and_names_the_cell_where_it_stopped(notebook, store):
    path = notebook(["a = 1", "import sys; sys.exit(0)", "never = True"])
    run = nbtrack.execute(path, store=store)
    assert run.status is RunStatus.FINISHED
    assert (run.error.cell, run.error.ename) == (2, "SystemExit")
    stored_notebook_is_valid(run)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_nbtrack_run_ends_killed(notebook, store, store_path, signum):
    path = notebook(["import time", "open('started', 'w').close()\nfor _ in range(600):\n    time.sleep(0.1)"])
    marker = path.parent / "started"
    # Ctrl-C reaches the child as a terminal's foreground job, whoever started pytest: a suite run in
    # the background of a non-interactive shell inherits SIGINT ignored, and Python keeps that.
    proc = subprocess.Popen([sys.executable, "-m", "nbtrack", "run", str(path), "--store", str(store_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert err.strip() == "nbtrack: interrupted; the run ended as killed"  # no kernel noise, no traceback
    run = store.run(store.runs()[0].id)
    assert run.status is RunStatus.KILLED
    executed = stored_notebook_is_valid(run)
    assert "range(600)" in written_cells(executed)[run.error.cell - 1].source


def test_a_kernel_killed_under_an_open_interactive_run_shows_lost_after_the_heartbeat_window(
        store, store_path, monkeypatch):
    monkeypatch.setenv("NBTRACK_HEARTBEAT", "0.5")
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env={**os.environ, "NBTRACK_STORE": str(store_path), "NBTRACK_HEARTBEAT": "0.5"})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("import nbtrack\nrun = nbtrack.start_run(experiment='interactive')",
                                           timeout=60)
        assert reply["content"]["status"] == "ok"
        (run,) = store.runs()
        assert run.status is RunStatus.RUNNING
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        time.sleep(3 * 0.5 + 1.0)  # past the window: three missed heartbeats
        assert store.run(run.id).status is RunStatus.LOST
        assert [r.id for r in store.runs(where="status = 'lost'")] == [run.id]
    finally:
        client.stop_channels()
        manager.cleanup_resources()


def start_writer(store_path, heartbeat: float) -> tuple[subprocess.Popen[str], str]:
    """A process with an open run that heartbeats every `heartbeat` seconds; returns it and the run id."""
    code = ("import time, nbtrack\n"
            "run = nbtrack.start_run(experiment='writers', display=False)\n"
            "print(run.id, flush=True)\n"
            "time.sleep(600)\n")
    env = {**os.environ, "NBTRACK_STORE": str(store_path), "NBTRACK_HEARTBEAT": str(heartbeat)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    return proc, proc.stdout.readline().strip()


def kill_9(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait(timeout=30)


def test_a_live_writer_is_judged_by_its_own_heartbeat_not_the_readers(store, store_path, monkeypatch):
    proc, run_id = start_writer(store_path, heartbeat=2.0)  # lost after 6 s of silence
    try:
        monkeypatch.setenv("NBTRACK_HEARTBEAT", "0.3")  # the reader's own window would be 0.9 s
        seen = set()
        deadline = time.monotonic() + 5.0  # more than two of the writer's heartbeats
        while time.monotonic() < deadline:
            seen.add(store.run(run_id).status)
            time.sleep(0.1)
        assert seen == {RunStatus.RUNNING}
        kill_9(proc)
        killed_at = time.monotonic()
        while store.run(run_id).status is RunStatus.RUNNING:
            assert time.monotonic() - killed_at < 6.0 + 5.0, "a killed writer's run never read as lost"
            time.sleep(0.2)
        assert store.run(run_id).status is RunStatus.LOST
    finally:
        proc.kill()


def test_fsck_mark_lost_stores_lost_for_a_writer_killed_9_never_for_a_live_one(store, store_path, cli):
    live, live_id = start_writer(store_path, heartbeat=1.0)  # lost after 3 s of silence
    killed, killed_id = start_writer(store_path, heartbeat=1.0)
    try:
        for _ in range(3):  # while both beat, nothing is marked
            marked = cli("fsck", "--mark-lost", "--store", store_path, "--format", "json")
            assert marked.returncode == 0 and json.loads(marked.stdout)["marked_lost"] == [], marked.stderr
        kill_9(killed)
        deadline = time.monotonic() + 15.0
        while store.run(killed_id).status is not RunStatus.LOST:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        marked = cli("fsck", "--mark-lost", "--store", store_path)
        assert marked.returncode == 0, marked.stdout + marked.stderr
        assert marked.stdout.splitlines()[:2] == ["marked 1 runs lost", f"  {killed_id}"]
        again = cli("fsck", "--mark-lost", "--store", store_path)
        assert again.stdout.splitlines()[0] == "marked 0 runs lost"
        with store.engine.connect() as conn:  # stored, not derived: an import now takes it
            stored = dict(conn.execute(text("SELECT id, status FROM runs")).all())
        assert stored == {killed_id: "lost", live_id: "running"}
        imported = cli("import", store_path, "--store", store_path.parent / "copy")
        assert imported.returncode == 0, imported.stderr
        copy = nbtrack.open_store(store_path.parent / "copy")
        assert [(r.id, r.status) for r in copy.runs()] == [(killed_id, RunStatus.LOST)]
        assert store.run(live_id).status is RunStatus.RUNNING
    finally:
        live.kill()
        killed.kill()
