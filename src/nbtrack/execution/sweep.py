"""Sweeps: one notebook executed over a grid or a random sample of parameters, in parallel.

Locally, each worker thread drives papermill with the nbtrack engine while the
kernels of the next executions start in the background (execution/kernels.py).
With a Dask cluster, each execution is a task; workers write to the shared store.
Every run is tagged sweep=<id>; a resumed sweep skips combinations already
finished with the same notebook bytes and parameters.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrack.capture.notebook import effective_params, sha256_hex
from nbtrack.config import child_environment, locate_store
from nbtrack.track.relay import kernel_ids
from nbtrack.errors import ParameterError, SweepIncomplete, SweepInterrupted, UsageError
from nbtrack.execution.launch import ExecutionRequest, Notebook, launch
from nbtrack.execution.params import parse_value
from nbtrack.records import RunError, RunStatus, new_run_id
from nbtrack.store import Store, StoredRun, open_store

SWEEP_TAG = "sweep"
KERNELS_AHEAD_PER_WORKER = 2
_RANGE = re.compile(r"^(?:(?P<scale>log|int):)?(?P<low>[^.][^ ]*?)\.\.(?P<high>[^ ]+)$")


@dataclass(frozen=True)
class Range:
    """A continuous or integer range to sample from: uniform, log-uniform, or integers low..high."""

    low: float
    high: float
    scale: str = "linear"  # linear, log, int

    def __post_init__(self) -> None:
        if self.scale not in ("linear", "log", "int"):
            raise ParameterError(f"a range scale is linear, log or int. Got {self.scale!r} instead.")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ParameterError(f"a range needs low < high, both finite. Got {self.low}..{self.high} instead.")
        if self.scale == "log" and self.low <= 0:
            raise ParameterError(f"a log range needs low > 0. Got {self.low}..{self.high} instead.")
        if self.scale == "int" and (self.low != int(self.low) or self.high != int(self.high)):
            raise ParameterError(f"an int range needs whole bounds. Got {self.low}..{self.high} instead.")

    def sample(self, rng: Any) -> float | int:
        if self.scale == "int":
            return int(rng.integers(int(self.low), int(self.high) + 1))
        if self.scale == "log":
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return float(rng.uniform(self.low, self.high))


Space = Mapping[str, Any]  # name -> a list of values, a Range, or one value


def parse_axis(text: str) -> tuple[str, list[Any] | Range]:
    """`model=rf,gb` -> ("model", ["rf", "gb"]); `C=log:0.01..10` -> ("C", Range(0.01, 10, "log"))."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or not values.strip():
        raise ParameterError(
            f"--grid takes NAME=VALUES such as model=rf,gb or C=log:0.01..10. Got {text!r} instead."
        )
    match = _RANGE.match(values.strip())
    if match:
        try:
            low, high = float(match["low"]), float(match["high"])
        except ValueError:
            match = None
        else:
            return name, Range(low, high, match["scale"] or "linear")
    return name, [parse_value(name, part.strip()) for part in values.split(",")]


def combinations(space: Space, *, random: int | None = None, seed: int | None = None) -> list[dict[str, Any]]:
    """Every combination of a grid, or `random` draws from it (lists drawn uniformly, ranges sampled)."""
    axes = {name: _axis(name, values) for name, values in space.items()}
    if random is None:
        ranges = [name for name, values in axes.items() if isinstance(values, Range)]
        if ranges:
            raise ParameterError(
                f"{ranges[0]} is a range, which a grid cannot list; add --random N to sample N combinations"
            )
        names = list(axes)
        return [dict(zip(names, values)) for values in itertools.product(*axes.values())]
    if isinstance(random, bool) or not isinstance(random, int) or random < 1:
        raise ParameterError(f"The 'random' parameter of sweep must be an int >= 1. Got {random!r} instead.")
    import numpy as np

    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(random):
        draws.append({
            name: values.sample(rng) if isinstance(values, Range) else _plain(values[int(rng.integers(len(values)))])
            for name, values in axes.items()
        })
    return draws


