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
    for measure in ("import in a fresh process", "log_metric, one point per call, 2,000 points",
                    "batched metric logging", "metric series read, downsampled to 1,000 points, 5,000 points",
                    "create 1,000 finished runs", "200 runs into a DataFrame", "filtered query",
                    "in a store that holds 200 runs", "data profile of 2,000 rows x 20 columns"):
        assert measure in text, measure
    assert "failed:" not in text  # a measure that raised is reported as "measure X failed: ..."


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_benchmark_runs_on_a_real_server(tmp_path):
    text = bench(tmp_path, "postgres")
    assert "nbtrack on PostgreSQL 15 (fsync on)" in text and "500 points" in text


@pytest.mark.slow
def test_notebook_benchmarks_run_real_kernels(tmp_path):
    text = bench(tmp_path, "notebooks")
    assert "nbtrack run (full capture) / plain papermill" in text
    assert "| papermill, process pool of 2 |" in text and "nbtrack.sweep(workers=2)" in text


@pytest.mark.slow
@pytest.mark.browser
def test_lab_benchmark_drives_the_sidebar_in_chromium(tmp_path):
    text = bench(tmp_path, "lab")
    assert "Lab sidebar: first screen of runs, 100 runs" in text and "Lab sidebar: filter applied, 100 runs" in text
