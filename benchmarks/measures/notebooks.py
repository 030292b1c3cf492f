"""Executing notebooks: capture overhead on notebooks that never mention a tracker, and sweeps.

Capture: the same papermill command-line process, with and without `--engine nbtrack`, on three
ordinary notebooks (benchmarks/notebooks/): both sides pay papermill's imports, draw the figures with the
kernel's own backend (matplotlib-inline, as ipykernel sets it when MPLBACKEND is unset) and write the
output notebook; only the engine differs. One more row runs training_loop under MPLBACKEND=Agg, where plain
papermill draws nothing and the engine renders the figures it keeps. MLflow's row is the same pair in
MLflow's venv, its copy of each notebook starting with `mlflow.autolog()`. Sweeps: 8 executions of short
notebooks (what a sweep saves is kernel start-up) and of notebooks/train_classifier.ipynb (real work), on 2
workers.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

from benchmarks import peers
from benchmarks.context import Context, nbtrack_env
from benchmarks.timing import Row, Target

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
# Each uninstrumented notebook and its parameters at full and tiny size.
PLAIN = {"gridsearch": ([], ["-p", "n_samples", "300"]),
         "column_transformer": ([], ["-p", "n_samples", "600"]),
         "training_loop": ([], ["-p", "n_samples", "600", "-p", "epochs", "3"])}
CAPTURE = "capture overhead, {name}.ipynb (uninstrumented): time with capture / plain papermill"
CAPTURE_AGG = ("capture overhead, training_loop.ipynb under MPLBACKEND=Agg (figures drawn only to be kept): "
               "time with capture / plain papermill")
SWEEP = "8 short notebooks on 2 workers (kernel start-up saved): speed-up over sequential papermill"
REAL_SWEEP = "8 x train_classifier.ipynb on 2 workers: speed-up over sequential papermill"
SHORT_CELLS = [
    "import nbtrack\nrun = nbtrack.start_run()",
    "total = sum(i * x for i in range(10_000))\nrun.log_metric('total', total)",
    "run.finish()",
]


def short_notebook(path: Path) -> Path:
    """A short parameterized notebook that logs one metric."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(source) for source in SHORT_CELLS)]
    nbformat.write(nb, path)
    return path


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=cwd, timeout=600)
    return time.perf_counter() - start


def capture(ctx: Context) -> None:
    """Per notebook, back-to-back pairs (order alternating) of the same papermill CLI with and without
    --engine nbtrack; the median of the pairs' ratios (this machine drifts by up to 1.7x in minutes)."""
    with ctx.scratch("capture") as where:
        env = nbtrack_env(where / "store")
        env.pop("MPLBACKEND")  # the kernel's default, as a user's papermill run has it
        for name, sizes in PLAIN.items():
            times = _capture_pairs(ctx, name, ctx.size(*sizes), env, where, with_run=True)
            engine = _ratios(times["engine"], times["plain"])
            own = _ratios(times["run"], times["plain"])
            measure = CAPTURE.format(name=name)
            ctx.add(Row(measure, "nbtrack (papermill --engine nbtrack)", statistics.median(engine), "x", False,
                        Target(1.10, False), samples=engine,
                        note=f"median of {ctx.reps} back-to-back pairs' ratios; medians "
                             f"{statistics.median(times['engine']):.2f} s vs {statistics.median(times['plain']):.2f} s "
                             "plain; the same papermill CLI, both drawing figures with the kernel's default backend "
                             "and writing the output notebook"))
            ctx.add(Row(measure, "nbtrack run (its own CLI)", statistics.median(own), "x", False, samples=own,
                        note=f"median {statistics.median(times['run']):.2f} s; `nbtrack run` keeps the executed "
                             "notebook in the store instead of writing it beside the input, and loads no papermill CLI"))
        name = "training_loop"
        times = _capture_pairs(ctx, name, ctx.size(*PLAIN[name]), {**env, "MPLBACKEND": "Agg"}, where, with_run=False)
        agg = _ratios(times["engine"], times["plain"])
        ctx.add(Row(CAPTURE_AGG, "nbtrack (papermill --engine nbtrack)", statistics.median(agg), "x", False,
                    samples=agg,
                    note=f"median of {ctx.reps} pairs' ratios; medians {statistics.median(times['engine']):.2f} s vs "
                         f"{statistics.median(times['plain']):.2f} s plain: under Agg plain papermill draws none of "
                         "the three figures, the engine renders each one plt.show() asks for and stores it"))
    if peers.MLFLOW in ctx.peers:
        _mlflow_capture(ctx)


