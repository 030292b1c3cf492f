"""nbtrack.autolog(): capture.autolog's patching, reporting to a recorder that writes the current run.

Record shapes: each top-level fit is a "model" record (capture.sklearn's body) named after its
class (`SVC`, `SVC-2`, ...), without the model file unless model_files=True (the first
MAX_MODEL_FILES fits then keep one), at most MAX_FIT_RECORDS per process. A number returned by a
`sklearn.metrics` function is a point of the metric series `sklearn.<function>`; anything else (a
confusion matrix, a classification report, cross_val_score's scores) a record of kind "metric",
name `<function>` or `<function>-<n>`, body {"function", "kwargs", "value"}, a value past
MAX_VALUE_CHARS of JSON replaced by {"truncated", "type", "shapes", "json_chars"}. A shown figure
is the artifact `figures/<title or "figure">[-n].png`.
"""

from __future__ import annotations

import json
import re
import weakref
from typing import Any

from nbtrack.capture.autolog import Recorder, enable, paused, restore
from nbtrack.records import to_json_value

MAX_MODEL_FILES = 5
MAX_FIT_RECORDS = 100
MAX_VALUE_CHARS = 100_000


def autolog(disable: bool = False, *, model_files: bool = False, metrics: bool = True,
            figures: bool = True, sink: Recorder | None = None) -> None:
    """Record scikit-learn fits, sklearn.metrics results and shown figures into the current run.

    The run is nbtrack.current_run(), else one start_run() begins (or attaches to the engine's)
    at the first record. Fits are described (class, params, fitted facts, fit time); with
    model_files=True the first few also keep their model file, at a serialization per fit.
    `sink` takes the observations instead of the run. `disable=True` restores everything
    that was patched.

    >>> import nbtrack
    >>> nbtrack.autolog()                 # doctest: +SKIP
    >>> nbtrack.autolog(disable=True)
    """
    if disable:
        restore()
        return
    enable(sink or RunRecorder(model_files=model_files), metrics=metrics, figures=figures)


class RunRecorder(Recorder):
    """Stores into nbtrack.current_run(), starting one (or attaching to the engine's) on first use."""

    def __init__(self, *, model_files: bool = False) -> None:
        self.model_files = model_files
        self._names: dict[str, int] = {}
        self._fits = 0
        self._figures: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    def _run(self) -> Any:
        # The session (and with it the store and SQLAlchemy) loads at the first record, so
        # enabling stays cheap in a notebook that never fits, scores or shows anything.
        from nbtrack.track.session import current_run, start_run

        # no run card: a notebook that never mentions nbtrack keeps its own outputs
        return current_run() or start_run(display=False)

    def _unique(self, kind: str, base: str) -> str:
        count = self._names.get(f"{kind}:{base}", 0) + 1
        self._names[f"{kind}:{base}"] = count
        return base if count == 1 else f"{base}-{count}"

    def fit(self, estimator: Any, seconds: float) -> None:
        self._fits += 1
        if self._fits > MAX_FIT_RECORDS:
            return
        run = self._run()
        name = self._unique("model", type(estimator).__name__)
        if self.model_files and self._fits <= MAX_MODEL_FILES:
            run.log_model(estimator, name, fit_seconds=seconds, display=False)
            return
        from nbtrack.capture.sklearn import describe_model

        with paused():
            body = describe_model(estimator, fit_seconds=seconds)
        run.store.add_record(run.id, "model", name, body)

    def metric(self, function: str, value: Any, kwargs: dict[str, Any]) -> None:
        run = self._run()
        number = _scalar(value)
        if number is not None:
            run.log_metric(f"sklearn.{function}", number)
            return
        run.store.add_record(run.id, "metric", self._unique("metric", function),
                             {"function": function, "kwargs": _json_capped(kwargs), "value": _json_capped(value)})

    def figure(self, figure: Any, png: bytes) -> None:
        run = self._run()
        name = self._figures.get(figure)
        if name is None:
            name = self._unique("figure", _figure_title(figure) or "figure")
            self._figures[figure] = name
        run.log_artifact(png, f"figures/{name}.png", media_type="image/png")


def _figure_title(figure: Any) -> str | None:
    texts = []
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None:
        texts.append(suptitle.get_text())
    texts += [ax.get_title() for ax in getattr(figure, "axes", [])]
    for text in texts:
        slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text).strip("-.")[:60]
        if slug:
            return slug
    return None


def _scalar(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "dtype") and getattr(value, "ndim", None) == 0:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def _json_capped(value: Any) -> Any:
    plain = to_json_value(value)
    text = json.dumps(plain, allow_nan=False)
    if len(text) <= MAX_VALUE_CHARS:
        return plain
    shapes = [list(getattr(v, "shape", ())) for v in (value if isinstance(value, tuple) else (value,))]
    return {"truncated": True, "type": type(value).__name__, "shapes": shapes, "json_chars": len(text)}
