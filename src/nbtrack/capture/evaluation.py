"""Evaluations: a fitted estimator scored on one split, as summary metrics plus a structured record.

Record kind "evaluation", name = the split. Body shape (stable; views, gates and drift read it):

    {
      "split": str, "task": "classification" | "regression", "rows": int,
      "estimator": class path,
      "metrics": {name: float},       # also logged as "<split>.<name>" summary metrics
      "predict_seconds_per_1000": float,
      # classification
      "classes": [label text, ...], "positive": label text | null (binary only),
      "scores": "predict_proba" | "decision_function" | null,
      "per_class": {label: {"precision", "recall", "f1", "support"}},
      "confusion_matrix": {"labels": [...], "matrix": [[count]]},   # rows true, columns predicted
      "roc": {label: {"fpr": [...], "tpr": [...], "thresholds": [...]}},  # binary: the positive label only
      "pr": {label: {"precision": [...], "recall": [...], "thresholds": [...]}},
      "costs": {"matrix": [[cost]], "expected_cost": float} | absent,
      # regression
      "residuals": {"mean", "std", "histogram": {"edges": [...], "counts": [...]}},
    }

Classification metrics: accuracy, precision, recall, f1 (binary: of the positive class, the
second of classes_; multiclass: macro averages, with precision_weighted, recall_weighted and
f1_weighted besides), roc_auc and log_loss when predict_proba exists (binary ROC AUC also from
decision_function), expected_cost with costs=. Regression metrics: mae, rmse, r2.
Curves are cut to at most 200 points, always keeping both ends.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from nbtrack.errors import UsageError

MAX_CURVE_POINTS = 200
RESIDUAL_BINS = 20


def evaluate(estimator: Any, X: Any, y: Any, *, split: str = "test",
             costs: Mapping[str, float] | Any = None) -> dict[str, Any]:
    """Score a fitted estimator on (X, y): classification or regression by its convention."""
    from sklearn.base import is_classifier, is_regressor

    y_true = np.asarray(y)
    if y_true.ndim != 1:
        y_true = y_true.ravel() if y_true.ndim == 2 and y_true.shape[1] == 1 else y_true
    if len(y_true) == 0:
        raise UsageError(f"log_evaluation needs at least one row; split {split!r} is empty")
    started = time.perf_counter()
    predicted = estimator.predict(X)
    seconds = time.perf_counter() - started
    body: dict[str, Any] = {
        "split": split,
        "rows": int(len(y_true)),
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "predict_seconds_per_1000": seconds / len(y_true) * 1000,
    }
    if is_classifier(estimator) or (not is_regressor(estimator) and hasattr(estimator, "classes_")):
        body.update(_classification(estimator, X, y_true, np.asarray(predicted), costs))
    else:
        if costs is not None:
            raise UsageError("costs= applies to classifiers only; drop it for a regressor")
        body.update(_regression(y_true, np.asarray(predicted)))
    return body


def _classification(estimator: Any, X: Any, y: np.ndarray, predicted: np.ndarray, costs: Any) -> dict[str, Any]:
    from sklearn import metrics

    classes = np.asarray(getattr(estimator, "classes_", None) if hasattr(estimator, "classes_")
                         else np.unique(np.concatenate([y, predicted])))
    labels = [_text(c) for c in classes]
    binary = len(classes) == 2
    found: dict[str, float] = {"accuracy": float(metrics.accuracy_score(y, predicted))}
    if binary:
        positive = classes[1]
        p, r, f, _ = metrics.precision_recall_fscore_support(
            y, predicted, average="binary", pos_label=positive, zero_division=0)
        found.update(precision=float(p), recall=float(r), f1=float(f))
    else:
        for average, suffix in (("macro", ""), ("weighted", "_weighted")):
            p, r, f, _ = metrics.precision_recall_fscore_support(
                y, predicted, labels=classes, average=average, zero_division=0)
            found.update({f"precision{suffix}": float(p), f"recall{suffix}": float(r), f"f1{suffix}": float(f)})
    p, r, f, support = metrics.precision_recall_fscore_support(
        y, predicted, labels=classes, average=None, zero_division=0)
    per_class = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                         "support": int(support[i])} for i, label in enumerate(labels)}
    matrix = metrics.confusion_matrix(y, predicted, labels=classes)
    body: dict[str, Any] = {
        "task": "classification",
        "classes": labels,
        "positive": labels[1] if binary else None,
        "per_class": per_class,
        "confusion_matrix": {"labels": labels, "matrix": matrix.tolist()},
    }
    scores, kind = _scores(estimator, X)
    body["scores"] = kind
    body["roc"], body["pr"] = {}, {}
    if scores is not None:
        if kind == "predict_proba" and scores.ndim == 2 and scores.shape[1] == len(classes):
            found["log_loss"] = float(metrics.log_loss(y, scores, labels=classes))
            if binary:
                found["roc_auc"] = _auc(metrics, y, scores[:, 1], pos_label=classes[1])
            elif len(np.unique(y)) == len(classes):
                found["roc_auc"] = float(metrics.roc_auc_score(y, scores, multi_class="ovr", labels=classes))
        elif binary and scores.ndim == 1:
            found["roc_auc"] = _auc(metrics, y, scores, pos_label=classes[1])
        body["roc"], body["pr"] = _curves(metrics, y, classes, labels, scores)
    if found.get("roc_auc") is None:
        found.pop("roc_auc", None)
    if costs is not None:
        cost_matrix = cost_matrix_for(costs, labels)
        expected = float((matrix * cost_matrix).sum() / matrix.sum())
        body["costs"] = {"matrix": cost_matrix.tolist(), "expected_cost": expected}
        found["expected_cost"] = expected
    body["metrics"] = found
    return body


def _scores(estimator: Any, X: Any) -> tuple[np.ndarray | None, str | None]:
    """Class probabilities when the estimator has them, else decision scores, else nothing."""
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):  # hasattr honours sklearn's available_if (SVC without probability)
            try:
                return np.asarray(getattr(estimator, method)(X), dtype=float), method
            except (AttributeError, NotImplementedError):
                continue
    return None, None


def _auc(metrics: Any, y: np.ndarray, scores: np.ndarray, pos_label: Any) -> float | None:
    if len(np.unique(y)) < 2:
        return None  # ROC AUC is undefined with one class present
    return float(metrics.roc_auc_score(y == pos_label, scores))


def _curves(metrics: Any, y: np.ndarray, classes: np.ndarray, labels: list[str],
            scores: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    roc: dict[str, Any] = {}
    pr: dict[str, Any] = {}
    if scores.ndim == 1:
        columns = {1: scores}
    elif len(classes) == 2 and scores.shape[1] == 2:
        columns = {1: scores[:, 1]}
    else:
        columns = {i: scores[:, i] for i in range(min(scores.shape[1], len(classes)))}
    for index, column in columns.items():
        truth = y == classes[index]
        if truth.all() or not truth.any():
            continue  # a curve needs both outcomes
        fpr, tpr, roc_thresholds = metrics.roc_curve(truth, column)
        precision, recall, pr_thresholds = metrics.precision_recall_curve(truth, column)
        roc[labels[index]] = _thin(fpr=fpr, tpr=tpr, thresholds=roc_thresholds)
        pr[labels[index]] = _thin(precision=precision[:-1], recall=recall[:-1], thresholds=pr_thresholds)
    return roc, pr


def _thin(**columns: np.ndarray) -> dict[str, list[float | None]]:
    """At most MAX_CURVE_POINTS evenly spaced points of equal-length columns, ends kept."""
    size = len(next(iter(columns.values())))
    if size > MAX_CURVE_POINTS:
        keep = np.unique(np.linspace(0, size - 1, MAX_CURVE_POINTS).round().astype(int))
        columns = {k: v[keep] for k, v in columns.items()}
    return {k: [float(x) if np.isfinite(x) else None for x in v] for k, v in columns.items()}


def cost_matrix_for(costs: Any, labels: list[str]) -> np.ndarray:
    """A cost matrix (rows true, columns predicted) from {"fp","fn","tp","tn"} or a square table."""
    size = len(labels)
    if isinstance(costs, Mapping):
        unknown = set(costs) - {"fp", "fn", "tp", "tn"}
        if size != 2 or unknown:
            raise UsageError(
                "costs={'fp': .., 'fn': .., 'tp': .., 'tn': ..} applies to binary classifiers; "
                f"for {size} classes pass a {size}x{size} table of costs (rows true, columns predicted)"
                if size != 2 else f"costs keys are fp, fn, tp and tn. Got {sorted(unknown)} instead."
            )
        table = [[costs.get("tn", 0.0), costs.get("fp", 0.0)], [costs.get("fn", 0.0), costs.get("tp", 0.0)]]
    else:
        table = costs
    try:
        matrix = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise UsageError(f"costs must be numbers. Got {costs!r} instead.") from None
    if matrix.shape != (size, size) or not np.isfinite(matrix).all():
        raise UsageError(f"costs must be a {size}x{size} table of finite numbers (rows true, columns "
                         f"predicted, classes {labels}). Got shape {matrix.shape} instead.")
    return matrix


def _regression(y: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    from sklearn import metrics

    y = y.astype(float)
    predicted = predicted.astype(float).reshape(y.shape)
    residuals = y - predicted
    finite = residuals[np.isfinite(residuals)]
    histogram = None
    if finite.size:
        counts, edges = np.histogram(finite, bins=RESIDUAL_BINS)
        histogram = {"edges": edges.tolist(), "counts": counts.tolist()}
    found = {
        "mae": float(metrics.mean_absolute_error(y, predicted)),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, predicted))),
    }
    if len(y) >= 2:
        found["r2"] = float(metrics.r2_score(y, predicted))
    return {
        "task": "regression",
        "metrics": found,
        "residuals": {"mean": float(finite.mean()) if finite.size else None,
                      "std": float(finite.std()) if finite.size else None,
                      "histogram": histogram},
    }


def _text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, str) else str(value)
