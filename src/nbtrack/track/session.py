"""start_run and current_run: one open run per process, attached to the engine's when there is one."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbtrack import hooks
from nbtrack.capture.notebook import declared_params, parse_notebook, sha256_hex
from nbtrack.capture.shell import current_shell
from nbtrack.config import RUN_ID_ENV
from nbtrack.errors import NbtrackError
from nbtrack.records import NotebookRef
from nbtrack.store import Store, open_store
from nbtrack.track.run import Run

DEFAULT_EXPERIMENT = "default"

_lock = threading.Lock()
_current: Run | None = None
_hooks_installed = False


def start_run(
    name: str | None = None,
    *,
    experiment: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    display: bool = True,
) -> Run:
    """Start recording a run, or attach to the engine's run when nbtrack executes this notebook.

    In a Jupyter kernel it displays a live run card (display=False to skip).

    Interactively, the run is named after the open notebook, records the
    notebook's declared parameters with their current values, and a second
    start_run() finishes the first.

    >>> run = nbtrack.start_run()                         # doctest: +SKIP
    >>> run.log_metrics({"test.f1": 0.93})                # doctest: +SKIP
    """
    global _current
    with _lock:
        attached_id = os.environ.get(RUN_ID_ENV)
        if attached_id:
            if _current is None or _current.id != attached_id:
                _current = Run(_as_store(store), attached_id, attached=True)
            run = _current
        else:
            if _current is not None and not _current.is_ended:
                _current.finish()
            # A new run takes params and tags in the transaction that creates it.
            run = _current = _start_interactive(name, experiment, _as_store(store), params, tags)
            params = tags = None
        _install_hooks()
    if params:
        run.log_params(params)
    if tags:
        run.set_tags(tags)
    shell = current_shell()
    if display and shell is not None and hasattr(shell, "kernel"):
        hooks.call("show_run_card", run)  # ipywidgets load only in a kernel that shows it
    return run


def current_run() -> Run | None:
    """The open run of this process, if any."""
    run = _current
    return run if run is not None and not run.is_ended else None


def _as_store(store: Store | str | os.PathLike[str] | None) -> Store:
    return store if isinstance(store, Store) else open_store(store)


def _start_interactive(name: str | None, experiment: str | None, store: Store,
                       given: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None) -> Run:
    notebook_path = _notebook_path()
    notebook: NotebookRef | None = None
    params: dict[str, Any] = {}
    if notebook_path is not None:
        raw = notebook_path.read_bytes()
        notebook = NotebookRef(str(notebook_path), sha256_hex(raw))
        params = _current_param_values(raw)
    run_id = store.create_run(
        experiment or (notebook_path.stem if notebook_path else DEFAULT_EXPERIMENT),
        name=name,
        params={**params, **(given or {})},  # params given to start_run win over declared ones
        tags=tags,
        notebook=notebook,
    )
    return Run(store, run_id)


def _notebook_path() -> Path | None:
    """The notebook this kernel serves, from what Jupyter (or VS Code) tells the kernel."""
    shell = current_shell()
    candidates = [os.environ.get("JPY_SESSION_NAME")]
    if shell is not None:
        candidates += [shell.user_ns.get("__vsc_ipynb_file__"), shell.user_ns.get("__session__")]
    for candidate in candidates:
        if candidate and str(candidate).endswith(".ipynb"):
            path = Path(candidate)
            if not path.is_absolute():
                path = Path.cwd() / path.name if not path.exists() else path.absolute()
            if path.is_file():
                return path
    return None


def _current_param_values(raw: bytes) -> dict[str, Any]:
    """The declared parameters, valued as the kernel holds them now (else their defaults)."""
    try:
        declared = declared_params(parse_notebook(raw))
    except NbtrackError:
        return {}
    shell = current_shell()
    namespace = shell.user_ns if shell is not None else {}
    return {name: namespace.get(name, p.default) for name, p in declared.items()}


def _install_hooks() -> None:
    """Flush at every cell end (in IPython) and end open runs when the process exits."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_at_exit)
    shell = current_shell()
    if shell is not None:
        from nbtrack.capture.telemetry import CellMonitor

        shell.events.register("post_run_cell", _after_cell)
        CellMonitor(_record_cell).register(shell)  # what each interactive cell costs


def _after_cell(*_args: Any) -> None:
    run = _current
    if run is not None and not run.is_ended:
        try:
            run.flush()
        except NbtrackError as exc:
            print(f"nbtrack: {exc}")


def _record_cell(timing: Any) -> None:
    run = _current
    if run is not None and not run.is_ended and not run.attached:  # the engine measures its own cells
        try:
            run.store.add_cells(run.id, [timing])
        except NbtrackError:
            pass  # the run ended meanwhile: nothing to attach the cell to


def _at_exit() -> None:
    run = _current
    if run is not None and not run.is_ended:
        try:
            run.finish()
        except NbtrackError:
            pass  # the run was ended elsewhere; nothing is left to save
