"""Execute one notebook headlessly through the nbtrack engine and return its run."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbtrack.errors import ExecutionFailed
from nbtrack.execution.launch import ExecutionRequest, Notebook, launch
from nbtrack.records import RunStatus
from nbtrack.store import Store, StoredRun, open_store


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
    source = Notebook.read(notebook)
    given = source.check(dict(params or {}))
    store = store if isinstance(store, Store) else open_store(store)
    request = ExecutionRequest(
        notebook=str(source.path), params=given, store=store.uri, artifacts=store.location.artifacts,
        experiment=experiment, name=name, tags=dict(tags or {}),
        cwd=str(Path(cwd)) if cwd is not None else None, autolog=autolog, timeout=timeout, kernel=kernel,
        progress=progress,
        caller_dir=os.getcwd(),  # papermill moves into cwd; alert rules are found from here
        output=str(output) if output is not None else None,
    )
    launch(request, notebook=source)
    run = store.run(request.run_id)
    if raise_errors and run.status is not RunStatus.FINISHED:
        error = run.error
        raise ExecutionFailed(run.id, run.status.value, error.cell if error else None,
                              error.ename if error else "", error.evalue if error else "")
    return run

