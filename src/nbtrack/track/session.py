"""start_run and current_run: one open run per process, attached to the engine's when there is one."""

from __future__ import annotations

import ast
import atexit
import os
import sys
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
SOURCE_ARTIFACT = "source.ipynb"  # as the engine names it
PAPERMILL_HEADER = "# Parameters"  # the first line of the cell papermill injects
MAX_NOTEBOOKS_SCANNED = 100  # looking for papermill's input notebook in the working folder
MAX_NOTEBOOK_BYTES = 20_000_000
ENVIRONMENT_WAIT = 60.0  # seconds the end of the process waits for the environment record
_environment_threads: list[threading.Thread] = []

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
    notebook_path = _notebook_path() or _papermill_notebook()
    notebook: NotebookRef | None = None
    raw = b""
    params = _papermill_params()
    if notebook_path is not None:
        raw = notebook_path.read_bytes()
        notebook = NotebookRef(str(notebook_path), sha256_hex(raw))
        params = {**params, **_current_param_values(raw)}
    run_id = store.create_run(
        experiment or (notebook_path.stem if notebook_path else DEFAULT_EXPERIMENT),
        name=name,
        params={**params, **(given or {})},  # params given to start_run win over declared ones
        tags=tags,
        notebook=notebook,
    )
    run = Run(store, run_id)
    if _is_papermill():  # no engine records the rest: keep what it would have kept
        if raw:
            run.log_artifact(raw, SOURCE_ARTIFACT, media_type="application/x-ipynb+json")
        _record_environment(run, notebook_path.parent if notebook_path else Path.cwd())
    return run


def _papermill_cells() -> tuple[str, str] | None:
    """The `parameters` cell and papermill's injected one after it, from IPython's history."""
    shell = current_shell()
    history = shell.user_ns.get("In") if shell is not None else None
    if not isinstance(history, list):
        return None
    for index in range(len(history) - 1, 0, -1):
        if str(history[index]).lstrip().startswith(PAPERMILL_HEADER):
            return (str(history[index - 1]) if index > 1 else ""), str(history[index])
    return None


def _papermill_notebook() -> Path | None:
    """Under plain papermill without --inject-paths: the notebook in the working folder whose
    code cells begin with the cells this kernel ran (an input notebook before an output one);
    None when that is not one notebook."""
    cells = _papermill_cells()
    shell = current_shell()
    if cells is None or shell is None:
        return None
    history = [str(h).strip() for h in shell.user_ns["In"][1:]]
    ran = [h for h in history if not h.startswith(PAPERMILL_HEADER) and h]
    found: list[tuple[bool, Path]] = []
    for path in sorted(Path.cwd().glob("*.ipynb"))[:MAX_NOTEBOOKS_SCANNED]:
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                continue
            node = parse_notebook(path.read_bytes(), str(path))
        except (OSError, NbtrackError):
            continue
        code = [c for c in node.cells if c.cell_type == "code"]
        injected = any("injected-parameters" in c.metadata.get("tags", []) for c in code)
        sources = [c.source.strip() for c in code if "injected-parameters" not in c.metadata.get("tags", [])]
        sources = [source for source in sources if source]
        if ran and sources[:len(ran)] == ran:
            found.append((injected, path))
    best = [path for injected, path in found if injected == min(found)[0]] if found else []
    return best[0] if len(best) == 1 else None  # two equal candidates: do not guess


def _is_papermill() -> bool:
    return os.environ.get(RUN_ID_ENV) is None and _papermill_cells() is not None


def _papermill_params() -> dict[str, Any]:
    """Under plain papermill: the names its injected cell and the cell before it assign, valued now."""
    cells = _papermill_cells()
    shell = current_shell()
    if cells is None or shell is None:
        return {}
    names: dict[str, None] = {}
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            names.update((t.id, None) for t in targets if isinstance(t, ast.Name))
    return {name: shell.user_ns[name] for name in names
            if name in shell.user_ns and not name.startswith("PAPERMILL_") and _is_plain(shell.user_ns[name])}


def _is_plain(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str))


def _record_environment(run: Run, folder: Path) -> None:
    """The environment record, captured beside the notebook's own work (it reads pip and git)."""
    def capture() -> None:
        try:
            run.log_environment(folder)
        except Exception as exc:  # a lost environment must not fail the notebook
            print(f"nbtrack: the environment was not recorded ({type(exc).__name__}: {exc})", file=sys.stderr)

    thread = threading.Thread(target=capture, name=f"nbtrack-environment-{run.id[-6:]}", daemon=True)
    thread.start()
    _environment_threads.append(thread)


def _notebook_path() -> Path | None:
    """The notebook this kernel serves, from what Jupyter (or VS Code) tells the kernel."""
    shell = current_shell()
    candidates = [os.environ.get("JPY_SESSION_NAME")]
    if shell is not None:  # PAPERMILL_INPUT_PATH: papermill --inject-paths
        candidates += [shell.user_ns.get(k) for k in ("__vsc_ipynb_file__", "__session__", "PAPERMILL_INPUT_PATH")]
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
    for thread in _environment_threads:
        thread.join(ENVIRONMENT_WAIT)
    run = _current
    if run is not None and not run.is_ended:
        try:
            run.finish()
        except NbtrackError:
            pass  # the run was ended elsewhere; nothing is left to save