def _capture_pairs(ctx: Context, name: str, params: list[str], env: dict[str, str], where: Path,
                   with_run: bool) -> dict[str, list[float]]:
    """Seconds of each side per pair, the sides' order alternating from one pair to the next, after one
    untimed execution of each side (in three whole runs at 64ff83e the first gridsearch pair, whose plain
    side ran first, gave 0.79, 0.78 and 0.82 against 0.96-1.14 for the later ones)."""
    bin_dir = Path(sys.executable).parent
    notebook, out = str(NOTEBOOKS / f"{name}.ipynb"), str(where / f"out-{name}.ipynb")
    sides = {
        "plain": [str(bin_dir / "papermill"), "--log-level", "ERROR", *params, notebook, out],
        "engine": [str(bin_dir / "papermill"), "--engine", "nbtrack", "--log-level", "ERROR", *params, notebook, out],
    }
    if with_run:
        sides["run"] = [str(bin_dir / "nbtrack"), "run", notebook, *params]
    for command in sides.values():  # untimed: the first pair read the notebook's imports from a cold disk cache
        _cli(command, env, where)
    times: dict[str, list[float]] = {side: [] for side in sides}
    for rep in range(ctx.reps):
        for side in list(sides) if rep % 2 == 0 else list(sides)[::-1]:
            times[side].append(_cli(sides[side], env, where))
    return times


def _ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    return [round(a / b, 3) for a, b in zip(numerators, denominators)]


def _mlflow_capture(ctx: Context) -> None:
    books = [[str(NOTEBOOKS / f"{name}.ipynb"), ctx.size(*sizes)] for name, sizes in PLAIN.items()]
    found = ctx.peer(peers.MLFLOW, "notebooks", timeout=3600, notebooks=books, reps=ctx.reps)
    if not found:
        return
    for name in PLAIN:
        pairs = found[name]
        ratios = [a / b for a, b in zip(pairs["autolog"], pairs["plain"])]
        ctx.add(Row(CAPTURE.format(name=name), f"{peers.MLFLOW.title} autolog", statistics.median(ratios), "x",
                    False, samples=[round(r, 3) for r in ratios],
                    note=f"medians {statistics.median(pairs['autolog']):.2f} s vs {statistics.median(pairs['plain']):.2f} s: "
                         "MLflow's venv runs its papermill CLI on the notebook and on a copy whose first cell is "
                         "`import mlflow; mlflow.autolog()`, in pairs as nbtrack's"))
    ctx.note(f"{peers.MLFLOW.title} autolog: its notebooks run in a kernel of MLflow's venv (papermill "
             f"{_pin('papermill')}, ipykernel {_pin('ipykernel')}, as nbtrack's side; scikit-learn, pandas and matplotlib "
             f"as MLflow's own dependencies resolve); {found['runs']} MLflow runs recorded")


def _pin(name: str) -> str:
    for line in (peers.SCRIPTS / "mlflow-notebooks.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==")[1]
    return "?"


def _papermill_one(args: tuple[str, str, dict[str, Any]]) -> None:
    import papermill

    notebook, output, params = args
    papermill.execute_notebook(notebook, output, parameters=params, progress_bar=False, log_output=False)


def sweep(ctx: Context) -> None:
    count = ctx.size(8, 2)
    with ctx.scratch("sweep") as where:
        notebook = short_notebook(where / "short.ipynb")
        _sweep_rows(ctx, SWEEP, notebook, [{"x": x} for x in range(count)], {"x": list(range(count))}, where,
                    target=None, what="notebooks that do ~1 ms of work: the speed-up is kernel start-up saved")
    with ctx.scratch("real-sweep") as where:
        notebook = REPO / "notebooks" / "train_classifier.ipynb"
        trees = ctx.size(100, 10)
        grid = {"seed": list(range(count)), "n_estimators": [trees]}
        _sweep_rows(ctx, REAL_SWEEP if count == 8 else f"{count} x train_classifier.ipynb on 2 workers: speed-up "
                    "over sequential papermill", notebook, [{"seed": s, "n_estimators": trees} for s in range(count)],
                    grid, where, target=Target(2.5, True),
                    what=f"{count} executions with seeds 0-{count - 1}, {trees} trees: each imports pandas, "
                         "scikit-learn and matplotlib and fits a forest")


