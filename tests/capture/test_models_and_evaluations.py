"""log_model, load_model and log_evaluation on a real store: what lands in records and metrics."""

from __future__ import annotations

import array
import json
import operator

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import LinearSVC

from nbtrack.capture.evaluation import MAX_CURVE_POINTS
from nbtrack.capture.sklearn import UntrustedModel
from nbtrack.errors import IntegrityError, ModelNotFound, UsageError
from nbtrack.track import Run


@pytest.fixture
def run(store):
    handle = Run(store, store.create_run("capture"))
    yield handle
    if not handle.is_ended:
        handle.finish()


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    return data.data.iloc[:400], data.target.iloc[:400], data.data.iloc[400:], data.target.iloc[400:]


def records(run, kind):
    return {r.name: r.body for r in run.store.records(run.id, kind)}


def test_binary_evaluation_logs_split_metrics_confusion_matrix_curves_and_costs(run, cancer):
    X_train, y_train, X_test, y_test = cancer
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X_train, y_train)
    body = run.log_evaluation(model, X_test, y_test, split="test", costs={"fp": 1, "fn": 5})
    run.flush()
    metrics = run.record().metrics
    for name in ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "expected_cost"):
        assert metrics[f"test.{name}"] == pytest.approx(body["metrics"][name])
    stored = records(run, "evaluation")["test"]
    matrix = np.array(stored["confusion_matrix"]["matrix"])
    assert matrix.sum() == len(y_test) and stored["classes"] == ["0", "1"] and stored["positive"] == "1"
    (tn, fp), (fn, tp) = matrix
    assert stored["metrics"]["expected_cost"] == pytest.approx((fp * 1 + fn * 5) / len(y_test))
    assert stored["metrics"]["accuracy"] == pytest.approx((tp + tn) / len(y_test))
    roc = stored["roc"]["1"]
    assert 2 <= len(roc["fpr"]) <= MAX_CURVE_POINTS and roc["fpr"][0] == 0.0 and roc["tpr"][-1] == 1.0
    assert len(stored["pr"]["1"]["precision"]) == len(stored["pr"]["1"]["recall"])
    assert stored["predict_seconds_per_1000"] > 0 and stored["per_class"]["1"]["support"] == int(y_test.sum())


def test_curves_of_large_splits_are_cut_to_two_hundred_points():
    from nbtrack.capture.evaluation import _thin

    thin = _thin(fpr=np.linspace(0, 1, 5000), tpr=np.linspace(0, 1, 5000))
    assert len(thin["fpr"]) <= MAX_CURVE_POINTS and thin["fpr"][0] == 0.0 and thin["fpr"][-1] == 1.0


def test_multiclass_without_predict_proba_uses_decision_scores_and_macro_averages(run):
    X, y = load_wine(return_X_y=True)
    model = make_pipeline(StandardScaler(), LinearSVC(random_state=0)).fit(X[::2], y[::2])
    assert not hasattr(model, "predict_proba")
    body = run.log_evaluation(model, X[1::2], y[1::2], split="val")
    assert body["scores"] == "decision_function"
    assert {"f1", "f1_weighted", "precision_weighted", "recall_weighted"} <= set(body["metrics"])
    assert "log_loss" not in body["metrics"] and "roc_auc" not in body["metrics"]
    assert set(body["roc"]) == {"0", "1", "2"} and len(body["per_class"]) == 3
    assert np.array(body["confusion_matrix"]["matrix"]).shape == (3, 3)
    with pytest.raises(UsageError, match="3x3 table"):
        run.log_evaluation(model, X, y, costs={"fp": 1, "fn": 2})
    cost = run.log_evaluation(model, X, y, split="all", costs=1 - np.eye(3))
    assert cost["metrics"]["expected_cost"] == pytest.approx(1 - cost["metrics"]["accuracy"])


