"""Fitted estimators: what was fitted (from scikit-learn's conventions only) and the model file.

Record kind "model", name = the name given to log_model. Body shape (stable; the registry reads it):

    {
      "class": "sklearn.ensemble._forest.RandomForestClassifier",
      "params": {name: JSON value | {"class": ..., "params": {...}}},   # get_params(deep=False)
      "fitted": {"n_features_in": int | null, "feature_names_in": [...] | null,
                 "classes": [label as its JSON value] | null,
                 "importances": {"source": "feature_importances_" | "coef_",
                                 "top": [[feature, value], ...]} | null},
      "fit_seconds": float | null,
      "file": {"artifact": "models/<name>.skops", "format": "skops" | "joblib",
               "sha256": hex, "size_bytes": int, "trusted": bool, "untrusted_types": [...]},
    }

Model files are skops (no arbitrary pickle: loading checks every type against skops' trusted
list) whenever skops can write the estimator, else joblib, which is pickle and marked untrusted.
Estimators inside pipelines and meta-estimators are described by their class and own params.
"""

from __future__ import annotations

import io
from typing import Any

from nbtrack.errors import IntegrityError, UntrustedModel, UsageError
from nbtrack.records import to_json_value

TOP_FEATURES = 20
MAX_FEATURE_NAMES = 1000
DEPTH_LIMIT = 6


def class_path(obj: Any) -> str:
    kind = obj if isinstance(obj, type) else type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def describe_params(estimator: Any, depth: int = 0) -> dict[str, Any]:
    """get_params(deep=False) as JSON values; nested estimators as {"class", "params"}."""
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # an estimator-like object that breaks the convention
        return {}
    return {str(k): describe_value(v, depth + 1) for k, v in params.items()}


def describe_value(value: Any, depth: int = 0) -> Any:
    if hasattr(value, "get_params") and not isinstance(value, type):
        if depth > DEPTH_LIMIT:
            return {"class": class_path(value)}
        return {"class": class_path(value), "params": describe_params(value, depth)}
    if isinstance(value, (list, tuple)):
        return [describe_value(v, depth) for v in value]
    if isinstance(value, dict):
        return {str(k): describe_value(v, depth) for k, v in value.items()}
    if callable(value):
        qualname = getattr(value, "__qualname__", None)
        return f"{getattr(value, '__module__', '')}.{qualname}" if qualname else repr(value)
    if hasattr(value, "shape") and getattr(value, "size", 0) > 100:
        return f"<array shape {tuple(value.shape)}>"
    return to_json_value(value)


def fitted_facts(estimator: Any) -> dict[str, Any]:
    """Facts scikit-learn's conventions expose after fit: features, classes, importances."""
    names = getattr(estimator, "feature_names_in_", None)
    names = [str(n) for n in names] if names is not None else None
    classes = getattr(estimator, "classes_", None)
    facts: dict[str, Any] = {
        "n_features_in": _int_or_none(getattr(estimator, "n_features_in_", None)),
        "feature_names_in": names[:MAX_FEATURE_NAMES] if names else None,
        "classes": [to_json_value(c.item() if hasattr(c, "item") else c) for c in classes]
        if classes is not None and getattr(classes, "ndim", 1) == 1 else None,
        "importances": importances(estimator, names),
    }
    return facts


def importances(estimator: Any, names: list[str] | None) -> dict[str, Any] | None:
    """The top features by feature_importances_ or |coef_| (a pipeline's last step's)."""
    import numpy as np

    final = estimator
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        final = steps[-1][1]
    for source in ("feature_importances_", "coef_"):
        try:
            values = getattr(final, source, None)
        except Exception:  # some estimators raise on access when the attribute does not apply
            values = None
        if values is None:
            continue
        array = np.abs(np.asarray(values, dtype=float)) if source == "coef_" else np.asarray(values, dtype=float)
        if array.ndim == 2:
            array = array.mean(axis=0)  # one row per class: the mean magnitude across classes
        if array.ndim != 1 or array.size == 0:
            continue
        labels = names if names and len(names) == array.size else [f"x{i}" for i in range(array.size)]
        order = np.argsort(-np.nan_to_num(array, nan=-np.inf), kind="stable")[:TOP_FEATURES]
        return {"source": source, "top": [[labels[i], float(array[i])] for i in order]}
    return None


def model_label(estimator: Any, *, max_params: int = 3) -> str:
    """A short name: the final estimator's class and its params that differ from their defaults.

    `SVC(C=0.025, kernel=linear)`; a pipeline or a meta-estimator is named by what it ends in or
    wraps: `Pipeline(SVC, C=0.025)`, `GridSearchCV(SVC)`.
    """
    inner = _final_estimator(estimator)
    own = type(estimator).__name__
    changed = [f"{k}={_short(v)}" for k, v in changed_params(inner).items()][:max_params]
    if inner is estimator:
        return f"{own}({', '.join(changed)})" if changed else own
    return f"{own}({', '.join([type(inner).__name__, *changed])})"


def changed_params(estimator: Any) -> dict[str, Any]:
    """get_params(deep=False) minus the values equal to the class's defaults, in signature order."""
    import inspect

    try:
        params = estimator.get_params(deep=False)
        signature = inspect.signature(type(estimator).__init__)
    except (TypeError, ValueError, AttributeError):
        return {}
    changed = {}
    for name, parameter in signature.parameters.items():
        if name not in params or parameter.default is inspect.Parameter.empty:
            continue
        value, default = params[name], parameter.default
        try:
            same = value is default or (type(value) is type(default) and bool(value == default))
        except (TypeError, ValueError):  # arrays compare elementwise
            same = False
        if not same and not hasattr(value, "get_params"):
            changed[name] = value
    return changed


