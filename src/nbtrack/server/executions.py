"""Launching notebooks from JupyterLab: checked requests, one process per execution, progress."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from nbtrack.capture.notebook import declared_params, parse_notebook
from nbtrack.config import RUN_ID_ENV, STORE_ENV
from nbtrack.errors import (
    ExecutionNotFound,
    HiddenNotebook,
    NotebookNotUnderRoot,
    RunEnded,
    RunNotFound,
    UsageError,
)
from nbtrack.execution.launch import ExecutionRequest, Notebook
from nbtrack.limits import check_path
from nbtrack.records import RunError, RunStatus, to_json_value
from nbtrack.server.base import NbtrackHandler

MAX_RUNNING = 4
EXECUTIONS_SETTING = "nbtrack_executions"
# Stop asks the launcher as Ctrl-C would (the engine ends the run as killed, shuts its kernel down
# and stores the executed notebook); one that has not exited after this long is killed outright.
STOP_GRACE_S = 15.0


@dataclass
class Execution:
    """One launch: its process, the run it creates, and how many code cells it has.

    code_cells counts the notebook's code cells as written (the engine records only those).
    """

    id: str
    notebook: str  # as given, relative to the server root
    run_id: str
    params: dict[str, Any]
    code_cells: int
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.time)
    stopped: bool = False  # Stop was asked for

    @property
    def state(self) -> RunStatus:
        """The process as a run status: running, finished (exit 0), killed (stopped) or failed."""
        code = self.process.poll()
        if code is None:
            return RunStatus.RUNNING
        if self.stopped:
            return RunStatus.KILLED
        return RunStatus.FINISHED if code == 0 else RunStatus.FAILED


class Executions:
    """The executions this server launched (kept in memory: the runs themselves are in the store)."""

    def __init__(self, root_dir: str) -> None:
        self.root = Path(root_dir).resolve()
        self.items: dict[str, Execution] = {}

    def notebook_path(self, relative: object) -> Path:
        """A notebook inside the server root, or NotebookNotFound naming only what was given."""
        if not isinstance(relative, str) or not relative.strip() or "\x00" in relative:
            raise UsageError('"notebook" must be a path under the server root, such as "train.ipynb"')
        if not relative.endswith(".ipynb"):
            raise UsageError(f"notebook {relative[:80]!r} must be an .ipynb path relative to the server root")
        check_path(f"notebook {relative[:80]!r}", relative)
        try:
            path = (self.root / relative).resolve()
            found = not Path(relative).is_absolute() and path.is_relative_to(self.root) and path.is_file()
        except OSError:  # a loop of links, a name the filesystem refuses: nothing to run either way
            found = False
        if not found:
            raise NotebookNotUnderRoot(f"no notebook {relative[:80]!r} under the server root; check the path")
        return path

    def api_path(self, path: Path) -> str:
        """A resolved notebook path as the contents manager names it: '/'-separated, relative to the root."""
        return path.relative_to(self.root).as_posix()

    def launch(self, path: Path, label: str, params: object, store_uri: str) -> Execution:
        """Start path (from notebook_path) with params checked; label is the path as the client gave it."""
        notebook = Notebook.read(path, label)  # errors name the given path, not the server's
        given = notebook.check(params)  # as execute() and sweep() check them
        if sum(e.state == RunStatus.RUNNING for e in self.items.values()) >= MAX_RUNNING:
            raise UsageError(f"{MAX_RUNNING} executions are already running; wait for one to finish")
        request = ExecutionRequest(notebook=str(path), params=given, store=store_uri,
                                   tags={"launched_from": "jupyterlab"})
        env = {**os.environ, STORE_ENV: store_uri}
        env.pop(RUN_ID_ENV, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "nbtrack.execution.launch"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=None, env=env, cwd=str(path.parent),  # errors go to the server log
            start_new_session=True,  # a group of its own: Stop reaches it alone, and all of it
        )
        assert process.stdin is not None
        process.stdin.write(request.to_json().encode())
        process.stdin.close()
        # Counted as RunError.cell numbers cells: the notebook's code cells as written. The cell
        # papermill injects for params and the engine's autolog cell run too, but are not counted.
        code_cells = sum(1 for c in notebook.node.cells if c.cell_type == "code")
        execution = Execution(uuid.uuid4().hex, notebook.label, request.run_id, given, code_cells, process)
        self.items[execution.id] = execution
        return execution

    def get(self, execution_id: str) -> Execution:
        try:
            return self.items[execution_id]
        except KeyError:
            raise ExecutionNotFound(f"no execution {execution_id[:40]!r} in this server") from None

    async def stop(self, execution: Execution, store: Any) -> None:
        """End an execution as killed: SIGINT to the launcher, then SIGKILL to its group if it lingers.

        The engine takes the SIGINT as a KeyboardInterrupt: the run ends as killed with the cell
        it was in, the kernel is shut down, the executed notebook is stored. A launcher that does
        not exit within STOP_GRACE_S is killed with its group, and its run ended here as killed.
        """
        if execution.process.poll() is not None:
            return  # already over: nothing to stop, and its state stays as it ended
        execution.stopped = True
        _signal_group(execution.process, signal.SIGINT, leader_only=True)
        deadline = time.monotonic() + STOP_GRACE_S
        while execution.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if execution.process.poll() is None:
            _signal_group(execution.process, signal.SIGKILL)
            await asyncio.to_thread(execution.process.wait, 5)
        try:  # the engine never recorded the cell it was in: the one after those done
            cell = min(execution.code_cells, len(store.cells(execution.run_id)) + 1)
            store.end_run(execution.run_id, RunStatus.KILLED,
                          RunError(cell or None, "Stopped", "stopped from JupyterLab before the notebook ended"))
        except (RunNotFound, RunEnded):
            pass  # ended by the engine (the usual case), or never created

    def stop_all(self) -> None:
        for execution in self.items.values():
            if execution.process.poll() is None:
                execution.process.terminate()


def _signal_group(process: subprocess.Popen[bytes], signum: int, *, leader_only: bool = False) -> None:
    """Signal the launcher (leader_only) or its whole process group; gone already is fine."""
    try:
        if leader_only:
            process.send_signal(signum)
        else:
            os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def execution_json(execution: Execution, store: Any) -> dict[str, Any]:
    """What a progress view needs: state, the run's status, cells done of a total fixed at launch.

    All three count as RunError.cell numbers cells (the notebook's code cells as written, from 1):
    cells_total, the notebook's code cells; cells_done, those that have run (the one that raised or
    was stopped included); failed_cell, the run's error.cell once it ended failed, killed or timed
    out (the cell that raised, or the one it was in when stopped), else None. So "cell 3 of 8",
    the error's "cell 3" and the CLI's "code cell 3" name the same cell.
    """
    body: dict[str, Any] = {
        "id": execution.id, "notebook": execution.notebook, "run_id": execution.run_id,
        "params": execution.params, "state": execution.state, "cells_total": execution.code_cells,
        "cells_done": 0, "failed_cell": None, "run": None,
    }
    try:
        run = store.run(execution.run_id)
    except RunNotFound:
        if execution.state == RunStatus.FAILED:
            body["message"] = "the execution ended before its run started; the server log says why"
        return body  # the process has not created its run yet
    body["run"] = run.to_dict()
    total = execution.code_cells
    error = run.error if run.is_ended and run.status != RunStatus.FINISHED else None
    if run.status == RunStatus.FINISHED:
        body["cells_done"] = total
    elif error is not None and error.cell is not None:
        body["cells_done"] = body["failed_cell"] = error.cell
    else:
        body["cells_done"] = min(total, len(store.cells(run.id)))
    if execution.stopped and run.is_ended:
        body["state"] = run.status  # stopped: as the run ended (killed, or done just before the stop)
    return body


class LaunchHandler(NbtrackHandler):
    """A handler that reads notebooks under the root, by the contents manager's hidden-file policy."""

    auth_resource = "nbtrack:executions"

    @property
    def executions(self) -> Executions:
        return self.settings[EXECUTIONS_SETTING]

    async def visible_notebook(self, relative: object) -> Path:
        """notebook_path, refused (404, as the contents API does) if hidden and hidden files are off."""
        path = self.executions.notebook_path(relative)
        contents = self.contents_manager
        hidden = await ensure_async(contents.is_hidden(self.executions.api_path(path)))
        if hidden and not contents.allow_hidden:
            raise HiddenNotebook(
                f"notebook {str(relative)[:80]!r} is hidden (a name starting with '.'), and this server does "
                "not serve hidden files; move it out of the hidden folder or start Jupyter with "
                "--ContentsManager.allow_hidden=True"
            )
        return path


