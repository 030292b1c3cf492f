"""autolog in process: what it records (top-level fits only), and that disabling restores everything."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sklearn.metrics
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn import model_selection
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import nbtrack
from nbtrack.capture import autolog as autolog_module
from nbtrack.capture.autolog import Recorder


class Events(Recorder):
    def __init__(self) -> None:
        self.fits: list[str] = []
        self.metrics: list[tuple[str, object]] = []

    def fit(self, estimator, seconds, X, y):
        self.fits.append(type(estimator).__name__)

    def metric(self, function, value, args, kwargs):
        self.metrics.append((function, value))


@pytest.fixture
def events():
    recorder = Events()
    nbtrack.autolog(sink=recorder, figures=False)
    yield recorder
    nbtrack.autolog(disable=True)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


def test_only_top_level_fits_are_recorded(events, digits):
    X, y = digits
    GridSearchCV(SVC(), {"C": [1, 10]}, cv=2).fit(X, y)
    make_pipeline(StandardScaler(), SVC()).fit(X, y)
    model_selection.cross_val_score(SVC(), X, y, cv=2)  # looked up at call time: the patched one
    SVC().fit(X, y)
    assert events.fits == ["GridSearchCV", "Pipeline", "SVC"]
    assert [name for name, _ in events.metrics] == ["cross_val_score"]


def test_metric_results_are_recorded_and_nbtrack_own_calls_are_not(events, digits):
    X, y = digits
    from sklearn.metrics import accuracy_score, confusion_matrix  # bound after autolog, as in a notebook

    model = SVC().fit(X, y)
    accuracy = accuracy_score(y, model.predict(X))
    matrix = confusion_matrix(y, model.predict(X))
    with autolog_module.paused():
        sklearn.metrics.f1_score(y, model.predict(X), average="macro")
    assert events.metrics[0] == ("accuracy_score", accuracy)
    assert events.metrics[1][0] == "confusion_matrix" and (events.metrics[1][1] == matrix).all()
    assert len(events.metrics) == 2
    assert autolog_module.fit_seconds(model) > 0


def test_classes_defined_while_enabled_are_patched_and_restored(events, digits):
    class Majority(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_, counts = np.unique(y, return_counts=True)
            self.label_ = self.classes_[counts.argmax()]
            return self

        def predict(self, X):
            return np.full(len(X), self.label_)

    original = Majority.__dict__["fit"].__wrapped__
    Majority().fit(*digits)
    assert events.fits == ["Majority"]
    nbtrack.autolog(disable=True)
    assert Majority.__dict__["fit"] is original


def test_disable_restores_every_fit_metric_hook_and_formatter_exactly():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    classes = _fit_classes()
    assert StandardScaler in classes and len(classes) > 100
    fits = {cls: cls.__dict__["fit"] for cls in classes}
    functions = {name: getattr(sklearn.metrics, name) for name in sklearn.metrics.__all__}
    cv = model_selection.cross_val_score
    meta_path = list(sys.meta_path)
    assert "__init_subclass__" not in BaseEstimator.__dict__ and "format" not in vars(shell.display_formatter)

    nbtrack.autolog(sink=Events())
    assert all(cls.__dict__["fit"] is not fits[cls] for cls in classes)
    assert sklearn.metrics.f1_score is not functions["f1_score"] and model_selection.cross_val_score is not cv
    assert "__init_subclass__" in BaseEstimator.__dict__ and "format" in vars(shell.display_formatter)
    nbtrack.autolog(sink=Events())  # enabling twice still restores once, exactly
    nbtrack.autolog(disable=True)

    assert all(cls.__dict__["fit"] is fits[cls] for cls in classes)
    assert all(getattr(sklearn.metrics, name) is value for name, value in functions.items())
    assert model_selection.cross_val_score is cv and sys.meta_path == meta_path
    assert "__init_subclass__" not in BaseEstimator.__dict__ and "format" not in vars(shell.display_formatter)
    assert not autolog_module.is_enabled()


def _fit_classes():
    from sklearn.utils import all_estimators

    import inspect

    return [cls for _, cls in all_estimators() if inspect.isfunction(cls.__dict__.get("fit"))]


def test_autolog_before_sklearn_is_imported_patches_it_on_import():
    code = """
import sys
import nbtrack
from nbtrack.capture.autolog import Recorder
seen = []
class Sink(Recorder):
    def fit(self, estimator, seconds, X, y): seen.append(type(estimator).__name__)
    def metric(self, function, value, args, kwargs): seen.append(function)
nbtrack.autolog(sink=Sink())
assert "sklearn" not in sys.modules  # autolog itself does not import scikit-learn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
model = LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1])
accuracy_score([0, 1], model.predict([[0], [3]]))
print(seen)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['LogisticRegression', 'accuracy_score']"


