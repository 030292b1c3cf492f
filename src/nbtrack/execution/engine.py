"""The papermill engine "nbtrack": every headless execution becomes a tracked run.

`nbtrack run`, `nbtrack.execute()` and `papermill --engine nbtrack` all come
through here. The engine creates the run, records params and the source
notebook, gives the kernel the run id through its environment, measures each
cell, stores the executed notebook, and ends the run according to how
execution ended (the exception raised, never the notebook's metadata).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.iorw import papermill_io
from papermill.utils import merge_kwargs, remove_args

from nbtrack import hooks
from nbtrack.capture.notebook import declared_params, effective_params, sha256_hex
from nbtrack.capture.telemetry import ProcessProbe, summarize_cells
from nbtrack.config import child_environment
from nbtrack.execution.kernels import START_ATTEMPTS, use_private_sockets
from nbtrack.records import CellTiming, NotebookRef, RunError, RunStatus
from nbtrack.store import Store, open_store
from nbtrack.track import Run
from nbtrack.track.relay import RELAY_MIME, apply_relayed, kernel_ids

SOURCE_ARTIFACT = "source.ipynb"
EXECUTED_ARTIFACT = "notebook.ipynb"
AUTOLOG_TAG = "nbtrack-autolog"
INSERTED_TAGS = frozenset({"injected-parameters", AUTOLOG_TAG})  # cells not in the notebook as written
AUTOLOG_SOURCE = """\
# Added by nbtrack: record scikit-learn fits, sklearn.metrics results and shown figures
# (nbtrack run --no-autolog, or execute(autolog=False), leaves this cell out).
try:
    import nbtrack
except ImportError:  # this kernel's Python has no nbtrack: nothing is recorded automatically
    pass
else:
    nbtrack.autolog()"""
ENVIRONMENT_WAIT = 60.0  # seconds the end of a run waits for the environment record


@dataclass
class Execution:
    """What the engine learns while a notebook runs."""

    run: Run
    failure: RunError | None = None
    cells: list[CellTiming] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    input_path: Any = None
    environment: threading.Thread | None = None  # captures the environment while the first cells run
    sampling_s: float = 0.0  # time spent measuring cells, to keep telemetry's own cost in view
    numbers: dict[int, int | None] = field(default_factory=dict)  # executed index -> written_cell_number
    current: int | None = None  # the executed index of the cell running or last run


class NbtrackEngine(NBClientEngine):
    """papermill's nbclient engine, with a run recorded around the execution."""

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, output_path: str | None = None,
                         progress_bar: bool = True, log_output: bool = False,
                         autosave_cell_every: int = 30, **kwargs: Any) -> Any:
        options = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith("nbtrack_")}
        store = open_store(options.get("nbtrack_store"), artifacts=options.get("nbtrack_artifacts"))
        execution = Execution(_begin_run(store, nb, kwargs.get("input_path"), options), options=options,
                              input_path=kwargs.get("input_path"))
        if options.get("nbtrack_autolog", True):
            _insert_autolog_cell(nb)
        status, error = RunStatus.FINISHED, None
        try:
            nb = super().execute_notebook(
                nb, kernel_name, output_path=output_path, progress_bar=progress_bar,
                log_output=log_output, autosave_cell_every=autosave_cell_every,
                nbtrack_execution=execution, **kwargs,
            )
        except CellTimeoutError as exc:
            status, error = RunStatus.TIMEOUT, _cell_error(execution, "CellTimeoutError", exc)
            raise
        except DeadKernelError as exc:
            status, error = RunStatus.KILLED, _cell_error(execution, "DeadKernelError", exc)
            raise
        except (KeyboardInterrupt, SystemExit) as exc:
            status, error = RunStatus.KILLED, _cell_error(execution, type(exc).__name__, exc)
            raise
        except BaseException as exc:
            status, error = RunStatus.FAILED, RunError(None, type(exc).__name__, str(exc))
            raise
        else:
            failure = execution.failure
            if failure is not None:
                stopped_cleanly = failure.ename == "SystemExit" and failure.evalue in ("", "0")
                status, error = (RunStatus.FINISHED if stopped_cleanly else RunStatus.FAILED), failure
        finally:
            _end_run(execution, nb, status, error)
            if "nbtrack_run_id" not in options:  # plain papermill prints no run of its own: say which it was
                _say_run(execution.run, status)
        return nb

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: int = 60, execution_timeout: float | None = None,
                                 nbtrack_execution: Execution | None = None, **kwargs: Any) -> Any:
        # As papermill's NBClientEngine, with a client that records each cell.
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = TrackingClient(nb_man, execution=nbtrack_execution, **final_kwargs)
        return client.execute(env=_kernel_env(nbtrack_execution))


class TrackingClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client, measuring every cell and remembering the failing one."""

    def __init__(self, nb_man: Any, execution: Execution | None = None, **kw: Any) -> None:
        super().__init__(nb_man, **kw)
        self.execution = execution
        self._probe: ProcessProbe | None = None
        self._socket_dir: str | None = None

    def execute(self, **kwargs: Any) -> Any:
        if not self.owns_km:
            # A kernel started ahead of time (a sweep's next execution): measure it too;
            # whoever started it shuts it down, this client closes only its own channels.
            self._probe = _kernel_probe(self.km)
        try:
            return super().execute(**kwargs)
        finally:
            if not self.owns_km and self.kc is not None:
                self.kc.stop_channels()
            if self._socket_dir is not None:
                shutil.rmtree(self._socket_dir, ignore_errors=True)

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        self._socket_dir = use_private_sockets(km)
        return km

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        # Kernels started together can collide on a port (ZMQError: Address already in use).
        import zmq

        for attempt in range(START_ATTEMPTS):
            try:
                await super().async_start_new_kernel(**kwargs)
                break
            except zmq.ZMQError:
                if attempt == START_ATTEMPTS - 1:
                    raise
                if self.km is not None and self.km.has_kernel:
                    await _ensure_async(self.km.shutdown_kernel(now=True))
                await asyncio.sleep(0.2 * (attempt + 1))
        self._probe = _kernel_probe(self.km)

    # nbclient's synchronous setup_kernel calls start_new_kernel, which it bound to its own
    # async_start_new_kernel: rebind it so the retry and the probe above take effect.
    start_new_kernel = run_sync(async_start_new_kernel)

    def execute_cell(self, cell: Any, cell_index: int, *args: Any, **kwargs: Any) -> Any:
        if self.execution is None or cell.cell_type != "code":
            return super().execute_cell(cell, cell_index, *args, **kwargs)
        if self.execution.environment is None:
            # Once the kernel is up: captured in this process during the start, the environment's
            # 0.17 s of Python held the interpreter lock the start needed (0.1 s of a 5 s notebook).
            self.execution.environment = _record_environment(self.execution.run, self.execution.input_path)
        probe = self._probe
        sampling = time.perf_counter()
        if probe is not None:
            probe.reset_peak()
        before = probe.sample() if probe else None
        started = time.perf_counter()
        self.execution.sampling_s += started - sampling
        status = "ok"
        number = self.execution.numbers[cell_index] = written_cell_number(self.nb, cell_index)
        self.execution.current = cell_index
        try:
            return super().execute_cell(cell, cell_index, *args, **kwargs)
        except CellExecutionError as exc:
            status = "error"
            self.execution.failure = RunError(number, exc.ename, exc.evalue)
            raise
        except BaseException:
            status = "interrupted"
            # Stop the kernel at once: shut down politely it would still try to answer this
            # cell on sockets already closed, and print that failure into the user's terminal.
            self.shutdown_kernel = "immediate"
            raise
        finally:
            self._record_cell(cell_index, time.perf_counter() - started, before, status)

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        # autolog's calls relayed from the kernel (track/relay.py): made on the run, never shown.
        data = msg.get("content", {}).get("data") if msg.get("msg_type") == "display_data" else None
        if self.execution is not None and isinstance(data, dict) and RELAY_MIME in data:
            try:
                apply_relayed(self.execution.run, data[RELAY_MIME])
            except Exception as exc:  # a record lost must not fail the notebook: say so, as autolog does
                print(f"nbtrack: autolog could not record ({type(exc).__name__}: {str(exc)[:200]}); "
                      "the notebook goes on", file=sys.stderr)
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _record_cell(self, index: int, wall: float, before: Any, status: str) -> None:
        assert self.execution is not None
        sampling = time.perf_counter()
        after = self._probe.sample() if self._probe else None
        self.execution.sampling_s += time.perf_counter() - sampling
        number = self.execution.numbers.get(index)  # None: a cell papermill or nbtrack inserted
        run = self.execution.run
        timing = None if number is None else CellTiming(
            index=number,  # the notebook's code cells as written, from 1, as every view numbers them
            wall_s=wall,
            cpu_s=after.cpu_s - before.cpu_s if before and after else None,
            rss_peak=after.peak if after else None,
            rss_delta=after.rss - before.rss if before and after else None,
            status=status,
        )
        # A busy store must not stop the notebook; _end_run writes the cells again.
        with contextlib.suppress(Exception):
            if timing is not None:
                self.execution.cells.append(timing)
                run.store.add_cells(run.id, [timing])  # written as it happens: progress for watchers
            # autolog's relayed points settle at each cell end, as a notebook's own run's do
            # (session._after_cell): a value scored in one cell is not claimed by the next.
            run.flush()


def _kernel_probe(km: Any) -> ProcessProbe | None:
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    return ProcessProbe(pid) if pid else None


def _begin_run(store: Store, nb: Any, input_path: Any, options: dict[str, Any]) -> Run:
    # launch() hands over the notebook its caller read and checked: no second read or parse.
    source_raw = options.get("nbtrack_source")
    if source_raw is None:
        source_raw = _source_bytes(nb, input_path)
    declared = options.get("nbtrack_declared")
    if declared is None:
        declared = declared_params(nb)
    injected = dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    path = _notebook_path(input_path)
    run_id = store.create_run(
        options.get("nbtrack_experiment") or (Path(path).stem if path else "default"),
        run_id=options.get("nbtrack_run_id"),
        name=options.get("nbtrack_name"),
        params=effective_params(declared, injected),
        tags=options.get("nbtrack_tags"),
        notebook=NotebookRef(path or "<in memory>", sha256_hex(source_raw)),
    )
    run = Run(store, run_id)
    run.log_artifact(source_raw, SOURCE_ARTIFACT, media_type="application/x-ipynb+json")
    nb.metadata["nbtrack"] = {"run_id": run_id, "store": store.location.display}  # no password in a notebook
    return run


def _end_run(execution: Execution, nb: Any, status: RunStatus, error: RunError | None) -> None:
    run = execution.run
    try:
        if execution.environment is None:  # no cell ran (a kernel that never started)
            execution.environment = _record_environment(run, execution.input_path)
        execution.environment.join(ENVIRONMENT_WAIT)
        run.store.add_cells(run.id, execution.cells)
        run.store.add_record(run.id, "telemetry", "run", summarize_cells(execution.cells, execution.sampling_s))
        if _shows_run_card(nb):
            hooks.call("settle_run_cards", nb, run.store, run.id, status, error)  # "running" no more
        executed = nbformat.writes(nb).encode("utf-8")
        run.log_artifact(executed, EXECUTED_ARTIFACT, media_type="application/x-ipynb+json")
    finally:
        # Ending the run fires its alert rules, in this process; they see the ended run and never
        # fail it. Their config is found from the caller's folder.
        run.finish(status, error, rules_from=execution.options.get("nbtrack_caller_dir"),
                   wait_for_alerts=True)


def _say_run(run: Run, status: RunStatus) -> None:
    """One stderr line naming the run papermill --engine nbtrack recorded, and how to see it."""
    from nbtrack.formatting import short_ids
    from nbtrack.records import memorable_name

    short = short_ids([run.id])[run.id]
    try:
        name = run.store.run(run.id).name
    except Exception:  # the line is a courtesy: never the reason papermill fails
        name = memorable_name(run.id)
    print(f"nbtrack: run {short} ({name}) {status.value} in {run.store.location.display}; "
          f"see it with: nbtrack show {short}", file=sys.stderr)


def _shows_run_card(nb: Any) -> bool:
    """Whether any output is a run card (only then are the views loaded to redraw it)."""
    return any("nbtrack-run-card" in str(output.get("data", {}).get("text/html", ""))
               for cell in nb.cells for output in cell.get("outputs", []))


def _record_environment(run: Run, input_path: Any) -> threading.Thread:
    """Capture the environment in the background, while the kernel runs the notebook."""
    from nbtrack.capture.environment import capture_environment

    folder = Path(_notebook_path(input_path) or ".") if isinstance(input_path, (str, os.PathLike)) else None

    def capture() -> None:
        try:
            run.store.add_record(run.id, "environment", "environment", capture_environment(folder))
        except Exception as exc:  # the run goes on without it; say why once
            print(f"nbtrack: the environment was not recorded ({type(exc).__name__}: {exc})", file=sys.stderr)

    thread = threading.Thread(target=capture, name=f"nbtrack-environment-{run.id[-6:]}", daemon=True)
    thread.start()
    return thread


def _insert_autolog_cell(nb: Any) -> None:
    """autolog() in a cell of its own, before the first code cell, shown in the executed notebook."""
    cell = nbformat.v4.new_code_cell(AUTOLOG_SOURCE)
    cell.metadata["tags"] = [AUTOLOG_TAG]
    cell.metadata["jupyter"] = {"source_hidden": True}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        cell.pop("id", None)  # cell ids exist from nbformat 4.5 on
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first_code, cell)


def _source_bytes(nb: Any, input_path: Any) -> bytes:
    """The notebook as the user wrote it: the file's bytes, else the node without papermill's edits."""
    if isinstance(input_path, (str, os.PathLike)):
        try:
            return str(papermill_io.read(os.fspath(input_path))).encode("utf-8")
        except (OSError, ValueError):
            pass
    clean = copy.deepcopy(nb)
    clean.cells = [c for c in clean.cells
                   if not {"injected-parameters", AUTOLOG_TAG} & set(c.get("metadata", {}).get("tags", []))]
    clean.metadata.pop("papermill", None)
    clean.metadata.pop("nbtrack", None)
    return nbformat.writes(clean).encode("utf-8")


def _notebook_path(input_path: Any) -> str | None:
    if not isinstance(input_path, (str, os.PathLike)):
        return None
    text = os.fspath(input_path)
    if "://" in text:
        return text
    return str(Path(text).absolute()) if Path(text).exists() else text


def _kernel_env(execution: Execution | None) -> dict[str, str]:
    env = dict(os.environ)
    if execution is not None:
        env = child_environment(execution.run.store.location, env)
        env.update(kernel_ids(execution.run.id))
    return env


def written_cell_number(nb: Any, index: int) -> int | None:
    """The executed notebook's cell `index` as RunError.cell numbers it: its 1-based place among the
    code cells of the notebook as written; None for a cell papermill or nbtrack inserted."""
    def written(cell: Any) -> bool:
        return cell.cell_type == "code" and not INSERTED_TAGS & set(cell.get("metadata", {}).get("tags", []))

    if not written(nb.cells[index]):
        return None
    return sum(1 for cell in nb.cells[:index + 1] if written(cell))


def _cell_error(execution: Execution, ename: str, exc: BaseException) -> RunError:
    cell = execution.numbers.get(execution.current) if execution.current is not None else None
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return RunError(cell, ename, message)


async def _ensure_async(value: Any) -> Any:
    if asyncio.iscoroutine(value):
        return await value
    return value
