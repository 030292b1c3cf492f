"""The MLflow measures run at tiny size and report each figure (they join `make bench` once wired in the runner)."""

from __future__ import annotations

import pytest

from benchmarks.context import Context
from benchmarks.measures import from_mlflow

pytest.importorskip("mlflow")


def test_mlflow_import_and_plugin_logging_measures_report_every_figure(tmp_path):
    ctx = Context(tmp_path, tiny=True, reps=1, with_peers=False)
    from_mlflow.run(ctx)
    figures = {(row.measure, row.who): row.value for row in ctx.rows}
    assert figures[("import MLflow runs, 20 runs x 50 points", "nbtrack import mlflow://")] > 0
    assert figures[("import MLflow runs, 20 runs x 50 points", "MLflow search_runs + get_metric_history")] > 0
    assert figures[("import MLflow runs, 20 runs x 50 points: import / MLflow's read", "nbtrack")] > 0
    logged = [who for measure, who in figures if measure.startswith(from_mlflow.LOG)]
    assert len(logged) == 3 and logged[0].startswith("nbtrack plugin")
    assert ctx.notes == []
