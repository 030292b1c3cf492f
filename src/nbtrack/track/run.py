"""Run: the handle a notebook holds to record params, metrics, artifacts and figures."""

from __future__ import annotations

import mimetypes
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from nbtrack.capture.figures import figure_png, mark_logged
from nbtrack.config import heartbeat_seconds
from nbtrack import hooks
from nbtrack.errors import NbtrackError, RunEnded, UsageError
from nbtrack.records import Artifact, RunError, RunStatus
from nbtrack.store import Store, StoredRun

FLUSH_SECONDS = 1.0
MAX_BUFFERED = 200_000  # points; past this a log call flushes itself


class Run:
    """A run being recorded. Metric points are buffered and written in batches.

    >>> run = nbtrack.start_run()                         # doctest: +SKIP
    >>> for step in range(100):                           # doctest: +SKIP
    ...     run.log_metric("loss", 1 / (step + 1))
    >>> run.finish()                                      # doctest: +SKIP
    """

    def __init__(self, store: Store, run_id: str, *, attached: bool = False) -> None:
        self.store = store
        self.id = run_id
        self.attached = attached  # an engine owns this run: it heartbeats and ends it
        self._lock = threading.Lock()
        self._points: list[tuple[str, int, float, int]] = []
        self._next_step: dict[str, int] = {}
        self._ended: RunStatus | None = None  # the status it ended with
        self.alerts: Any = None  # the alert rules' evaluation, started when this run ends by hand
        self._background_error: NbtrackError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._background, name=f"nbtrack-{run_id[-6:]}", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"<nbtrack.Run {self.id} in {self.store.uri}>"

    # -- logging --------------------------------------------------------------

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record params (typed JSON values) now."""
        self._check_open()
        self.store.log_params(self.id, params)

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        """Buffer one point; without a step it is the key's previous step + 1."""
        if self._ended is not None or self._background_error is not None:
            self._check_open()
        if isinstance(value, (str, bytes)):
            raise UsageError(f"metric {key!r} must be a number. Got {value!r} instead.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise UsageError(f"metric {key!r} must be a number. Got {value!r} instead.") from None
        with self._lock:
            if step is None:
                step = self._next_step.get(key)
                if step is None:
                    _check_metric_key(key)
                    step = 0
                self._next_step[key] = step + 1
            else:
                step = _check_step(key, step)
                following = self._next_step.get(key)
                if following is None:
                    _check_metric_key(key)
                if following is None or step >= following:
                    self._next_step[key] = step + 1
            self._points.append((key, step, number, int(time.time() * 1000)))
            full = len(self._points) >= MAX_BUFFERED
        if full:
            self.flush()

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Buffer several points at once, all at the same step when one is given.

        The same rules as log_metric, checked for every point before any is buffered,
        then one lock and one clock read for the lot.
        """
        if self._ended is not None or self._background_error is not None:
            self._check_open()
        numbers = [(key, _number(key, value)) for key, value in metrics.items()]
        if step is not None and numbers:
            step = _check_step(numbers[0][0], step)
        now = int(time.time() * 1000)
        with self._lock:
            following = self._next_step
            for key, _ in numbers:
                if key not in following:
                    _check_metric_key(key)
            points = self._points
            for key, number in numbers:
                after = following.get(key)
                if step is None:
                    at = 0 if after is None else after
                    following[key] = at + 1
                else:
                    at = step
                    if after is None or step >= after:
                        following[key] = step + 1
                points.append((key, at, number, now))
            full = len(points) >= MAX_BUFFERED
        if full:
            self.flush()

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Set tags; they annotate the run and may change after it has ended."""
        self.store.set_tags(self.id, tags)

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def log_artifact(self, source: str | os.PathLike[str] | bytes, name: str | None = None, *,
                     media_type: str | None = None) -> Artifact:
        """Keep a file or bytes with the run, stored once under their sha256."""
        self._check_open()
        if isinstance(source, (bytes, bytearray, memoryview)):
            if name is None:
                raise UsageError("log_artifact of bytes needs a name, such as name='model.bin'")
            media = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            return self.store.add_artifact(self.id, name, data=bytes(source), media_type=media)
        path = Path(source)
        name = name or path.name
        media = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self.store.add_artifact(self.id, name, path=path, media_type=media)

    def log_figure(self, figure: Any, name: str) -> Artifact:
        """Keep a matplotlib figure as a PNG artifact (name.png)."""
        self._check_open()
        png = figure_png(figure)
        mark_logged(figure)  # autolog leaves it alone when it is shown
        filename = name if name.lower().endswith(".png") else f"{name}.png"
        return self.store.add_artifact(self.id, filename, data=png, media_type="image/png")

    # -- capture (nbtrack.capture makes the records; the run stores them) ----------

    def log_data(self, data: Any, name: str = "data", *, target: Any = None,
                 display: bool = True, reference: str | None = None) -> dict[str, Any]:
        """Keep a profile and fingerprint of a frame, series or array (not the data); returns it.

        With reference (a run, or churn@champion), the drift against that run's "train"
        profile is computed, kept as a "drift" record, and returned under "drift".
        """
        from nbtrack.capture.data import profile_data

        self._check_open()
        profile = profile_data(data, target=target)
        self.store.add_record(self.id, "data", name, profile)
        if reference is not None:
            drift = hooks.call("drift_against", self.store, self.id, name, profile, reference)
            profile = {**profile, "drift": drift}
        if display:
            _display_capture("data", name, profile)
        return profile

    def log_model(self, model: Any, name: str | None = None, *,
                  fit_seconds: float | None = None, display: bool = True) -> dict[str, Any]:
        """Keep what was fitted and the model file (skops when it can, else joblib marked untrusted)."""
        from nbtrack.capture import autolog
        from nbtrack.capture.sklearn import describe_model, serialize_model

        self._check_open()
        name = name or type(model).__name__
        with autolog.paused():
            body = describe_model(model, fit_seconds=fit_seconds if fit_seconds is not None
                                  else autolog.fit_seconds(model))
            data, kind, untrusted = serialize_model(model)
        artifact = self.log_artifact(data, f"models/{name}.{kind}", media_type=f"application/x-{kind}")
        body["file"] = {"artifact": artifact.name, "format": kind, "sha256": artifact.sha256,
                        "size_bytes": artifact.size, "trusted": not untrusted, "untrusted_types": untrusted}
        self.store.add_record(self.id, "model", name, body)
        if display:
            _display_capture("model", name, body)
        return body

    def load_model(self, name: str, *, trusted: bool = False, run: str | None = None) -> Any:
        """A model logged by this run (or another: run=ID), its sha256 checked before loading."""
        from nbtrack.capture.sklearn import deserialize_model
        from nbtrack.errors import ModelNotFound

        run_id = self.store.resolve(run) if run else self.id
        models = {r.name: r.body for r in self.store.records(run_id, "model")}
        if name not in models or "file" not in models[name]:
            known = ", ".join(sorted(models)) or "none"
            raise ModelNotFound(f"run {run_id} has no model named {name!r} (its models: {known}); "
                                "log one with run.log_model(model, name)")
        file = models[name]["file"]
        return deserialize_model(self.store.read_artifact(run_id, file["artifact"]), file, trusted=trusted)

    def log_evaluation(self, model: Any, X: Any, y: Any, *, split: str = "test",
                       costs: Mapping[str, float] | Any = None, display: bool = True) -> dict[str, Any]:
        """Score a fitted model on one split: metrics as "<split>.<name>", the rest as a record."""
        from nbtrack.capture import autolog
        from nbtrack.capture.evaluation import evaluate

        self._check_open()
        with autolog.paused():  # the scoring calls inside are not the notebook's own
            body = evaluate(model, X, y, split=split, costs=costs)
        self.log_metrics({f"{split}.{key}": value for key, value in body["metrics"].items()})
        self.store.add_record(self.id, "evaluation", split, body)
        if display:
            _display_capture("evaluation", split, body)
        return body

    def log_environment(self, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """Keep Python, platform, packages and git state (secrets redacted); the engine does this itself."""
        from nbtrack.capture.environment import capture_environment

        self._check_open()
        body = capture_environment(path)
        self.store.add_record(self.id, "environment", "environment", body)
        return body

    # -- state ----------------------------------------------------------------

    @property
    def status(self) -> RunStatus:
        return self.record().status

    def record(self) -> StoredRun:
        """The run as stored now (flushes buffered points first)."""
        if self._ended is None:
            self.flush()
        return self.store.run(self.id)

    @property
    def is_ended(self) -> bool:
        return self._ended is not None

    def flush(self) -> None:
        """Write buffered metric points now, in one transaction."""
        with self._lock:
            points, self._points = self._points, []
        if not points:
            return
        try:
            self.store.log_metrics(self.id, points)
        except RunEnded:
            raise
        except Exception:
            with self._lock:  # keep them for the next attempt
                self._points[:0] = points
            raise

    def finish(self, status: RunStatus | str = RunStatus.FINISHED, error: RunError | None = None, *,
               evaluate_alerts: bool = True) -> None:
        """End the run (flushing first). An engine's run is only flushed: the engine ends it.

        The alert rules are then evaluated in a process of their own (evaluate_alerts=False:
        the caller evaluates them, as the engine does).
        """
        if self._ended is not None:
            return
        if self.attached:
            self.flush()
            return
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        try:
            self.flush()
        finally:
            self._ended = RunStatus(status)
            self.store.end_run(self.id, status, error)
        if evaluate_alerts:
            self.alerts = hooks.call("evaluate_alerts_in_background", self.store, self.id)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            self.finish()
        elif isinstance(exc, KeyboardInterrupt):
            self.finish(RunStatus.KILLED, RunError(None, "KeyboardInterrupt", ""))
        else:
            self.finish(RunStatus.FAILED, RunError(None, type(exc).__name__, str(exc)))

    # -- internals ------------------------------------------------------------

    def _check_open(self) -> None:
        if self._background_error is not None:
            error, self._background_error = self._background_error, None
            raise error
        if self._ended is not None:
            raise RunEnded(self.id, self._ended)

    def _background(self) -> None:
        beat_every = heartbeat_seconds()
        last_beat = time.monotonic()
        while not self._stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
                if not self.attached and time.monotonic() - last_beat >= beat_every:
                    self.store.heartbeat(self.id)
                    last_beat = time.monotonic()
            except NbtrackError as exc:
                self._background_error = exc  # raised by the next call from the notebook
                if isinstance(exc, RunEnded):
                    return
            except Exception:  # a busy or unreachable database: retry on the next tick
                continue


def _display_capture(kind: str, name: str, body: dict[str, Any]) -> None:
    """Show a capture's view where it was logged, in a Jupyter kernel only (views load lazily)."""
    import sys

    ipython = sys.modules.get("IPython")  # never imported here: scripts stay free of it
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return
    hooks.call("display_capture", kind, name, body)


def _number(key: str, value: object) -> float:
    if isinstance(value, (str, bytes)):
        raise UsageError(f"metric {key!r} must be a number. Got {value!r} instead.")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UsageError(f"metric {key!r} must be a number. Got {value!r} instead.") from None


def _check_metric_key(key: object) -> None:
    if not isinstance(key, str) or not key or len(key) > 250 or "\x00" in key:
        raise UsageError(f"a metric key is non-empty text of at most 250 characters. Got {key!r} instead.")


def _check_step(key: str, step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, int):
        if hasattr(step, "dtype") and float(step).is_integer():  # type: ignore[arg-type]
            return int(step)  # type: ignore[call-overload]
        raise UsageError(f"the step of metric {key!r} must be a whole number. Got {step!r} instead.")
    if step < 0 or step >= 2**62:
        raise UsageError(f"the step of metric {key!r} must be >= 0. Got {step} instead.")
    return step
