"""Which model and split a metric measured: the arrays models returned, and y_true matched by fingerprint."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_PREDICTIONS = 64  # prediction arrays remembered to tie metrics to models
PREDICTED_ARGS = ("y_pred", "y_score", "y_prob", "y_proba", "probas_pred", "labels_pred")
TRUTH_ARGS = ("y_true", "labels_true")


@dataclass
class Model:
    name: str
    estimator: weakref.ref[Any]
    target: str | None  # fingerprint of the y it was fitted on


@dataclass
class Prediction:
    model: Model
    output: weakref.ref[Any]  # the returned array
    X: weakref.ref[Any] | None  # its input, for the evaluation record


class Attribution:
    """The models autolog has seen and the last MAX_PREDICTIONS arrays they returned."""

    def __init__(self) -> None:
        self._models: weakref.WeakKeyDictionary[Any, Model] = weakref.WeakKeyDictionary()
        self._predictions: OrderedDict[int, Prediction] = OrderedDict()

    def fitted(self, estimator: Any, name: str, target: str | None) -> None:
        if weakable(estimator):  # else its metrics stay unattributed
            self._models[estimator] = Model(name, weakref.ref(estimator), target)

    def name_of(self, estimator: Any) -> str | None:
        """The name metrics of this estimator go under, when it was seen fitted."""
        model = self._models.get(estimator) if weakable(estimator) else None
        return model.name if model is not None else None

    def model_of(self, estimator: Any) -> Model | None:
        """The recorded model; one fitted before autolog (or loaded) is named by its label."""
        if not weakable(estimator):
            return None
        model = self._models.get(estimator)
        if model is None:
            from nbtrack.capture.sklearn import model_label

            model = self._models[estimator] = Model(model_label(estimator), weakref.ref(estimator), None)
        return model

    def predicted(self, estimator: Any, X: Any, output: Any) -> None:
        model = self.model_of(estimator)
        if model is None or not weakable(output):
            return
        entry = Prediction(model, weakref.ref(output), weakref.ref(X) if weakable(X) else None)
        predictions = self._predictions
        for array in (output, getattr(output, "base", None)):  # a column view's base is the owner
            if array is not None:
                predictions[id(array)] = entry
                predictions.move_to_end(id(array))
        while len(predictions) > MAX_PREDICTIONS:
            predictions.popitem(last=False)

    def find(self, array: Any) -> tuple[Prediction, int | None] | None:
        """The recorded prediction this array is (column None) or one column of."""
        if array is None or not self._predictions:
            return None
        for candidate in (array, getattr(array, "base", None)):
            entry = self._predictions.get(id(candidate)) if candidate is not None else None
            output = entry.output() if entry is not None else None
            if output is None or (candidate is not output and getattr(output, "base", None) is not candidate):
                continue  # an id reused by a newer object
            if array is output:
                return entry, None
            return entry, column_of(array, output)
        return None

    def split(self, run: Any, model: Model | None, truth: Any) -> str:
        """`train` for the model's own training target, a logged data set whose target matches, else `test`."""
        from nbtrack.capture.data import values_fingerprint

        if truth is None or not is_array_like(truth):
            return "test"
        try:
            fingerprint = values_fingerprint(truth)
        except (TypeError, ValueError):
            return "test"
        if model is not None and fingerprint == model.target:
            return "train"
        for record in run.store.records(run.id, "data"):
            target = record.body.get("target") or {}
            if target.get("fingerprint") == fingerprint and not record.name.startswith("train"):
                return record.name
        return "test"


def scored_arrays(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """(y_true, the scored predictions) of a sklearn.metrics call, by keyword or position."""
    predicted = next((kwargs[k] for k in PREDICTED_ARGS if k in kwargs), args[1] if len(args) > 1 else None)
    truth = next((kwargs[k] for k in TRUTH_ARGS if k in kwargs), args[0] if args else None)
    return truth, predicted


def metric_name(function: str, kwargs: dict[str, Any]) -> str:
    name = function.removesuffix("_score")
    average = kwargs.get("average")
    if isinstance(average, str) and average != "binary":
        name = f"{name}_{average}"
    return name


def column_of(view: Any, output: Any) -> int | None:
    """Which column of a 2-d output a 1-d view is (`proba[:, 1]`), else None."""
    try:
        if view.ndim != 1 or output.ndim != 2 or view.shape[0] != output.shape[0]:
            return None
        offset = view.__array_interface__["data"][0] - output.__array_interface__["data"][0]
        step = output.strides[1]
        if step and offset % step == 0 and 0 <= offset // step < output.shape[1] \
                and view.strides[0] == output.strides[0]:
            return offset // step
    except (AttributeError, TypeError, KeyError):
        return None
    return None


def is_array_like(value: Any) -> bool:
    return hasattr(value, "__len__") and hasattr(value, "shape") or isinstance(value, (list, tuple))


def weakable(value: Any) -> bool:
    try:
        weakref.ref(value)
    except TypeError:
        return False
    return True


def label(value: Any) -> str:
    return str(value.item() if hasattr(value, "item") else value)
