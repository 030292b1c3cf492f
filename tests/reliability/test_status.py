"""Status honesty: however a notebook ends, its run says so, and its stored notebook is valid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from jupyter_client.manager import KernelManager

import nbtrack
from nbtrack.errors import ExecutionFailed
from nbtrack.records import RunStatus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability")]


def stored_notebook_is_valid(run) -> nbformat.NotebookNode:
    executed = nbformat.reads(run.artifact("notebook.ipynb").decode(), as_version=4)
    nbformat.validate(executed)
    return executed


def test_a_raising_cell_ends_failed_with_its_index_and_error(notebook, store):
    path = notebook(["x = 1", "raise ValueError('bad input row 7')", "never = True"])
    # cell 0 is the autolog cell the engine adds: the index is the executed notebook's
    with pytest.raises(ExecutionFailed, match="failed in cell 2: ValueError: bad input row 7") as caught:
        nbtrack.execute(path, store=store)
    run = store.run(caught.value.run_id)
    assert run.status is RunStatus.FAILED
    assert (run.error.cell, run.error.ename, run.error.evalue) == (2, "ValueError", "bad input row 7")
    executed = stored_notebook_is_valid(run)
    assert executed.cells[2].outputs[0].ename == "ValueError"


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
    assert "range(600)" in executed.cells[run.error.cell].source


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
