"""Every benchmark runs once at tiny size, so the suite cannot rot between `make bench` runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, *measures: str) -> str:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--no-peers", "--strict", "--reps", "1",
         "--out", str(out), "--only", *measures],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text()


def test_store_benchmarks_run_at_tiny_size_and_report_every_figure(tmp_path):
    text = bench(tmp_path, "imports", "logging", "series", "runs", "listing", "profile")
    assert "## Machine" in text and "## Targets" in text and "## Every figure" in text
    for measure in ("time to the first start_run() returned, in a fresh process", "import in a fresh process",
                    "log_metric, one point per call, 2,000 points", "20 points (every subject at this size)",
                    "batched metric logging", "point visible to another reader after log_metric",
                    "metric series read, downsampled to 1,000 points, 5,000 points",
                    "create 20 finished runs", "200 runs into a DataFrame", "filtered query",
                    "in a store that holds 200 runs", "data profile of 2,000 rows x 20 columns"):
        assert measure in text, measure
    for level in ("normal", "full"):  # both durability settings are measured
        assert f"| nbtrack (durability={level}) |" in text, level
    assert "failed:" not in text  # a measure that raised is reported as "measure X failed: ..."
    assert "## Reading this run" in text and "targets met" in text


def test_runs_are_merged_by_median_and_generated_blocks_rewritten(tmp_path):
    """--runs N reports the median and every run's figure; NOTES.md and README blocks come from the run."""
    from benchmarks import report
    from benchmarks.timing import Row, Target

    def row(value: float, who: str = "nbtrack") -> Row:
        return Row("create 1,000 finished runs (10 params, 5 metrics)", who, value, "s", False,
                   Target(2.0, False) if who == "nbtrack" else None)

    merged = report.merge([[row(1.0), row(50.0, "MLflow (sqlite) 3.17.2")], [row(3.0)], [row(2.5)]])
    ours = next(r for r in merged if r.who == "nbtrack")
    assert ours.value == 2.5 and ours.per_run == [1.0, 3.0, 2.5]
    runs = [report.RunInfo(i, "abc1234", 0.0, 1.0, 0.1, 0.2) for i in (1, 2, 3)]
    text = report.render(merged, [], ["## Machine"], {}, runs=3)
    assert "| 1.00, 3.00, 2.50 |" in text and "the median of 3 whole runs" in text
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold figures\n{report.README_END}\nafter\n")
    assert report.write_readme(readme, merged, runs, tmp_path / "RESULTS.md")
    written = readme.read_text()
    assert "old figures" not in written and written.startswith("intro\n") and written.endswith("after\n")
    assert "| 2.50 s | 50.0 s | <= 2.00 s | **no** |" in written and "abc1234" in written
    notes = tmp_path / "NOTES.md"
    notes.write_text(f"prose\n{report.NOTES_START}\nstale\n{report.NOTES_END}\n")
    assert report.write_notes(notes, merged, runs, tmp_path / "RESULTS.md")
    assert "stale" not in notes.read_text() and "0 of 1 targets met" in notes.read_text()
    assert report.hand_written(notes.read_text()).strip() == "prose"


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_benchmark_runs_on_a_real_server(tmp_path):
    text = bench(tmp_path, "postgres")
    assert "nbtrack on PostgreSQL 15 (fsync on)" in text and "500 points" in text


@pytest.mark.slow
def test_notebook_benchmarks_run_real_kernels(tmp_path):
    text = bench(tmp_path, "notebooks")
    for name in ("gridsearch", "column_transformer", "training_loop"):
        assert f"capture overhead, {name}.ipynb (uninstrumented)" in text, name
    assert "capture overhead, training_loop.ipynb under MPLBACKEND=Agg" in text  # the price of kept figures
    assert "| nbtrack (papermill --engine nbtrack) |" in text and "| nbtrack run (its own CLI) |" in text
    assert "(kernel start-up saved)" in text and "x train_classifier.ipynb on 2 workers" in text
    assert "| papermill, process pool of 2 |" in text and "nbtrack.sweep(workers=2)" in text
    assert "failed:" not in text


@pytest.mark.slow
@pytest.mark.browser
def test_lab_benchmark_drives_the_sidebar_in_chromium(tmp_path):
    text = bench(tmp_path, "lab")
    assert "Lab sidebar: first screen of runs, 100 runs" in text and "Lab sidebar: filter applied, 100 runs" in text


@pytest.mark.slow
def test_runs_table_api_benchmark_times_a_real_server(tmp_path):
    text = bench(tmp_path, "runs_table_api")
    for measure in ("Runs table API: first screen", "a page of 100 rows with 12 columns sorted by -metrics.test.f1",
                    "group by params.model with mean/std of 5 metrics"):
        assert f"{measure}" in text and "200 runs" in text, measure
    assert "failed:" not in text


@pytest.mark.slow
@pytest.mark.browser
def test_lab_table_benchmark_opens_sorts_and_groups_the_table_in_chromium(tmp_path):
    text = bench(tmp_path, "lab_table")
    for figure in ("Lab runs table: first screen", "Lab runs table: sort by a metric", "Lab runs table: group by a param"):
        assert f"{figure}" in text and "300 runs" in text, figure
    assert "failed:" not in text


@pytest.mark.slow
@pytest.mark.browser
def test_lab_charts_benchmark_draws_curves_parallel_coordinates_and_live_points_in_chromium(tmp_path):
    text = bench(tmp_path, "lab_charts")
    for figure in ("Lab charts: first draw, 10 runs x 500 points", "every point drawn (budget 500)", "Lab charts: smoothing change",
                   "parallel coordinates of 50 runs", "Lab charts: a live run's new points on screen"):
        assert figure in text, figure
    assert "failed:" not in text


def test_the_measured_package_is_compiled_to_bytecode_as_pip_compiles_a_wheel(tmp_path, monkeypatch):
    """An editable install under PYTHONDONTWRITEBYTECODE has no bytecode; the bench compiles it first."""
    import importlib.util

    from benchmarks.runner import compile_package

    package = tmp_path / "benchpkg"
    (package / "sub").mkdir(parents=True)
    modules = [package / "__init__.py", package / "one.py", package / "sub" / "__init__.py"]
    for module in modules:
        module.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert compile_package("benchpkg") == 3
    for module in modules:
        assert Path(importlib.util.cache_from_source(str(module))).is_file(), module
    (package / "broken.py").write_text("def (:\n")
    with pytest.raises(RuntimeError, match="does not compile"):
        compile_package("benchpkg")
    with pytest.raises(RuntimeError, match="not an installed package"):
        compile_package("benchpkg_absent")


def test_a_plain_papermill_rep_is_run_again_when_its_kernel_dies_or_hangs_at_start():
    """Plain papermill's pooled kernels can collide on TCP ports; either failure reruns the rep, others raise."""
    from benchmarks.measures.notebooks import kernel_start_failed

    assert kernel_start_failed(RuntimeError("Kernel died before replying to kernel_info"))
    assert kernel_start_failed(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not kernel_start_failed(RuntimeError("the sweep did not finish every run: ['failed']"))
    assert not kernel_start_failed(ValueError("Kernel didn't respond in 60 seconds"))
