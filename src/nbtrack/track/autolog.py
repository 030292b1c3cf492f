"""nbtrack.autolog(): capture.autolog's patching, reporting to a recorder that writes the current run.

Record shapes (README, "Capture", says the same to users):

- each fit of the user's is a "model" record (capture.sklearn's body) named by `model_label`,
  until the notebook logs the estimator itself (run.log_model(est, "rf")): that record replaces
  it (keeping its training data and search) and metrics name the model "rf":
  `SVC`, `SVC(C=0.025, kernel=linear)`, `Pipeline(SVC, C=0.025)`, `-2`, `-3` for other objects
  with the same label. A refit of the same object with the same params (a warm_start loop, fit
  called again) is the same model: its record is updated in place and its metrics stay one
  series (steps 0, 1, ...), never a new model. At most
  MAX_MODEL_RECORDS per family (the label without params); past that the family's latest fit
  is kept as `<family>-latest`; the tag `nbtrack.autolog.models_dropped` counts the fits a later
  one replaced, and a line on stderr says so once. A search's record holds its outcome under "search"; its cv_results_ is the
  CSV artifact `searches/<name>.csv`, its best score the metric `[<model>.]search.best_score`
  (`search.best_score.<scorer>` for each of several scorers),
  each candidate's mean test score a point (step = candidate index) of `search.mean_test_<scorer>`,
  its best params the params `search.best.<param>`.
- each fit's X (with y as its target) is a "data" record, as run.log_data profiles it but from a
  fixed sample of at most PROFILE_ROWS rows (rows and fingerprints are of all of it): `train`
  for the first training data, its variable's name (or `train-<n>`) for other data.
- a number a `sklearn.metrics` function returns, or `estimator.score`, is the metric
  `[<model>.]<split>.<metric>`: the model whose predict/predict_proba/decision_function returned
  the scored array (or whose score was called), the split by the fingerprint of y_true (`train`
  when the model was fitted on it, a logged data set's name when its target matches, else
  `test`). `<metric>` is the function without `_score` (`accuracy`, `r2`, `mean_squared_error`),
  `_<average>` appended for average= other than binary, `.<class>` for one column of a multiclass
  score array. `<model>.` is added once a second model is scored (the first model's earlier
  points are then written again under its name). A model autolog did not see fitted (fitted
  before autolog, or loaded) is named by its label. A number scored on an array no model
  returned (a copy, a list) is `sklearn.<function>`, unless the notebook logs the same value itself
  before the run's buffer is next written (its `test.loss` then stands alone). Anything else (a confusion matrix, a report) is a "metric" record named
  the same way, body {"function", "kwargs", "value"}, a value past MAX_VALUE_CHARS of JSON
  replaced by {"truncated", "type", "shapes", "json_chars"}.
- the first metric on a (model, split) also makes the "evaluation" record `[<model>.]<split>`,
  as run.log_evaluation builds it (its numbers stay in the record, not in the metrics).
- cross_val_score/cross_validate: a "metric" record `[<model>.]cv` with the fold scores, times
  and sizes (estimators by class), and the metrics `[<model>.]cv.<score>.mean` and `.std`.
- a shown figure is the artifact `figures/<name>.png`: its suptitle, else its axes' titles
  joined with `and`, else its axis labels, else `cell<execution count>`.
"""

from __future__ import annotations

import json
import math
import re
import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nbtrack.capture.autolog import CROSS_VALIDATION_SCORES, Recorder, enable, paused, restore
from nbtrack.errors import NbtrackError
from nbtrack.records import to_json_value
from nbtrack.track.attribution import (
    Attribution,
    Model,
    is_array_like,
    label,
    metric_name,
    scored_arrays,
    weakable,
)

MAX_MODEL_FILES = 5
MAX_MODEL_RECORDS = 100  # per family: a loop of a thousand fits keeps its last one, and says so
MAX_VALUE_CHARS = 100_000
PROFILE_ROWS = 20_000  # data at fit: rows profiled (fingerprints always cover every row)
BOUND_TAG = "nbtrack.autolog.models_dropped"