def _axis(name: str, values: Any) -> list[Any] | Range:
    if isinstance(values, Range):
        return values
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        return [values]
    if not values:
        raise ParameterError(f"parameter {name!r} of the sweep has no values; give at least one")
    return list(values)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


@dataclass
class Job:
    """One execution of the sweep."""

    params: dict[str, Any]
    run_id: str = field(default_factory=new_run_id)
    name: str | None = None  # the notebook's stem and the params that vary in the sweep


@dataclass(frozen=True)
class Plan:
    """What every execution of a sweep shares."""

    notebook: str  # absolute path
    store: str
    artifacts: str
    sweep_id: str
    experiment: str | None
    timeout: float | None
    kernel: str

    @property
    def folder(self) -> str:
        """Where kernels start: the notebook's folder, as in JupyterLab."""
        return str(Path(self.notebook).parent)

    def request(self, job: Job) -> ExecutionRequest:
        return ExecutionRequest(
            notebook=self.notebook, params=job.params, store=self.store, artifacts=self.artifacts,
            run_id=job.run_id, experiment=self.experiment, name=job.name, tags={SWEEP_TAG: self.sweep_id},
            timeout=self.timeout, kernel=self.kernel,
        )

    def kernel_env(self, job: Job) -> dict[str, str]:
        """What the engine gives its kernels: this store (as config says), the run's id, and the
        relay of autolog's calls to the engine that executes the job (track/relay.py)."""
        location = locate_store(self.store, artifacts=self.artifacts)
        return {**child_environment(location, dict(os.environ)), **kernel_ids(job.run_id)}


def execute_job(plan: Plan, job: Job, km: Any = None, notebook: Notebook | None = None) -> str:
    """Execute one combination through launch(); returns its run id.

    km: a kernel already started for this job (KernelPool), else one is started here,
    with the same retries. notebook: the sweep's notebook as read once for every job
    (local workers; a Dask worker reads its own). A failing notebook is a stored run
    like any other, not an exception here.
    """
    from nbtrack.execution.kernels import shutdown_kernel, start_kernel

    own = km is None
    if own:
        km = start_kernel(plan.kernel, env=plan.kernel_env(job), cwd=plan.folder)
    try:
        launch(plan.request(job), notebook=notebook, km=km)
    finally:
        if own:
            shutdown_kernel(km, now=True)  # its run has ended: nothing left to wait for
    return job.run_id


def sweep(
    notebook: str | os.PathLike[str],
    grid: Space,
    *,
    random: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    cluster: Any = None,
    resume: bool = False,
    store: Store | str | os.PathLike[str] | None = None,
    experiment: str | None = None,
    timeout: float | None = None,
    progress: bool = False,
) -> list[StoredRun]:
    """Execute a notebook once per parameter combination and return the runs, in combination order.

    grid maps parameter names to a list of values (crossed), or with random=N to
    lists and Ranges that N combinations are drawn from (seed makes it repeatable).
    workers executions run at once; cluster is None (local), "local" (a Dask
    LocalCluster of `workers` processes), a scheduler address, or a dask Client.
    resume skips combinations already finished with the same notebook and params.

    >>> runs = nbtrack.sweep("train.ipynb", {"model": ["rf", "gb"], "max_depth": [3, 5]}, workers=2)  # doctest: +SKIP
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UsageError(f"The 'workers' parameter of sweep must be an int >= 1. Got {workers!r} instead.")
    source = Notebook.read(notebook)
    wanted = combinations(grid, random=random, seed=seed)
    for combination in wanted:
        source.check(combination)
    store = store if isinstance(store, Store) else open_store(store)
    done, previous_sweep = (_finished(store, sha256_hex(source.raw), source.declared, wanted) if resume
                            else ({}, None))
    plan = Plan(
        notebook=str(source.path), store=store.uri, artifacts=store.location.artifacts,
        sweep_id=previous_sweep or new_run_id(), experiment=experiment, timeout=timeout,
        kernel=_kernel_name(source.node),
    )
    slots: list[str | Job] = []
    varying = varying_params(wanted)
    for combination in wanted:
        key = _params_key(effective_params(source.declared, combination))
        name = sweep_name(source.path.stem, combination, varying)
        slots.append(done[key] if key in done else Job(combination, name=name))
    jobs = [slot for slot in slots if isinstance(slot, Job)]
    with _status_bar(progress, len(slots), len(slots) - len(jobs), plan.sweep_id) as report:
        try:
            with _stopping_on_signals():
                if cluster is None:
                    _run_local(plan, jobs, workers, report, source)
                else:
                    _run_dask(plan, jobs, workers, cluster, report)
        except KeyboardInterrupt:
            raise SweepInterrupted(_stored(store, slots)) from None
    runs = _stored(store, slots)
    if len(runs) < len(slots):
        raise SweepIncomplete(
            f"{len(slots) - len(runs)} of {len(slots)} executions left no run in {store.location.display} "
            "(the store could not be written); fix the store and run the sweep again with --resume"
        )
    return runs


def varying_params(combinations: Sequence[Mapping[str, Any]]) -> list[str]:
    """The param names whose values differ among a sweep's combinations, in first-seen order."""
    names: dict[str, None] = {}
    for combination in combinations:
        names.update(dict.fromkeys(combination))
    return [name for name in names if len({repr(c.get(name)) for c in combinations}) > 1]


