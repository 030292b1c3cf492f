"""notebooks/monitor_batch.ipynb end to end: no drift without a shift; a large shift fires retraining."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MONITOR = REPO / "notebooks" / "monitor_batch.ipynb"

TRAIN = '''import nbtrack
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

run = nbtrack.start_run()
data = datasets.load_breast_cancer(as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=test_size, random_state=seed, stratify=data.target)
run.log_data(X_train, name="train", target=y_train)
estimator = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000)).fit(X_train, y_train)
run.log_model(estimator, "classifier")
run.log_evaluation(estimator, X_test, y_test, split="test")'''


@pytest.mark.slow
def test_monitor_batch_flags_a_large_shift_and_its_alert_retrains(store, cli, notebook, tmp_path):
    trainer = notebook([TRAIN], parameters="C = 1.0\nseed = 0\ntest_size = 0.25", name="train.ipynb")
    assert cli("run", trainer, "--no-autolog").returncode == 0
    [champion] = store.runs()
    store.models.register("churn", champion.id, artifact="models/classifier.skops")
    store.models.promote("churn", 1, "champion")
    (tmp_path / "nbtrack.toml").write_text('''
[[alerts]]
name = "retrain"
experiment = "monitor_batch"
when = "drift.share > 0.3 or metrics.scoring.f1 < 0.85"
notebook = "notebooks/train.ipynb"
params = { C = 0.5 }
''')

    calm = cli("run", MONITOR, "--no-autolog", "-p", "shift", "0", "--format", "json")
    assert calm.returncode == 0, calm.stderr
    assert "alert" not in calm.stderr
    drifted = cli("run", MONITOR, "--no-autolog", "-p", "shift", "1.5")
    assert drifted.returncode == 0, drifted.stderr
    assert "alert retrain fired" in drifted.stderr

    quiet_run, shifted_run = sorted(store.runs(experiment="monitor_batch"), key=lambda r: r.params["shift"])
    quiet = quiet_run.records("drift")[0].body
    shifted = shifted_run.records("drift")[0].body
    assert quiet["share"] == 0.0 and quiet["reference"]["run_id"] == champion.id
    assert shifted["share"] > 0.5 and "mean radius" in shifted["drifted"]
    assert not any(c.startswith("mean ") or c.startswith("worst ") for c in quiet["drifted"])
    assert quiet_run.metrics["scoring.f1"] > 0.9 > shifted_run.metrics["scoring.f1"]
    assert quiet_run.records("alert") == []
    [firing] = shifted_run.records("alert")
    retrained = store.run(firing.body["actions"][0]["run_id"])
    assert retrained.experiment == "train" and retrained.params["C"] == 0.5 and retrained.status == "finished"
