"""SweepAnalysis: the notebook's view of what drove a metric, over the server's own computation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from views.conftest import XSS

SWEEP = "01SWEEPVIEW"


def sweep_store(path: Path) -> tuple[Any, list[str]]:
    """12 runs: max_depth drives test.f1, a hostile-named categorical param barely matters, one run has no f1."""
    from nbtrack.store import open_store

    store = open_store(path)
    ids = []
    for i, (kind, depth, trees) in enumerate([(k, d, t) for k in ("a", XSS) for d in (2, 4, 8) for t in (50, 100)]):
        run_id = store.create_run("sweep", params={XSS: kind, "max_depth": depth, "n_estimators": trees})
        store.set_tags(run_id, {"sweep": SWEEP})
        if i != 11:
            f1 = 0.7 + 0.03 * depth + (0.004 if kind == "a" else 0.0) + 0.001 * (i % 2)
            store.log_metrics(run_id, [("test.f1", 0, f1, 0), ("train.loss", 0, 1 - f1 + 0.01 * (i % 3), 0)])
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return store, ids


def test_sweep_analysis_shows_parallel_coordinates_importance_and_scatter_with_the_driving_param_first(
        tmp_path: Path) -> None:
    from nbtrack.analyze.sweep_analysis import analyze_runs
    from nbtrack.views import SweepAnalysis

    store, _ = sweep_store(tmp_path / "store")
    view = SweepAnalysis(sweep=SWEEP, metric="metrics.test.f1", store=store)
    assert view.result == analyze_runs(store.runs(f"tags.sweep = '{SWEEP}'", order_by=["started"]),
                                       "metrics.test.f1")  # the server's computation, as it is
    assert view.result["importance"][0]["label"] == "max_depth"
    html = str(view.static_html())
    assert "Parallel coordinates" in html and "Parameter importance" in html and "against each param" in html
    assert html.count('<img src="data:image/png;base64,') == 2
    assert "11 of 12 runs have metrics.test.f1; 1 without it are left out" in html
    assert XSS not in html and "&lt;img src=x" in html  # the hostile param name is shown, escaped
    assert "most important param: max_depth" in view.summary()


def test_sweep_analysis_switches_metric_and_takes_runs_or_ids(tmp_path: Path) -> None:
    from nbtrack.views import SweepAnalysis

    store, ids = sweep_store(tmp_path / "store")
    view = SweepAnalysis(runs=ids[:6], store=store)
    assert view.metric_choice.value == "metrics.test.f1"  # test.* first when no metric is named
    assert set(view.metric_choice.options) == {"metrics.test.f1", "metrics.train.loss"}
    view.metric_choice.value = "metrics.train.loss"
    assert view.result["metric"] == "metrics.train.loss" and "train.loss" in view.body.value
    by_objects = SweepAnalysis(runs=store.runs("params.max_depth = 2"), metric="test.f1", store=store)
    assert by_objects.result["metric"] == "metrics.test.f1" and by_objects.result["used"] == 4


def test_sweep_analysis_says_in_one_line_what_it_cannot_show(tmp_path: Path) -> None:
    from nbtrack.errors import UsageError
    from nbtrack.views import SweepAnalysis

    store, ids = sweep_store(tmp_path / "store")
    single = SweepAnalysis(runs=ids[:1], store=store)
    assert "no param varies among these runs" in str(single.static_html())
    wrong = SweepAnalysis(runs=ids[:3], metric="params.max_depth", store=store)
    assert "not a metric field" in str(wrong.static_html()) and "nbtrack-error" in str(wrong.static_html())
    with pytest.raises(UsageError, match="found no runs with metrics"):
        SweepAnalysis(runs=ids[11:], store=store)


def test_sweep_analysis_is_importable_without_a_kernel_and_loads_nothing_heavy_until_used() -> None:
    code = ("import sys, nbtrack.views as v; assert 'SweepAnalysis' in v.__all__; "
            "assert 'sklearn' not in sys.modules and 'nbtrack.views.sweep' not in sys.modules; "
            "from nbtrack.views import SweepAnalysis; print(SweepAnalysis.__doc__.splitlines()[0])")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Parallel coordinates" in done.stdout


@pytest.mark.slow
def test_sweep_analysis_renders_in_a_real_kernel_as_a_widget_with_static_html(
        cli: Any, notebook: Any, tmp_path: Path) -> None:
    store, _ = sweep_store(tmp_path / "store")
    store.close()
    cells = ["from nbtrack.views import SweepAnalysis",
             f"SweepAnalysis(sweep={SWEEP!r}, metric='metrics.test.f1')"]
    output = tmp_path / "out.ipynb"
    result = cli("run", notebook(cells), "-o", output, "--no-autolog", env={"NBTRACK_STORE": str(tmp_path / "store")})
    assert result.returncode == 0, result.stderr
    shown = json.loads(output.read_text())["cells"][-1]["outputs"]
    (bundle,) = [o["data"] for o in shown if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    html = "".join(bundle["text/html"])
    assert "Parallel coordinates" in html and "max_depth" in html and "<script" not in html
    assert "most important param: max_depth" in "".join(bundle["text/plain"])