def sweep_name(stem: str, params: Mapping[str, Any], varying: Sequence[str]) -> str:
    """A sweep run's name: NAME=VALUE of each param varying in the sweep (`model=rf max_depth=4`), what
    tells its runs apart where a list cuts names short; the notebook's stem (its experiment already)
    only when nothing varies."""
    from nbtrack import formatting

    parts = [f"{name}={formatting.value(params[name])}" for name in varying if name in params]
    return (" ".join(parts) or stem)[:200]


def _stored(store: Store, slots: list[str | Job]) -> list[StoredRun]:
    runs = []
    for slot in slots:
        run_id = slot.run_id if isinstance(slot, Job) else slot
        try:
            runs.append(store.run(run_id))
        except LookupError:
            continue  # never started (interrupted before its turn)
    return runs


def _finished(store: Store, sha256: str, declared: Any, wanted: list[dict[str, Any]]
              ) -> tuple[dict[str, str], str | None]:
    """Finished runs of this exact notebook, by their full params; and the sweep they belong to."""
    keys = {_params_key(effective_params(declared, c)) for c in wanted}
    found: dict[str, str] = {}
    sweep_ids: Counter[str] = Counter()
    for run in store.runs_of_notebook(sha256, status=RunStatus.FINISHED):
        key = _params_key(run.params)
        if key in keys and key not in found:
            found[key] = run.id
            if run.tags.get(SWEEP_TAG):
                sweep_ids[run.tags[SWEEP_TAG]] += 1
    return found, (sweep_ids.most_common(1)[0][0] if sweep_ids else None)


def _params_key(params: Mapping[str, Any]) -> str:
    import json

    from nbtrack.records import to_json_value

    return json.dumps(to_json_value(dict(params)), sort_keys=True, separators=(",", ":"))


def _kernel_name(nb: Any) -> str:
    return str(nb.metadata.get("kernelspec", {}).get("name") or "python3")


# -- local workers ------------------------------------------------------------