def test_a_failing_recorder_never_breaks_the_notebook(digits, capsys):
    class Broken(Recorder):
        def fit(self, estimator, seconds, X, y):
            raise RuntimeError("store is down")

    nbtrack.autolog(sink=Broken())
    try:
        model = SVC().fit(*digits)
        SVC().fit(*digits)
    finally:
        nbtrack.autolog(disable=True)
    assert model.predict(digits[0][:1]).shape == (1,)
    assert capsys.readouterr().err.count("autolog could not record (RuntimeError: store is down)") == 1


def test_the_run_recorder_keeps_fits_metrics_and_files_in_the_current_run(digits):
    X, y = digits
    nbtrack.autolog(model_files=True, figures=False)
    try:
        SVC().fit(X, y)
        model = SVC(C=10).fit(X, y)
        sklearn.metrics.accuracy_score(y, model.predict(X))
        sklearn.metrics.confusion_matrix(y, model.predict(X))
        run = nbtrack.current_run()
        run.flush()
    finally:
        nbtrack.autolog(disable=True)
    try:
        models = {r.name: r.body for r in run.store.records(run.id, "model")}
        assert set(models) == {"SVC", "SVC(C=10)"} and models["SVC(C=10)"]["params"]["C"] == 10
        assert models["SVC(C=10)"]["fit_seconds"] > 0 and models["SVC(C=10)"]["file"]["format"] == "skops"
        assert models["SVC(C=10)"]["file"]["artifact"] == "models/SVC_C_10.skops"
        assert (run.load_model("SVC(C=10)").predict(X) == model.predict(X)).all()
        assert run.record().metrics["train.accuracy"] == 1.0  # scored on the data it was fitted on
        matrix = run.store.records(run.id, "metric")[0]
        assert matrix.name == "train.confusion_matrix" and len(matrix.body["value"]) == 10
    finally:
        run.finish()


def test_a_model_the_notebook_logs_itself_replaces_autologs_record_of_the_same_fit(digits):
    X, y = digits
    nbtrack.autolog(figures=False)
    try:
        model = SVC(C=10).fit(X, y)
        run = nbtrack.current_run()
        run.log_model(model, "svc", display=False)
        sklearn.metrics.accuracy_score(y, model.predict(X))
        run.flush()
    finally:
        nbtrack.autolog(disable=True)
    try:
        models = {r.name: r.body for r in run.store.records(run.id, "model")}
        assert list(models) == ["svc"]  # once, under the notebook's name
        assert models["svc"]["data"] == "train" and models["svc"]["file"]["format"] == "skops"
        assert run.record().metrics["train.accuracy"] == 1.0
    finally:
        run.finish()


def test_a_score_the_notebook_logs_itself_is_not_logged_again_as_sklearn_and_others_still_are(digits):
    X, y = digits
    nbtrack.autolog(figures=False)
    try:
        from sklearn.naive_bayes import GaussianNB

        model = GaussianNB().fit(X, y)
        run = nbtrack.current_run()
        for step in range(3):
            proba = model.predict_proba(X) * 1.0  # a copy: no model returned this array
            run.log_metric("test.loss", sklearn.metrics.log_loss(y, proba), step=step)
        sklearn.metrics.accuracy_score(y, list(model.predict(X)))  # scored on a copy, kept by nobody
        run.flush()
    finally:
        nbtrack.autolog(disable=True)
    try:
        summaries = run.record().summaries
        assert summaries["test.loss"].count == 3 and "sklearn.log_loss" not in summaries
        assert summaries["sklearn.accuracy_score"].last == sklearn.metrics.accuracy_score(y, model.predict(X))
    finally:
        run.finish()


def test_a_refit_of_the_same_model_updates_its_record_and_keeps_one_series(digits):
    X, y = digits
    nbtrack.autolog(figures=False)
    try:
        from sklearn.linear_model import SGDClassifier

        logged = SVC(C=10).fit(X, y)
        run = nbtrack.current_run()
        run.log_model(logged, "svc", display=False)
        logged.fit(X, y)  # fitted again after the notebook logged it: the notebook's record stays
        model = SGDClassifier(max_iter=1, tol=None, warm_start=True, random_state=0)
        for _ in range(5):
            model.fit(X, y)
            sklearn.metrics.accuracy_score(y, model.predict(X))
        model.set_params(alpha=0.1).fit(X, y)  # other params: another model
        run.flush()
    finally:
        nbtrack.autolog(disable=True)
    try:
        models = {r.name: r.body for r in run.store.records(run.id, "model")}
        assert sorted(models) == ["SGDClassifier(alpha=0.1, max_iter=1, tol=None)",
                                  "SGDClassifier(max_iter=1, tol=None, random_state=0)", "svc"], models
        assert "file" in models["svc"]  # still the notebook's record, with its model file
        assert run.record().summaries["train.accuracy"].count == 5  # one series, steps 0..4
    finally:
        run.finish()
