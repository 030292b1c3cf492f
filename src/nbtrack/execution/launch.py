"""The one way into papermill: a notebook read once, a request checked once, launch(request).

execute(), a sweep's local and Dask jobs, and the server's launcher process
(`python -m nbtrack.execution.launch`, the request as JSON on stdin: kernels, notebook
code and papermill's event loop stay out of the Jupyter server) all build an
ExecutionRequest and call launch(), the only papermill call in nbtrack.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# papermill before execution/engine.py: importing papermill loads its engines' entry points,
# ours among them, which would find a half-imported engine module if the engine came first.
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.engines import papermill_engines
from papermill.exceptions import PapermillExecutionError

from nbtrack.capture.notebook import DeclaredParam, declared_params, read_notebook
from nbtrack.errors import ParameterError
from nbtrack.execution.engine import EXECUTED_ARTIFACT, NbtrackEngine
from nbtrack.execution.params import check_params
from nbtrack.records import new_run_id
from nbtrack.store import open_store

ENGINE_NAME = "nbtrack"


@dataclass(frozen=True, eq=False)
class Notebook:
    """A notebook read once: its bytes, its node, and the parameters it declares."""

    path: Path  # absolute
    label: str  # how messages name it: as the caller gave it (the server's own path stays private)
    raw: bytes
    node: Any
    declared: dict[str, DeclaredParam]

    @classmethod
    def read(cls, path: str | os.PathLike[str], label: str | None = None) -> Notebook:
        """Read and validate a notebook file; NotebookNotFound or InvalidNotebook name it by label."""
        label = os.fspath(path) if label is None else label
        node, raw = read_notebook(path, label)
        return cls(Path(path).absolute(), label, raw, node, declared_params(node))

    def check(self, params: object) -> dict[str, Any]:
        """The one check every execution's params pass, wherever they come from.

        A mapping of names this notebook declares (so identifiers: papermill pastes them
        into code), each value of the declared kind.
        """
        if not isinstance(params, Mapping):
            raise ParameterError('params must be a mapping of names to values, such as {"C": 0.5}')
        return check_params(params, self.declared, self.label)


@dataclass(frozen=True)
class ExecutionRequest:
    """One execution as plain values: it crosses to a launcher process as JSON and to Dask pickled."""

    notebook: str  # absolute path
    params: Mapping[str, Any]  # as Notebook.check returned them
    store: str  # the store's uri
    artifacts: str | None = None  # where the store's bytes live; None: as the environment says
    run_id: str = field(default_factory=new_run_id)
    experiment: str | None = None  # None: the notebook's file stem
    name: str | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)
    cwd: str | None = None  # the kernel's working directory; None: the notebook's folder
    autolog: bool = True  # a first cell calls nbtrack.autolog()
    timeout: float | None = None  # seconds per cell
    kernel: str | None = None  # None: the notebook's kernelspec
    progress: bool = False
    caller_dir: str | None = None  # where alert rules are looked for; None: the working directory
    output: str | None = None  # also write the executed notebook here

    @property
    def folder(self) -> str:
        """Where the kernel starts: cwd, else the notebook's folder (as in JupyterLab)."""
        return self.cwd if self.cwd is not None else str(Path(self.notebook).parent)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ExecutionRequest:
        return cls(**json.loads(text))


def launch(request: ExecutionRequest, *, notebook: Notebook | None = None, km: Any = None) -> bool:
    """Execute a request through papermill and the nbtrack engine; True if every cell ran.

    A notebook that fails is a stored run like any other, not an exception here: the
    engine records how the run ended. notebook: the request's notebook as the caller
    read it, so the engine neither reads nor parses it again. km: a kernel already
    started in request.folder (a sweep's); papermill then leaves the process's working
    directory alone, which the sweep's worker threads share.
    """
    # As its entry point does; said here too, so a Dask worker needs no installed metadata.
    papermill_engines.register(ENGINE_NAME, NbtrackEngine)
    options: dict[str, Any] = {
        "nbtrack_run_id": request.run_id,
        "nbtrack_store": request.store,
        "nbtrack_artifacts": request.artifacts,
        "nbtrack_experiment": request.experiment,
        "nbtrack_name": request.name,
        "nbtrack_tags": dict(request.tags),
        "nbtrack_caller_dir": request.caller_dir,
        "nbtrack_autolog": request.autolog,
    }
    if notebook is not None:
        options["nbtrack_source"] = notebook.raw
        options["nbtrack_declared"] = notebook.declared
    if km is not None:
        options["km"] = km
    try:
        papermill.execute_notebook(
            request.notebook,
            None,  # the engine keeps the executed notebook; the copy is written below, atomically
            parameters=dict(request.params),
            engine_name=ENGINE_NAME,
            kernel_name=request.kernel,
            progress_bar=request.progress,
            cwd=None if km is not None else request.folder,
            execution_timeout=request.timeout,
            **options,
        )
    except (PapermillExecutionError, CellTimeoutError, DeadKernelError):
        completed = False  # the engine has recorded how the run ended
    else:
        completed = True
    if request.output is not None:
        run = open_store(request.store, artifacts=request.artifacts).run(request.run_id)
        if EXECUTED_ARTIFACT in run.artifacts:
            write_atomically(Path(request.output), run.artifact(EXECUTED_ARTIFACT))
    return completed


def write_atomically(target: Path, data: bytes) -> None:
    """Write a file so that readers see the old bytes or the new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def main() -> int:
    """The server's launcher process: one request as JSON on stdin; exit 1 if the notebook failed."""
    return 0 if launch(ExecutionRequest.from_json(sys.stdin.read())) else 1


if __name__ == "__main__":
    sys.exit(main())