def _sweep_rows(ctx: Context, measure: str, notebook: Path, params: list[dict[str, Any]], grid: dict[str, Any],
                where: Path, target: Target | None, what: str) -> None:
    import os

    os.environ.update(nbtrack_env(where / "papermill-store"))
    jobs = [(str(notebook), str(where / f"out{i}.ipynb"), p) for i, p in enumerate(params)]
    sequential, pooled, swept = [], [], []
    redone = 0
    for rep in range(ctx.reps):
        one, two, retries = _plain_papermill_rep(jobs)
        sequential.append(one)
        pooled.append(two)
        redone += retries
        swept.append(_nbtrack_sweep(ctx, notebook, grid, len(params), where / f"sweep-store{rep}"))
    if redone:
        ctx.note(f"{measure}: {redone} rep(s) of plain papermill run again after a kernel died or hung at start")
    # Each rep's speed-up against that rep's sequential run, then their median (see capture).
    base = statistics.median(sequential)
    pooled_up = [a / b for a, b in zip(sequential, pooled)]
    ctx.add(Row(measure, "papermill, process pool of 2", statistics.median(pooled_up), "x", True,
                note=f"per rep, against that rep's sequential papermill (median {base:.2f} s); "
                     f"pool median {statistics.median(pooled):.2f} s", samples=[round(r, 3) for r in pooled_up]))
    if swept and None not in swept:
        swept_up = [a / b for a, b in zip(sequential, swept)]  # type: ignore[operator]
        ctx.add(Row(measure, "nbtrack", statistics.median(swept_up), "x", True, target,
                    note=f"{what}; per rep, as above; nbtrack.sweep(workers=2) median "
                         f"{statistics.median(swept):.2f} s", samples=[round(r, 3) for r in swept_up]))  # type: ignore[type-var]


def _plain_papermill_rep(jobs: list[tuple[str, str, dict[str, Any]]], attempts: int = 3) -> tuple[float, float, int]:
    """Seconds for the jobs run one after another, then on a process pool of 2, and how many tries failed.

    Plain papermill's kernels take TCP ports; two started at once in the pool can collide, and the
    loser dies ("Kernel died before replying to kernel_info") or never answers ("Kernel didn't
    respond in 60 seconds": one whole run of `make bench BENCH_RUNS=3` lost its realistic-sweep row
    to it). The whole rep is then run again, so no figure includes a failed attempt.
    """
    def timed() -> tuple[float, float]:
        start = time.perf_counter()
        for job in jobs:
            _papermill_one(job)
        middle = time.perf_counter()
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_papermill_one, jobs))
        return middle - start, time.perf_counter() - middle

    for failed in range(attempts - 1):
        try:
            return (*timed(), failed)
        except RuntimeError as exc:
            if not kernel_start_failed(exc):
                raise
    return (*timed(), attempts - 1)


def kernel_start_failed(exc: BaseException) -> bool:
    """Whether papermill raised because its kernel died or hung while starting (see above)."""
    return isinstance(exc, RuntimeError) and ("Kernel died" in str(exc) or "Kernel didn't respond" in str(exc))


def _nbtrack_sweep(ctx: Context, notebook: Path, grid: dict[str, Any], count: int, store: Path) -> float | None:
    try:
        from nbtrack import sweep as run_sweep  # type: ignore[attr-defined]
    except ImportError as exc:
        ctx.note(f"nbtrack.sweep is not available yet ({exc}); only the peers are measured")
        return None
    start = time.perf_counter()
    runs = run_sweep(notebook, grid, workers=2, store=store)
    seconds = time.perf_counter() - start
    if len(runs) != count or any(str(r.status) != "finished" for r in runs):
        raise RuntimeError(f"the sweep did not finish every run: {[str(r.status) for r in runs]}")
    return seconds


def run(ctx: Context) -> None:
    capture(ctx)
    sweep(ctx)