def _final_estimator(estimator: Any) -> Any:
    """A pipeline's last step, or the estimator a meta-estimator wraps (by convention)."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps and isinstance(steps[-1], tuple):
        last = steps[-1][1]
        return _final_estimator(last) if hasattr(last, "get_params") else estimator
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # not an estimator by convention
        return estimator
    for key in ("estimator", "base_estimator", "regressor", "classifier"):
        inner = params.get(key)
        if hasattr(inner, "get_params") and not isinstance(inner, type):
            return _final_estimator(inner)
    return estimator


def _short(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif callable(value):
        text = getattr(value, "__name__", type(value).__name__)
    else:
        text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"


def describe_model(estimator: Any, *, fit_seconds: float | None = None) -> dict[str, Any]:
    """The record body of a fitted estimator, without its file."""
    if not hasattr(estimator, "get_params"):
        raise UsageError(f"log_model needs a scikit-learn style estimator. Got {type(estimator).__name__} instead.")
    return {
        "class": class_path(estimator),
        "params": describe_params(estimator),
        "fitted": fitted_facts(estimator),
        "fit_seconds": fit_seconds,
    }


def serialize_model(estimator: Any) -> tuple[bytes, str, list[str]]:
    """The model file: (bytes, "skops" | "joblib", untrusted types). joblib is wholly untrusted."""
    import skops.io

    try:
        data = skops.io.dumps(estimator)
        return data, "skops", sorted(skops.io.get_untrusted_types(data=data))
    except Exception:  # skops cannot write this object: fall back to pickle, marked untrusted
        import joblib

        buffer = io.BytesIO()
        joblib.dump(estimator, buffer)
        return buffer.getvalue(), "joblib", ["*"]


def deserialize_model(data: bytes, file: dict[str, Any], *, trusted: bool = False) -> Any:
    """Load a model file described by a record's "file"; untrusted content needs trusted=True."""
    import hashlib

    if hashlib.sha256(data).hexdigest() != file.get("sha256"):
        raise IntegrityError(
            f"model file {file.get('artifact')} does not match the sha256 its record holds; "
            "it was changed after logging: log the model again"
        )
    untrusted = list(file.get("untrusted_types") or [])
    if file.get("format") == "skops":
        import skops.io

        if untrusted and not trusted:
            raise UntrustedModel(
                f"model file {file.get('artifact')} contains types skops does not trust ({', '.join(untrusted)}); "
                "if you trust its source, load it with load_model(name, trusted=True)"
            )
        return skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data) if trusted else None)
    if file.get("format") == "joblib":
        if not trusted:
            raise UntrustedModel(
                f"model file {file.get('artifact')} is a pickle (joblib), which can run any code when loaded; "
                "if you trust its source, load it with load_model(name, trusted=True)"
            )
        import joblib

        return joblib.load(io.BytesIO(data))
    raise UsageError(f"model file format {file.get('format')!r} is unknown; log the model again with log_model")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def describe_search(search: Any) -> tuple[dict[str, Any], Any] | None:
    """A fitted search's outcome (best candidate and its scores) and its cv_results_ as a DataFrame.

    By convention only: any estimator with `cv_results_` (GridSearchCV, RandomizedSearchCV, the
    halving searches). `best_score` comes from `best_score_`, or from cv_results_ at `best_index_`
    when refit is a callable (scikit-learn then sets no best_score_). None for anything else.
    """
    import json

    import numpy as np
    import pandas as pd

    results = getattr(search, "cv_results_", None)
    if not isinstance(results, dict) or "params" not in results:
        return None
    best_index = _int_or_none(getattr(search, "best_index_", None))
    scorers = [key[len("mean_test_"):] for key in results if key.startswith("mean_test_")]
    best_scores = {}
    if best_index is not None:
        for scorer in scorers:
            value = float(np.asarray(results[f"mean_test_{scorer}"])[best_index])
            best_scores[scorer] = value if np.isfinite(value) else None
    best_score = getattr(search, "best_score_", None) if hasattr(search, "best_score_") else None
    if best_score is None and len(scorers) == 1:
        best_score = best_scores.get(scorers[0])
    params = results["params"]
    body = {
        "candidates": len(params),
        "best_index": best_index,
        "best_params": describe_value(getattr(search, "best_params_", None) if best_index is not None else None),
        "best_score": float(best_score) if best_score is not None else None,
        "best_scores": best_scores,
        "refit": describe_value(getattr(search, "refit", None)),
    }
    table = pd.DataFrame({key: (np.asarray(value, dtype=object) if key.startswith("param_") else value)
                          for key, value in results.items() if key != "params"})
    table.insert(0, "params", [json.dumps(to_json_value(describe_value(p)), sort_keys=True) for p in params])
    return body, table


def describe_cross_validation(value: Any) -> dict[str, Any]:
    """cross_validate's result without its bulk: scores and times kept, estimators by class, folds by size."""
    import numpy as np

    body: dict[str, Any] = {}
    for key, column in value.items():
        if key == "estimator":
            body["estimator"] = [type(e).__name__ for e in column]
        elif key == "indices":
            body["fold_sizes"] = {part: [int(len(i)) for i in column[part]] for part in ("train", "test")
                                  if part in column}
        else:
            body[key] = [float(v) if np.isfinite(v) else None for v in np.asarray(column, dtype=float).ravel()]
    return body
