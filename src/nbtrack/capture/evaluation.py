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
    classes = np.asarray(getattr(estimator, "classes_", None) if hasattr(estimator, "classes_")
                         else np.unique(np.concatenate([y, predicted])))
    labels = [_text(c) for c in classes]
    binary = len(classes) == 2
    matrix = _confusion_matrix(y, predicted, classes)
    p, r, f, support = _per_class(matrix)
    found: dict[str, float] = {"accuracy": float(np.mean(y == predicted))}
    if binary:
        found.update(precision=float(p[1]), recall=float(r[1]), f1=float(f[1]))  # of the positive class
    else:
        found.update(precision=float(p.mean()), recall=float(r.mean()), f1=float(f.mean()))
        weights = support / support.sum() if support.sum() else np.zeros_like(p)
        found.update(precision_weighted=float(p @ weights), recall_weighted=float(r @ weights),
                     f1_weighted=float(f @ weights))
    per_class = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                         "support": int(support[i])} for i, label in enumerate(labels)}
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
        from sklearn import metrics

        body["roc"], body["pr"], areas = _curves(metrics, y, classes, labels, scores)
        if kind == "predict_proba" and scores.ndim == 2 and scores.shape[1] == len(classes):
            found["log_loss"] = float(metrics.log_loss(y, scores, labels=classes))
            if binary:
                found["roc_auc"] = areas.get(1)
            elif len(np.unique(y)) == len(classes) and len(areas) == len(classes):
                found["roc_auc"] = float(np.mean(list(areas.values())))  # one-vs-rest, macro
        elif binary and scores.ndim == 1:
            found["roc_auc"] = areas.get(1)
    if found.get("roc_auc") is None:
        found.pop("roc_auc", None)
    if costs is not None:
        cost_matrix = cost_matrix_for(costs, labels)
        expected = float((matrix * cost_matrix).sum() / matrix.sum())
        body["costs"] = {"matrix": cost_matrix.tolist(), "expected_cost": expected}
        found["expected_cost"] = expected
    body["metrics"] = found
    return body


def _confusion_matrix(y: np.ndarray, predicted: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Counts by (true, predicted) class, rows and columns in classes' order; other labels left out.

    With numpy alone: scikit-learn's input checks made confusion_matrix and three
    precision_recall_fscore_support calls most of an evaluation's time (autolog makes one
    per model and split).
    """
    size = len(classes)
    try:
        order = np.argsort(classes, kind="stable")
        ordered = classes[order]

        def positions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            at = np.searchsorted(ordered, values).clip(max=size - 1)
            return order[at], ordered[at] == values

        true_at, true_known = positions(y)
        predicted_at, predicted_known = positions(predicted.reshape(y.shape))
    except (TypeError, ValueError):  # labels numpy cannot order (mixed types): scikit-learn's way
        from sklearn import metrics

        return metrics.confusion_matrix(y, predicted, labels=classes)
    keep = true_known & predicted_known
    cells = np.bincount(true_at[keep] * size + predicted_at[keep], minlength=size * size)
    return cells.reshape(size, size)


def _per_class(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 and support of each class (0 where undefined, as zero_division=0)."""
    tp = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    support = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        denominator = predicted + support  # 2tp + fp + fn
        f1 = np.where(denominator > 0, 2 * tp / denominator, 0.0)
    return precision, recall, f1, support


def _scores(estimator: Any, X: Any) -> tuple[np.ndarray | None, str | None]:
    """Class probabilities when the estimator has them, else decision scores, else nothing."""
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):  # hasattr honours sklearn's available_if (SVC without probability)
            try:
                return np.asarray(getattr(estimator, method)(X), dtype=float), method
            except (AttributeError, NotImplementedError):
                continue
    return None, None


def _curves(metrics: Any, y: np.ndarray, classes: np.ndarray, labels: list[str],
            scores: np.ndarray) -> tuple[dict[str, Any], dict[str, Any], dict[int, float]]:
    """ROC and PR curves per class column (binary: the positive one), and the area under each ROC."""
    roc: dict[str, Any] = {}
    pr: dict[str, Any] = {}
    areas: dict[int, float] = {}
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
        areas[index] = float(np.trapezoid(tpr, fpr))  # what roc_auc_score computes from this curve
        roc[labels[index]] = _thin(fpr=fpr, tpr=tpr, thresholds=roc_thresholds)
        pr[labels[index]] = _thin(precision=precision[:-1], recall=recall[:-1], thresholds=pr_thresholds)
    return roc, pr, areas


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
