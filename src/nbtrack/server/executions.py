"""Launching notebooks from JupyterLab: checked requests, one process per execution, progress."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from nbtrack.capture.notebook import declared_params, parse_notebook
from nbtrack.errors import NotFound, RunNotFound, UsageError
from nbtrack.execution.launch import ExecutionRequest, Notebook
from nbtrack.records import to_json_value
from nbtrack.server.base import NbtrackHandler

MAX_RUNNING = 4
EXECUTIONS_SETTING = "nbtrack_executions"


class ExecutionNotFound(NotFound):
    """No execution of that id in this server."""


class NotebookNotUnderRoot(NotFound):
    """No notebook at that path inside the server root (missing, or a path that leaves the root)."""


@dataclass
class Execution:
    """One launch: its process, the run it creates, and how many code cells it has."""

    id: str
    notebook: str  # as given, relative to the server root
    run_id: str
    params: dict[str, Any]
    code_cells: int
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.time)

    @property
    def state(self) -> str:
        code = self.process.poll()
        return "running" if code is None else ("finished" if code == 0 else "failed")


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
        path = (self.root / relative).resolve()
        if Path(relative).is_absolute() or not path.is_relative_to(self.root) or not path.is_file():
            raise NotebookNotUnderRoot(f"no notebook {relative[:80]!r} under the server root; check the path")
        return path

    def launch(self, relative: object, params: object, store_uri: str) -> Execution:
        path = self.notebook_path(relative)
        notebook = Notebook.read(path, str(relative))  # errors name the given path, not the server's
        given = notebook.check(params)  # as execute() and sweep() check them
        if sum(e.state == "running" for e in self.items.values()) >= MAX_RUNNING:
            raise UsageError(f"{MAX_RUNNING} executions are already running; wait for one to finish")
        request = ExecutionRequest(notebook=str(path), params=given, store=store_uri,
                                   tags={"launched_from": "jupyterlab"})
        env = {**os.environ, "NBTRACK_STORE": store_uri}
        env.pop("NBTRACK_RUN_ID", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "nbtrack.execution.launch"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=None, env=env, cwd=str(path.parent),  # errors go to the server log
        )
        assert process.stdin is not None
        process.stdin.write(request.to_json().encode())
        process.stdin.close()
        code_cells = sum(1 for c in notebook.node.cells if c.cell_type == "code") + (1 if given else 0)
        execution = Execution(uuid.uuid4().hex, notebook.label, request.run_id, given, code_cells, process)
        self.items[execution.id] = execution
        return execution

    def get(self, execution_id: str) -> Execution:
        try:
            return self.items[execution_id]
        except KeyError:
            raise ExecutionNotFound(f"no execution {execution_id[:40]!r} in this server") from None

    def stop_all(self) -> None:
        for execution in self.items.values():
            if execution.process.poll() is None:
                execution.process.terminate()


def execution_json(execution: Execution, store: Any) -> dict[str, Any]:
    """What a progress view needs: state, the run's status, cells done of cells total."""
    body: dict[str, Any] = {
        "id": execution.id, "notebook": execution.notebook, "run_id": execution.run_id,
        "params": execution.params, "state": execution.state, "cells_total": execution.code_cells,
        "cells_done": 0, "run": None,
    }
    try:
        run = store.run(execution.run_id)
    except RunNotFound:
        if execution.state == "failed":
            body["message"] = "the execution ended before its run started; the server log says why"
        return body  # the process has not created its run yet
    body["run"] = run.to_dict()
    body["cells_done"] = done = len(store.cells(run.id))
    # The engine may add cells of its own (injected parameters, autolog): never show done > total.
    body["cells_total"] = done if run.is_ended and run.status == "finished" else max(execution.code_cells, done)
    return body


class ExecutionsHandler(NbtrackHandler):
    """POST /nbtrack/api/executions {"notebook", "params"} launches; GET lists this server's launches."""

    auth_resource = "nbtrack:executions"

    @property
    def executions(self) -> Executions:
        return self.settings[EXECUTIONS_SETTING]

    @web.authenticated
    @authorized
    def get(self) -> None:
        items = sorted(self.executions.items.values(), key=lambda e: e.started, reverse=True)
        self.write_json({"executions": [execution_json(e, self.store) for e in items]})

    @web.authenticated
    @authorized("execute")
    def post(self) -> None:
        body = self.json_body()
        unknown = set(body) - {"notebook", "params"}
        if unknown:
            raise UsageError(f"unknown field {sorted(unknown)[0]!r}; send {{\"notebook\": ..., \"params\": {{...}}}}")
        execution = self.executions.launch(body.get("notebook"), body.get("params", {}), self.store.uri)
        self.write_json(execution_json(execution, self.store), status=201)


class ExecutionHandler(NbtrackHandler):
    """GET /nbtrack/api/executions/<id>: progress of one launch."""

    auth_resource = "nbtrack:executions"

    @web.authenticated
    @authorized
    def get(self, execution_id: str) -> None:
        execution = self.settings[EXECUTIONS_SETTING].get(execution_id)
        self.write_json(execution_json(execution, self.store))


class NotebookParamsHandler(NbtrackHandler):
    """GET /nbtrack/api/notebooks/params?path=: the parameters a notebook declares (the launch dialog)."""

    auth_resource = "nbtrack:executions"

    @web.authenticated
    @authorized
    def get(self) -> None:
        relative = self.get_query_argument("path", "")
        path = self.settings[EXECUTIONS_SETTING].notebook_path(relative)
        nb = parse_notebook(path.read_bytes(), relative)
        params = [{"name": p.name, "kind": p.kind, "default": to_json_value(p.default), "default_source": p.default_source,
                   "help": p.help} for p in declared_params(nb).values()]
        self.write_json({"notebook": relative, "params": params})