class ExecutionsHandler(LaunchHandler):
    """POST /nbtrack/api/executions {"notebook", "params"} launches; GET lists this server's launches."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        items = sorted(self.executions.items.values(), key=lambda e: e.started, reverse=True)
        self.write_json({"executions": [execution_json(e, self.store) for e in items]})

    @web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        body = self.json_body()
        unknown = set(body) - {"notebook", "params"}
        if unknown:
            raise UsageError(f"unknown field {str(sorted(unknown)[0])[:40]!r}; "
                             "send {\"notebook\": ..., \"params\": {...}}")
        notebook = body.get("notebook")
        path = await self.visible_notebook(notebook)
        execution = self.executions.launch(path, str(notebook), body.get("params", {}), self.store.uri)
        self.write_json(execution_json(execution, self.store), status=201)


class ExecutionHandler(NbtrackHandler):
    """GET /nbtrack/api/executions/<id>: progress of one launch; DELETE stops it (the run ends killed)."""

    auth_resource = "nbtrack:executions"

    @web.authenticated
    @authorized
    def get(self, execution_id: str) -> None:
        execution = self.settings[EXECUTIONS_SETTING].get(execution_id)
        self.write_json(execution_json(execution, self.store))

    @web.authenticated
    @authorized("execute")
    async def delete(self, execution_id: str) -> None:
        executions: Executions = self.settings[EXECUTIONS_SETTING]
        execution = executions.get(execution_id)
        await executions.stop(execution, self.store)
        self.write_json(execution_json(execution, self.store))


class NotebookParamsHandler(LaunchHandler):
    """GET /nbtrack/api/notebooks/params?path=: the parameters a notebook declares (the launch dialog)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        relative = self.get_query_argument("path", "")
        path = await self.visible_notebook(relative)
        nb = parse_notebook(path.read_bytes(), relative)
        params = [{"name": p.name, "kind": p.kind, "default": to_json_value(p.default), "default_source": p.default_source,
                   "help": p.help} for p in declared_params(nb).values()]
        self.write_json({"notebook": relative, "params": params})