def autolog(disable: bool = False, *, model_files: bool = False, metrics: bool = True,
            figures: bool = True, sink: Recorder | None = None) -> None:
    """Record the user's scikit-learn fits, metrics and searches and shown figures into the current run.

    The run is nbtrack.current_run(), else one start_run() begins (or attaches to the engine's)
    at the first record. Fits are described (class, params, fitted facts, fit time, training data
    profile); metrics are named by the model and split they measured. With model_files=True the
    first few fits also keep their model file, at a serialization per fit. `sink` takes the
    observations instead of the run. `disable=True` restores everything that was patched.

    >>> import nbtrack
    >>> nbtrack.autolog()                 # doctest: +SKIP
    >>> nbtrack.autolog(disable=True)
    """
    if disable:
        restore()
        return
    enable(sink or RunRecorder(model_files=model_files), metrics=metrics, figures=figures)


@dataclass
class _Scored:
    """Which models metrics were tied to; names gain `<model>.` once there are two."""
    models: list[str] = field(default_factory=list)
    early: list[tuple[str, str, Any]] = field(default_factory=list)  # (kind, key, value) of the first model

    @property
    def prefixed(self) -> bool:
        return len(self.models) > 1


class RunRecorder(Recorder):
    """Stores into nbtrack.current_run(), starting one (or attaching to the engine's) on first use."""

    def __init__(self, *, model_files: bool = False) -> None:
        self.model_files = model_files
        self._names: dict[str, int] = {}
        self._families: dict[str, int] = {}
        self._bound_reached = False
        self._replaced = 0  # fits past the bound whose record a later fit replaced
        self._fits = 0
        self._fitted: weakref.WeakKeyDictionary[Any, tuple[str, str]] = weakref.WeakKeyDictionary()  # (label, name)
        self._figures: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self._attribution = Attribution()
        self._data: dict[str, str] = {}  # fingerprints of training X and y -> data record name
        self._last_data: tuple[weakref.ref[Any], str | None, str] | None = None
        self._scored = _Scored()
        self._evaluated: set[tuple[str, str]] = set()

    def _run(self) -> Any:
        # Under the engine, while the notebook has no run of its own, the engine writes (relay.py):
        # the kernel never loads the store. Else the session (and with it the store and SQLAlchemy)
        # loads at the first record, so enabling stays cheap in a notebook that never records.
        from nbtrack.track.relay import engine_run

        relayed = engine_run()
        if relayed is not None:
            return relayed
        from nbtrack.track.session import current_run, start_run

        # no run card: a notebook that never mentions nbtrack keeps its own outputs
        return current_run() or start_run(display=False)

    def _unique(self, kind: str, base: str) -> str:
        count = self._names.get(f"{kind}:{base}", 0) + 1
        self._names[f"{kind}:{base}"] = count
        return base if count == 1 else f"{base}-{count}"

    # -- fits -------------------------------------------------------------------------

    def fit(self, estimator: Any, seconds: float, X: Any = None, y: Any = None) -> None:
        from nbtrack.capture.data import values_fingerprint
        from nbtrack.capture.sklearn import describe_model, model_label

        run = self._run()
        self._fits += 1
        text = model_label(estimator)
        refit = self._refit(estimator, text)
        if refit is not None:
            name = refit
        else:
            family = model_label(estimator, max_params=0)
            self._families[family] = count = self._families.get(family, 0) + 1
            if count > MAX_MODEL_RECORDS:
                name = f"{family}-latest"
                self._say_dropped(run, replacing=count > MAX_MODEL_RECORDS + 1)
            else:
                name = self._unique("model", text)
        body = describe_model(estimator, fit_seconds=seconds)
        if self.model_files and self._fits <= MAX_MODEL_FILES:
            body["file"] = self._model_file(run, estimator, name)
        search = self._search(run, name, estimator)
        if search is not None:
            body["search"] = search
        target = values_fingerprint(y) if y is not None and is_array_like(y) else None
        data = self._fit_data(run, X, y, target)
        if data is not None:
            body["data"] = data
        adopted = refit is not None and self._attribution.name_of(estimator) != name
        if not adopted:  # a model the notebook logged itself keeps the notebook's record
            run.store.add_record(run.id, "model", name, body)  # a refit replaces its record
        self._attribution.fitted(estimator, self._attribution.name_of(estimator) if adopted else name, target)
        if weakable(estimator):
            self._fitted[estimator] = (text, name)

    def _refit(self, estimator: Any, text: str) -> str | None:
        """The record name of this same object fitted before with the same params, else None."""
        seen = self._fitted.get(estimator) if weakable(estimator) else None
        return seen[1] if seen is not None and seen[0] == text else None

    def named(self, estimator: Any, name: str) -> dict[str, Any]:
        """The notebook logs this fitted estimator as `name` (run.log_model): its autolog record goes,
        later metrics are named by `name`; returns what only autolog knew (its training data, search)."""
        model = self._attribution._models.get(estimator) if weakable(estimator) else None
        if model is None or model.name == name:
            return {}
        run = self._run()
        old = next((r for r in run.store.records(run.id, "model") if r.name == model.name), None)
        if old is not None:
            run.store.delete_record(run.id, "model", old.name)
        if model.name in self._scored.models:
            self._scored.models[self._scored.models.index(model.name)] = name
        model.name = name
        return {key: old.body[key] for key in ("data", "search") if old is not None and key in old.body}

    def _model_file(self, run: Any, estimator: Any, name: str) -> dict[str, Any]:
        """The model file, as run.log_model keeps it, under an artifact-safe form of the name."""
        from nbtrack.capture.sklearn import serialize_model

        data, kind, untrusted = serialize_model(estimator)
        artifact = run.log_artifact(data, f"models/{_slug(name)}.{kind}", media_type=f"application/x-{kind}")
        return {"artifact": artifact.name, "format": kind, "sha256": artifact.sha256,
                "size_bytes": artifact.size, "trusted": not untrusted, "untrusted_types": untrusted}

    def _say_dropped(self, run: Any, replacing: bool) -> None:
        """Past the bound, each fit of a kind replaces its previous `-latest`: count those replaced."""
        if not self._bound_reached:
            self._bound_reached = True
            print(f"nbtrack: more than {MAX_MODEL_RECORDS} fits of one kind of model; autolog keeps "
                  "the first ones and the latest (<model>-latest), and counts the others in the tag "
                  f"{BOUND_TAG}", file=sys.stderr)
        self._replaced += replacing
        run.set_tag(BOUND_TAG, self._replaced)

    def _fit_data(self, run: Any, X: Any, y: Any, target: str | None) -> str | None:
        """Profile the training data once per distinct (X, y); the data record's name."""
        from nbtrack.capture.data import as_frame, fingerprints, profile_data, sample_rows
        from nbtrack.errors import UsageError

        if X is None or not is_array_like(X) or getattr(X, "ndim", 2) not in (1, 2) or hasattr(X, "nnz"):
            return None
        same = self._last_data  # a loop fitting one X again and again hashes it once
        if same is not None and same[0]() is X and same[1] == target:
            return same[2]
        try:
            frame = as_frame(X)
            full = fingerprints(frame)
            key = full["fingerprint"] + (target or "")
            name = self._data.get(key)
            if name is None:
                name = "train" if not self._data else (_variable_name(X) or f"train-{len(self._data) + 1}")
                sample = sample_rows(frame, PROFILE_ROWS)
                labels = y if y is None or sample is frame else sample_rows(y, PROFILE_ROWS)
                profile = profile_data(sample, target=labels if is_array_like(labels) else None)
                if sample is not frame:
                    profile.update(rows=int(len(frame)), sample_rows=PROFILE_ROWS, **full,
                                   memory_bytes=int(frame.memory_usage(index=False, deep=True).sum()))
                if "target" in profile:
                    profile["target"]["fingerprint"] = target
                run.store.add_record(run.id, "data", name, profile)
                self._data[key] = name
        except (UsageError, TypeError, ValueError):
            return None  # data it cannot profile (ragged lists, 3-d arrays): the model is still recorded
        if weakable(X):
            self._last_data = (weakref.ref(X), target, name)
        return name

    def _search(self, run: Any, name: str, estimator: Any) -> dict[str, Any] | None:
        from nbtrack.capture.sklearn import describe_search

        found = describe_search(estimator)
        if found is None:
            return None
        body, table = found
        artifact = run.log_artifact(table.to_csv(index=False).encode(), f"searches/{_slug(name)}.csv",
                                    media_type="text/csv")
        body["cv_results"] = artifact.name
        if body["best_score"] is not None:
            self._log_point(run, name, "search.best_score", body["best_score"])
        if len(body["best_scores"]) > 1:
            for scorer, value in body["best_scores"].items():
                if value is not None:
                    self._log_point(run, name, f"search.best_score.{scorer}", value)
        for scorer in body["best_scores"]:
            for step, value in enumerate(table[f"mean_test_{scorer}"]):
                if not math.isnan(value):  # NaN: a candidate that failed
                    self._log_point(run, name, f"search.mean_test_{scorer}", float(value), step=step)
        if isinstance(body["best_params"], dict):
            params = {f"search.best.{k}": v for k, v in body["best_params"].items()}
            try:
                run.log_params(params)
            except NbtrackError as exc:  # a param the run already holds with another value
                print(f"nbtrack: the search's best params were not kept as params ({exc})", file=sys.stderr)
        return body

    # -- predictions and metrics -------------------------------------------------------

    def prediction(self, estimator: Any, method: str, X: Any, output: Any) -> None:
        self._attribution.predicted(estimator, X, output)

    def score(self, estimator: Any, value: Any, X: Any, y: Any) -> None:
        from sklearn.base import is_classifier, is_regressor

        number = _scalar(value)
        model = self._attribution.model_of(estimator)
        if number is None or model is None:
            return
        metric = "accuracy" if is_classifier(estimator) else "r2" if is_regressor(estimator) else "score"
        run = self._run()
        split = self._attribution.split(run, model, y)
        self._log_point(run, model.name, f"{split}.{metric}", number)
        self._evaluate(run, model, split, X, y)

    def metric(self, function: str, value: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> None:
        kwargs = kwargs or {}
        run = self._run()
        if function in CROSS_VALIDATION_SCORES:
            self._cross_validation(run, function, value, args, kwargs)
            return
        truth, predicted = scored_arrays(args, kwargs)
        found = self._attribution.find(predicted)
        name = metric_name(function, kwargs)
        if found is None:
            number = _scalar(value)
            if number is not None:  # the notebook may log it under its own name: then that name alone
                run.log_unclaimed(f"sklearn.{function}", number)
                return
            self._log_value(run, None, f"sklearn.{function}", function, value, kwargs)
            return
        entry, column = found
        model = entry.model
        split = self._attribution.split(run, model, truth)
        if column is not None:
            estimator = model.estimator()
            classes = getattr(estimator, "classes_", None)
            if classes is not None and len(classes) > 2 and column < len(classes):
                name = f"{name}.{label(classes[column])}"
        self._log_value(run, model.name, f"{split}.{name}", function, value, kwargs)
        self._evaluate(run, model, split, entry.X() if entry.X is not None else None, truth)

    def _log_value(self, run: Any, model: str | None, key: str, function: str, value: Any,
                   kwargs: dict[str, Any]) -> None:
        number = _scalar(value)
        if number is not None:
            self._log_point(run, model, key, number, claimable=model is not None)
            return
        body = {"function": function, "kwargs": _json_capped(_options(kwargs)), "value": _json_capped(value)}
        if model is not None:
            self._note_scored(run, model)
            self._remember(model, "metric", key, body)
            key = self._key(model, key)
        run.store.add_record(run.id, "metric", self._unique("metric", key), body)

    def _log_point(self, run: Any, model: str | None, key: str, number: float, step: int | None = None, *,
                   claimable: bool = False) -> None:
        scope = key.split(".", 1)[0] + "."  # the split: a claiming key of the notebook's is test.* too
        if model is not None:
            self._note_scored(run, model)
            self._remember(model, "point", key, (number, step))
            key = self._key(model, key)
        if claimable and step is None:
            # The notebook may log this value itself under a name of its own (test.loss for the
            # log_loss it just computed): then that name alone, as for values no model returned.
            run.log_unclaimed(key, number, scope=scope)
        else:
            run.log_metric(key, number, step=step)

    def _key(self, model: str, key: str) -> str:
        return f"{model}.{key}" if self._scored.prefixed else key

    def _note_scored(self, run: Any, model: str) -> None:
        scored = self._scored
        if model in scored.models:
            return
        scored.models.append(model)
        if len(scored.models) == 2:  # from now on names say which model: write the first one's again
            first = scored.models[0]
            for kind, key, value in scored.early:
                if kind == "point":
                    run.log_metric(f"{first}.{key}", value[0], step=value[1])
                else:
                    run.store.add_record(run.id, kind, f"{first}.{key}", value)
            scored.early.clear()

    def _remember(self, model: str, kind: str, key: str, value: Any) -> None:
        if not self._scored.prefixed:
            self._scored.early.append((kind, key, value))

    def _evaluate(self, run: Any, model: Model, split: str, X: Any, y: Any) -> None:
        """The evaluation record of (model, split), made once, when X and y are at hand."""
        from nbtrack.capture.evaluation import evaluate

        estimator = model.estimator()
        if (model.name, split) in self._evaluated or estimator is None or X is None or y is None:
            return
        self._evaluated.add((model.name, split))
        try:
            if len(X) != len(y):
                return
            with paused():
                body = evaluate(estimator, X, y, split=split)
        except (NbtrackError, ValueError, TypeError, IndexError):  # inputs it cannot use (multi-output): no record
            return
        self._remember(model.name, "evaluation", split, body)
        run.store.add_record(run.id, "evaluation", self._key(model.name, split), body)

    def _cross_validation(self, run: Any, function: str, value: Any, args: tuple[Any, ...],
                          kwargs: dict[str, Any]) -> None:
        import numpy as np

        from nbtrack.capture.sklearn import describe_cross_validation, model_label

        estimator = args[0] if args else kwargs.get("estimator")
        model = model_label(estimator) if hasattr(estimator, "get_params") else None
        if isinstance(value, dict):
            body = describe_cross_validation(value)
            columns = {k[len("test_"):] if k.startswith("test_") else k: v for k, v in body.items()
                       if k.startswith(("test_", "train_"))}
        else:
            scoring = kwargs.get("scoring")
            body = {"test_score": [float(v) for v in np.asarray(value, dtype=float).ravel()]}
            columns = {scoring if isinstance(scoring, str) else "score": body["test_score"]}
        record = {"function": function, "estimator": model, "kwargs": _json_capped(_options(kwargs)), "value": body}
        for score, values in columns.items():
            finite = [v for v in values if v is not None]
            if finite:
                self._log_point(run, model, f"cv.{score}.mean", float(np.mean(finite)))
                self._log_point(run, model, f"cv.{score}.std", float(np.std(finite)))
        if model is not None:
            self._remember(model, "metric", "cv", record)
        run.store.add_record(run.id, "metric", self._unique("metric", self._key(model, "cv") if model else "cv"),
                             record)

    # -- figures ---------------------------------------------------------------------

    def figure(self, figure: Any, png: bytes) -> None:
        run = self._run()
        name = self._figures.get(figure)
        if name is None:
            name = self._unique("figure", _figure_name(figure))
            self._figures[figure] = name
        run.log_artifact(png, f"figures/{name}.png", media_type="image/png")


def _slug(name: str) -> str:
    """A model name as an artifact name allows it: `SVC(C=0.1, kernel=linear)` -> `SVC_C_0.1_kernel_linear`."""
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", name).strip("_.") or "model"


def _variable_name(value: Any) -> str | None:
    """The name the user's code binds `value` to, in the first frame outside nbtrack and scikit-learn."""
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(("nbtrack", "sklearn")):
            names = [k for k, v in frame.f_locals.items() if v is value and not k.startswith("_")]
            return names[0] if names else None
        frame = frame.f_back
    return None


def _figure_name(figure: Any) -> str:
    suptitle = getattr(figure, "_suptitle", None)
    axes = list(getattr(figure, "axes", []))
    candidates: list[Callable[[], str]] = [
        lambda: suptitle.get_text() if suptitle is not None else "",
        lambda: " and ".join(dict.fromkeys(t for t in (ax.get_title() for ax in axes) if t)),
        lambda: " vs ".join(t for t in (axes[0].get_ylabel(), axes[0].get_xlabel()) if t) if axes else "",
    ]
    for text in candidates:
        slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text()).strip("-.")[:80]
        if slug:
            return slug
    from nbtrack.capture.shell import current_shell

    shell = current_shell()
    count = getattr(shell, "execution_count", None)
    return f"cell{count}" if count else "figure"


def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is None or isinstance(v, (bool, int, float, str))}


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