def _run_local(plan: Plan, jobs: list[Job], workers: int, report: Callable[[str], None],
               notebook: Notebook) -> None:
    """workers executions at once, the kernels of the next ones starting meanwhile."""
    from nbtrack.execution.forking import notebook_imports
    from nbtrack.execution.kernels import KernelPool

    # The template of this sweep's kernels imports what the notebook imports, read now: a
    # module edited since the last sweep is imported afresh.
    preload = notebook_imports(cell.source for cell in notebook.node.cells if cell.cell_type == "code")
    # Kernels start ahead, two per worker and in parallel: a start is ~1 s of CPU and some
    # waiting, so short executions would otherwise wait on it.
    ahead = KERNELS_AHEAD_PER_WORKER * workers
    pool = KernelPool(starters=ahead, preload=preload, cwd=plan.folder)
    executor = ThreadPoolExecutor(workers, thread_name_prefix="nbtrack-sweep")
    queue = iter(jobs)
    running: dict[Future[str], Job] = {}
    stop = threading.Event()

    def admit() -> None:
        job = next(queue, None)
        if job is None:
            return
        kernel = pool.start(plan.kernel, env=plan.kernel_env(job), cwd=plan.folder)
        running[executor.submit(_execute_when_started, plan, job, kernel, pool, stop, notebook)] = job

    try:
        for _ in range(workers + ahead):  # running, plus starting
            admit()
        while running:
            finished, _ = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                report(_status_of(plan, job, future.exception()))
                admit()
    except KeyboardInterrupt:
        stop.set()
        pool.kill_all()  # running executions see their kernel die and end as killed
        for future in running:
            future.cancel()
        executor.shutdown(wait=True)
        raise
    finally:
        executor.shutdown(wait=True)
        pool.close()


def _execute_when_started(plan: Plan, job: Job, kernel: Future[Any], pool: Any, stop: threading.Event,
                          notebook: Notebook) -> str:
    try:
        km = kernel.result()
    except Exception:  # noqa: BLE001  (every pooled start failed: two more, started the plain way)
        if stop.is_set():
            return job.run_id
        from nbtrack.execution.kernels import shutdown_kernel, start_kernel

        km = start_kernel(plan.kernel, env=plan.kernel_env(job), cwd=plan.folder, attempts=2)
        try:
            return execute_job(plan, job, km, notebook)
        finally:
            shutdown_kernel(km, now=True)
    if stop.is_set():
        pool.release(km)
        return job.run_id
    try:
        return execute_job(plan, job, km, notebook)
    finally:
        pool.release(km)


def _record_unstarted(store: Store, plan: Plan, job: Job, failure: BaseException) -> str:
    """An execution that failed before its run existed still leaves a run: failed, saying why.

    Without it the combination would silently be missing from the sweep's results;
    as a failed run it is counted, shown, and executed again by --resume.
    """
    try:
        store.create_run(
            plan.experiment or Path(plan.notebook).stem, run_id=job.run_id, name=job.name, params=job.params,
            tags={SWEEP_TAG: plan.sweep_id},
        )
        store.end_run(job.run_id, RunStatus.FAILED,
                      RunError(None, type(failure).__name__, f"the execution did not start: {failure}"))
    except Exception:  # noqa: BLE001  (the store itself is unreachable: sweep() reports the missing run)
        return "error"
    return RunStatus.FAILED.value


def _status_of(plan: Plan, job: Job, failure: BaseException | None) -> str:
    """The stored status of a job's run; a job that raised before creating one gets a failed run."""
    store = open_store(plan.store, artifacts=plan.artifacts)
    try:
        return store.run(job.run_id).status.value
    except LookupError:
        if failure is None:
            failure = RuntimeError("the execution ended without creating its run")
        return _record_unstarted(store, plan, job, failure)


@contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """SIGTERM stops a sweep as Ctrl-C does (only the main thread may install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- Dask -----------------------------------------------------------------------


def _run_dask(plan: Plan, jobs: list[Job], workers: int, cluster: Any, report: Callable[[str], None]) -> None:
    """Each execution a task on a dask.distributed cluster; workers write to the shared store."""
    from distributed import Client, LocalCluster, as_completed

    own_cluster = None
    if isinstance(cluster, Client):
        client = cluster
    elif cluster == "local":
        own_cluster = _local_cluster(LocalCluster, workers)
        client = Client(own_cluster)
    elif isinstance(cluster, str):
        client = Client(cluster, timeout=30)
    else:
        raise UsageError(f"--dask takes 'local' or a scheduler address such as tcp://host:8786. Got {cluster!r} instead.")
    try:
        futures = {
            # retries=0 and a fixed run id: a task is never executed twice into two runs.
            client.submit(_dask_task, plan, job, key=f"nbtrack-{job.run_id}", pure=False, retries=0): job
            for job in jobs
        }
        try:
            for future in as_completed(futures):
                job = futures[future]
                report(_status_of(plan, job, None if future.status == "finished" else _dask_failure(future)))
        except KeyboardInterrupt:
            from distributed import Event

            Event(_stop_event_name(plan), client=client).set()  # running tasks kill their kernels
            client.cancel([f for f in futures if f.status == "pending"])  # queued ones never start
            _wait_until_ended(plan, jobs, timeout=60)
            raise
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()
        elif not isinstance(cluster, Client):
            client.close()


def _dask_failure(future: Any) -> BaseException:
    try:
        return future.exception() or RuntimeError(f"the Dask task ended as {future.status}")
    except Exception as exc:  # noqa: BLE001  (cancelled, or the cluster is gone)
        return exc


def _local_cluster(cls: Any, workers: int) -> Any:
    """A LocalCluster whose worker processes ignore Ctrl-C: the sweep stops them itself.

    A terminal's Ctrl-C reaches the whole process group; workers would die mid-task
    with tracebacks instead of letting their runs end as killed.
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        return cls(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)


def _wait_until_ended(plan: Plan, jobs: list[Job], timeout: float) -> None:
    """Until no run of these jobs is still running: their workers record how they ended."""
    store = open_store(plan.store, artifacts=plan.artifacts)
    ids = {job.run_id for job in jobs}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = store.runs(where=f"status = '{RunStatus.RUNNING.value}'", archived="include")
        if not any(run.id in ids for run in running):
            return
        time.sleep(0.2)


def _stop_event_name(plan: Plan) -> str:
    return f"nbtrack-stop-{plan.sweep_id}"


_forker_lock = threading.Lock()
_forker: Any = None


def _worker_forker() -> Any:
    """One kernel template per Dask worker process; it exits with the worker (its stdin closes)."""
    global _forker
    from nbtrack.execution.forking import KernelForker

    with _forker_lock:
        if _forker is None:
            _forker = KernelForker()
        return _forker


def _dask_task(plan: Plan, job: Job) -> str:
    """execute_job on a Dask worker, killing its kernel when the sweep is stopped (Ctrl-C)."""
    from distributed import Event

    from nbtrack.execution.kernels import kill_kernel, shutdown_kernel, start_kernel

    stop = Event(_stop_event_name(plan))
    if stop.is_set():
        return job.run_id
    km = start_kernel(plan.kernel, env=plan.kernel_env(job), cwd=plan.folder, forker=_worker_forker())
    if stop.is_set():  # stopped while the kernel started: no run begins
        shutdown_kernel(km, now=True)
        return job.run_id
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(timeout=0.5):
                kill_kernel(km)  # the engine sees a dead kernel and ends the run as killed
                return

    watcher = threading.Thread(target=watch, name="nbtrack-stop-watch", daemon=True)
    watcher.start()
    try:
        return execute_job(plan, job, km)
    finally:
        done.set()
        watcher.join()
        shutdown_kernel(km, now=True)


# -- progress -------------------------------------------------------------------


@contextmanager
def _status_bar(enabled: bool, total: int, skipped: int, sweep_id: str) -> Iterator[Callable[[str], None]]:
    """A tqdm bar with ETA and a count per status; report(status) advances it."""
    from tqdm.auto import tqdm

    counts: Counter[str] = Counter({"skipped": skipped} if skipped else {})
    bar = tqdm(total=total, initial=skipped, unit="run", desc=f"sweep {sweep_id}", disable=not enabled,
               dynamic_ncols=True)
    lock = threading.Lock()

    def report(status: str) -> None:
        with lock:
            counts[status] += 1
            bar.set_postfix_str(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), refresh=False)
            bar.update(1)

    try:
        yield report
    finally:
        bar.close()