def test_regression_evaluation_logs_mae_rmse_r2_and_residual_histogram(run):
    X, y = load_diabetes(return_X_y=True)
    model = LinearRegression().fit(X[:300], y[:300])
    body = run.log_evaluation(model, X[300:], y[300:], split="test")
    residuals = y[300:] - model.predict(X[300:])
    assert body["task"] == "regression"
    assert body["metrics"]["mae"] == pytest.approx(np.abs(residuals).mean())
    assert body["metrics"]["rmse"] == pytest.approx(np.sqrt((residuals ** 2).mean()))
    assert sum(body["residuals"]["histogram"]["counts"]) == len(residuals)
    run.flush()
    assert set(run.record().metrics) == {"test.mae", "test.rmse", "test.r2"}
    with pytest.raises(UsageError, match="classifiers only"):
        run.log_evaluation(model, X, y, costs={"fp": 1})


def test_model_record_describes_params_fitted_facts_and_a_verified_skops_file(run, cancer):
    X_train, y_train, *_ = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000)).fit(X_train, y_train)
    body = run.log_model(model, "logreg", fit_seconds=0.25)
    stored = records(run, "model")["logreg"]
    json.dumps(stored, allow_nan=False)
    assert stored["class"] == "sklearn.pipeline.Pipeline" and stored["fit_seconds"] == 0.25
    steps = stored["params"]["steps"]
    assert steps[1][0] == "logisticregression" and steps[1][1]["params"]["C"] == 0.5
    assert stored["fitted"]["n_features_in"] == 30 and stored["fitted"]["classes"] == [0, 1]  # JSON values, not text
    importances = stored["fitted"]["importances"]
    assert importances["source"] == "coef_" and importances["top"][0][0] in X_train.columns
    file = stored["file"]
    assert file["format"] == "skops" and file["trusted"] and file["artifact"] == "models/logreg.skops"
    assert file["size_bytes"] == run.store.artifact(run.id, file["artifact"]).size == body["file"]["size_bytes"]
    loaded = run.load_model("logreg")
    assert (loaded.predict(X_train) == model.predict(X_train)).all()
    with pytest.raises(ModelNotFound, match="no model named 'rf'.*logreg"):
        run.load_model("rf")


def test_skops_file_with_untrusted_types_is_refused_unless_trusted(run, cancer):
    X_train, y_train, *_ = cancer
    model = make_pipeline(FunctionTransformer(operator.neg), StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    body = run.log_model(model, "negated")
    assert body["file"]["format"] == "skops" and body["file"]["untrusted_types"] == ["_operator.neg"]
    with pytest.raises(UntrustedModel, match="_operator.neg.*trusted=True"):
        run.load_model("negated")
    assert (run.load_model("negated", trusted=True).predict(X_train) == model.predict(X_train)).all()


def test_model_skops_cannot_write_is_joblib_and_refused_unless_trusted(run, cancer):
    X_train, y_train, *_ = cancer
    model = RandomForestClassifier(n_estimators=3, random_state=0).fit(X_train, y_train)
    model.codes_ = array.array("i", [1, 2, 3])  # skops cannot write array.array; pickle can
    body = run.log_model(model, "odd")
    assert body["file"]["format"] == "joblib" and body["file"]["trusted"] is False
    assert body["file"]["artifact"] == "models/odd.joblib"
    with pytest.raises(UntrustedModel, match="pickle.*trusted=True"):
        run.load_model("odd")
    assert run.load_model("odd", trusted=True).codes_ == model.codes_


def test_model_file_changed_after_logging_is_refused(run, cancer, store):
    X_train, y_train, *_ = cancer
    run.log_model(RandomForestClassifier(n_estimators=3, random_state=0).fit(X_train, y_train), "rf")
    other = RandomForestClassifier(n_estimators=4, random_state=1).fit(X_train, y_train)
    from nbtrack.capture.sklearn import serialize_model

    run.log_artifact(serialize_model(other)[0], "models/rf.skops")  # replaced behind the record's back
    with pytest.raises(IntegrityError, match="does not match the sha256"):
        run.load_model("rf")


def test_log_data_stores_the_profile_record_and_returns_it(run, cancer):
    X_train, y_train, *_ = cancer
    profile = run.log_data(X_train, name="train", target=y_train)
    assert records(run, "data")["train"] == json.loads(json.dumps(profile))
    assert profile["target"]["kind"] == "categorical"
    assert isinstance(pd.DataFrame(profile["numeric"]).shape, tuple)
