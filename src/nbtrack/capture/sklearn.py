"""Fitted estimators: what was fitted (from scikit-learn's conventions only) and the model file.

Record kind "model", name = the name given to log_model. Body shape (stable; the registry reads it):

    {
      "class": "sklearn.ensemble._forest.RandomForestClassifier",
      "params": {name: JSON value | {"class": ..., "params": {...}}},   # get_params(deep=False)
      "fitted": {"n_features_in": int | null, "feature_names_in": [...] | null,
                 "classes": [label text] | null,
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
        "classes": [str(c.item() if hasattr(c, "item") else c) for c in classes] if classes is not None
        and getattr(classes, "ndim", 1) == 1 else None,
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
