"""Execute one notebook headlessly through the nbtrack engine and return its run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from nbtrack.capture.notebook import declared_params, read_notebook
from nbtrack.errors import ExecutionFailed
from nbtrack.execution.engine import EXECUTED_ARTIFACT
from nbtrack.execution.params import check_params
from nbtrack.records import RunStatus, new_run_id
from nbtrack.store import Store, StoredRun, open_store

ENGINE_NAME = "nbtrack"


def execute(
    notebook: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    *,
    output: str | os.PathLike[str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    experiment: str | None = None,
    name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    kernel: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    progress: bool = False,
    raise_errors: bool = True,
    autolog: bool = True,
) -> StoredRun:
    """Execute a notebook with papermill and return its run.

    Parameters must be names the notebook declares. The kernel starts in the
    notebook's folder (as in JupyterLab) unless cwd says otherwise; timeout
    bounds each cell. With raise_errors, a run that does not finish raises
    ExecutionFailed (its run is stored all the same). With autolog (the default), a cell
    calling nbtrack.autolog() runs first, so scikit-learn fits, metrics and figures are recorded.

    >>> run = nbtrack.execute("notebooks/train_classifier.ipynb", {"model": "rf"})  # doctest: +SKIP
    >>> run.metrics["test.f1"]                                                     # doctest: +SKIP
    """
    path = Path(notebook)
    nb, _raw = read_notebook(path)
    given = check_params(dict(params or {}), declared_params(nb), str(path))
    store = store if isinstance(store, Store) else open_store(store)
    run_id = new_run_id()
    try:
        papermill.execute_notebook(
            str(path.absolute()),
            None,  # the engine keeps the executed notebook; the copy is written below, atomically
            parameters=given,
            engine_name=ENGINE_NAME,
            kernel_name=kernel,
            progress_bar=progress,
            cwd=str(Path(cwd) if cwd is not None else path.absolute().parent),
            execution_timeout=timeout,
            nbtrack_run_id=run_id,
            nbtrack_store=store.uri,
            nbtrack_experiment=experiment,
            nbtrack_name=name,
            nbtrack_tags=dict(tags or {}),
            nbtrack_caller_dir=os.getcwd(),  # papermill moves into cwd; alert rules are found from here
            nbtrack_autolog=autolog,
        )
    except (PapermillExecutionError, CellTimeoutError, DeadKernelError):
        pass  # the engine has recorded how the run ended
    run = store.run(run_id)
    if output is not None and EXECUTED_ARTIFACT in run.artifacts:
        write_atomically(Path(output), run.artifact(EXECUTED_ARTIFACT))
    if raise_errors and run.status is not RunStatus.FINISHED:
        error = run.error
        raise ExecutionFailed(run.id, run.status.value, error.cell if error else None,
                              error.ename if error else "", error.evalue if error else "")
    return run


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
