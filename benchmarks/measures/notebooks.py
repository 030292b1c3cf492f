"""Executing notebooks: full capture vs plain papermill, and 8 short notebooks on 2 workers."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from benchmarks.context import Context, nbtrack_env
from benchmarks.timing import Row, Target

REPO = Path(__file__).resolve().parents[2]
CAPTURE = "train_classifier: nbtrack run (full capture) / plain papermill"
TINY_CAPTURE = "short notebook: nbtrack run (full capture) / plain papermill"
SWEEP = "8 short notebooks on 2 workers: speed-up over sequential papermill"
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
    bin_dir = Path(sys.executable).parent
    tracked, plain = [], []
    with ctx.scratch("capture") as where:
        # Tiny: a short notebook (the point is that the measure runs, not the figure).
        notebook = ctx.size(REPO / "notebooks" / "train_classifier.ipynb", short_notebook(where / "short.ipynb"))
        param = ctx.size(["-p", "n_estimators", "20"], ["-p", "x", "2"])
        env = nbtrack_env(where / "store")
        for i in range(ctx.reps):
            # Alternate the order so neither side always runs on a warmer machine.
            pair = [("nbtrack", [str(bin_dir / "nbtrack"), "run", str(notebook), *param]),
                    ("papermill", [str(bin_dir / "papermill"), *param, "--log-level", "ERROR",
                                   str(notebook), str(where / f"out{i}.ipynb")])]
            for who, args in pair if i % 2 == 0 else pair[::-1]:
                (tracked if who == "nbtrack" else plain).append(_cli(args, env, where))
    # The ratio of each pair run back to back, then their median: this machine's speed drifts by
    # up to 1.7x within minutes, which a ratio of the two sides' medians takes in whole.
    ratios = [a / b for a, b in zip(tracked, plain)]
    ctx.add(Row(ctx.size(CAPTURE, TINY_CAPTURE), "nbtrack", statistics.median(ratios), "x", False,
                Target(1.15, False), samples=[round(r, 3) for r in ratios],
                note=f"median of {len(ratios)} back-to-back pairs' ratios; medians {statistics.median(tracked):.2f} s "
                     f"vs {statistics.median(plain):.2f} s, both as command-line processes"))


def _papermill_one(args: tuple[str, str, int]) -> None:
    import papermill

    notebook, output, x = args
    papermill.execute_notebook(notebook, output, parameters={"x": x}, progress_bar=False, log_output=False)


def sweep(ctx: Context) -> None:
    import os

    count = ctx.size(8, 2)
    with ctx.scratch("sweep") as where:
        notebook = short_notebook(where / "short.ipynb")
        os.environ.update(nbtrack_env(where / "papermill-store"))
        jobs = [(str(notebook), str(where / f"out{x}.ipynb"), x) for x in range(count)]
        sequential, pooled, swept = [], [], []
        redone = 0
        for rep in range(ctx.reps):
            one, two, retries = _plain_papermill_rep(jobs)
            sequential.append(one)
            pooled.append(two)
            redone += retries
            swept.append(_nbtrack_sweep(ctx, notebook, count, where / f"sweep-store{rep}"))
        if redone:
            ctx.note(f"sweep: {redone} rep(s) of plain papermill run again after a kernel died at start")
    # Each rep's speed-up against that rep's sequential run, then their median (see capture).
    base = statistics.median(sequential)
    pooled_up = [a / b for a, b in zip(sequential, pooled)]
    ctx.add(Row(SWEEP, "papermill, process pool of 2", statistics.median(pooled_up), "x", True,
                note=f"per rep, against that rep's sequential papermill (median {base:.2f} s); "
                     f"pool median {statistics.median(pooled):.2f} s", samples=[round(r, 3) for r in pooled_up]))
    if swept and None not in swept:
        swept_up = [a / b for a, b in zip(sequential, swept)]
        ctx.add(Row(SWEEP, "nbtrack", statistics.median(swept_up), "x", True, Target(2.5, True),
                    note=f"per rep, as above; nbtrack.sweep(workers=2) median {statistics.median(swept):.2f} s",
                    samples=[round(r, 3) for r in swept_up]))


def _plain_papermill_rep(jobs: list[tuple[str, str, int]], attempts: int = 3) -> tuple[float, float, int]:
    """Seconds for the jobs run one after another, then on a process pool of 2, and how many tries failed.

    Plain papermill's kernels take TCP ports; two started at once in the pool can collide and
    die ("Kernel died before replying to kernel_info"). The whole rep is then run again, so no
    figure includes a failed attempt.
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
            if "Kernel died" not in str(exc):
                raise
    return (*timed(), attempts - 1)


def _nbtrack_sweep(ctx: Context, notebook: Path, count: int, store: Path) -> float | None:
    try:
        from nbtrack import sweep as run_sweep  # type: ignore[attr-defined]
    except ImportError as exc:
        ctx.note(f"nbtrack.sweep is not available yet ({exc}); only the peers are measured")
        return None
    start = time.perf_counter()
    runs = run_sweep(notebook, {"x": list(range(count))}, workers=2, store=store)
    seconds = time.perf_counter() - start
    if len(runs) != count or any(str(r.status) != "finished" for r in runs):
        raise RuntimeError(f"the sweep did not finish every run: {[str(r.status) for r in runs]}")
    return seconds


def run(ctx: Context) -> None:
    capture(ctx)
    sweep(ctx)
