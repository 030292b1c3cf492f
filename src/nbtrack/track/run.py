"""Run: the handle a notebook holds to record params, metrics, artifacts and figures."""

from __future__ import annotations

import os
import sys
import threading
import time
from array import array
from collections.abc import Mapping
from pathlib import Path
from time import time_ns
from types import TracebackType
from typing import Any

from nbtrack.capture.figures import figure_png, mark_logged
from nbtrack.capture.shell import current_shell
from nbtrack.config import writer_heartbeat_seconds
from nbtrack import hooks
from nbtrack.errors import NbtrackError, RunEnded, StorageError, UsageError
from nbtrack.records import Artifact, RunError, RunStatus
from nbtrack.store import Store, StoredRun
from nbtrack.store.store import MetricColumns

FLUSH_SECONDS = 1.0  # the promise: a point logged is written within this, with no flush() called
_TICK_SECONDS = 0.1  # how often the flusher looks at the open runs
_ASK_SECONDS = 0.3  # a point waiting this long: the next log call writes the buffer
_WRITE_SECONDS = 0.5  # and this long, with no log call since: the flusher writes it itself
_SWITCH_SECONDS = 0.0005  # the GIL's switch interval while it does
MAX_BUFFERED = 200_000  # points; past this a log call flushes itself
_MAX_STEP = 2**62
_FLOAT = frozenset([float])


class Run:
    """A run being recorded. Metric points are buffered and written in batches.

    Points wait in memory per key as columns (steps, values, timestamps), the form the
    store writes and summarizes fastest. They are written when the buffer fills, at
    flush(), at the end of each notebook cell, and within a second of being logged: the
    process's flusher asks the next log call to write them, and writes them itself only
    when no log call came soon enough (see _Flusher for why it does not simply write them).

    >>> run = nbtrack.start_run()                         # doctest: +SKIP
    >>> for step in range(100):                           # doctest: +SKIP
    ...     run.log_metric("loss", 1 / (step + 1))
    >>> run.finish()                                      # doctest: +SKIP
    """

    def __init__(self, store: Store, run_id: str, *, attached: bool = False) -> None:
        self.store = store
        self.id = run_id
        self.attached = attached  # an engine owns this run: it heartbeats and ends it
        self._lock = threading.Lock()  # guards the buffer and the flags below
        self._flush_lock = threading.Lock()  # one write at a time: batches reach the store in order
        self._buffer: dict[str, MetricColumns] = {}
        # log_metrics calls with a step that share their keys, in order: one flat array of their
        # values, row after row, with a step and a stamp a row (see _settle). A call appends its
        # values in C, converting and checking them in the same pass; a key's column is then
        # one strided slice. Arrays are not containers the garbage collector walks.
        self._row_keys: tuple[str, ...] = ()
        self._row_values = array("d")
        self._row_steps = array("q")
        self._row_stamps = array("q")
        self._buffered = 0  # points in the buffer
        self._next_step: dict[str, int] = {}
        self._ended: RunStatus | None = None  # the status it ended with
        self.alerts: Any = None  # the alert rules' evaluation, started when this run ends by hand
        self._background_error: NbtrackError | None = None
        self._flush_asked = False  # by the flusher: the next log call writes the buffer
        self._flushes = 0
        # Values autolog saw scored on arrays no model returned: (key, value), written with the next
        # buffer unless the notebook logs the same value itself first (then its own key names it).
        self._unclaimed: list[tuple[str, float, str]] = []  # (key, value, the prefix a claiming key has)
        # The log calls' one check: ended, an error from the flusher, a flush asked for, or unclaimed values.
        self._attention = False
        _flusher().watch(self)

    def __repr__(self) -> str:
        return f"<nbtrack.Run {self.id} in {self.store.location.display}>"

    # -- logging --------------------------------------------------------------

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record params (typed JSON values) now."""
        self._check_open()
        self.store.log_params(self.id, params)

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        """Buffer one point; without a step it is the key's previous step + 1."""
        # The hot path of one-point-per-call logging: one flag, one class check, one clock read,
        # the lock taken by hand (half the cost of `with` on this Python, measured).
        if self._attention:
            self._attend((value,), (key,))
        if value.__class__ is not float:
            value = _number(key, value)
        if step is not None:
            step = _check_step(key, step)
        stamp = time_ns() // 1_000_000
        lock = self._lock
        lock.acquire()
        try:
            if self._row_steps:
                self._settle()  # older points first
            columns = self._buffer.get(key)
            if columns is None:
                columns = self._new_columns(key)
            following = self._next_step
            if step is None:
                step = following[key]
                following[key] = step + 1
            elif step >= following[key]:
                following[key] = step + 1
            steps, values, stamps = columns
            steps.append(step)
            values.append(value)
            stamps.append(stamp)
            self._buffered = buffered = self._buffered + 1
        finally:
            lock.release()
        if buffered >= MAX_BUFFERED:
            self.flush()

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Buffer several points at once, all at the same step when one is given.

        The same rules as log_metric, checked for every point before any is buffered,
        then one lock and one clock read for the lot. With a step, the values are appended
        to a flat array of rows (see _settle): per-key appends at each call were most of
        the cost of batched logging (profile of 100,000 calls of 10 keys).
        """
        if self._attention:
            self._attend(tuple(metrics.values()), tuple(metrics))
        if not metrics:
            return
        if step is None:
            self._log_row(metrics)
            return
        if step.__class__ is not int or not 0 <= step < _MAX_STEP:
            step = _check_step(next(iter(metrics)), step)
        keys = tuple(metrics)
        stamp = time_ns() // 1_000_000
        lock = self._lock
        lock.acquire()
        try:
            if keys != self._row_keys:
                if self._row_steps:
                    self._settle()  # a row group shares its keys, in one order
                self._check_keys(metrics)
                self._row_keys = keys
            flat = self._row_values
            size = len(flat)
            try:
                flat.extend(metrics.values())  # float() of each, in C; a str or None fails
            except (TypeError, ValueError, OverflowError):
                del flat[size:]
                flat.extend([_number(key, value) for key, value in metrics.items()])
            self._row_steps.append(step)
            self._row_stamps.append(stamp)
            self._buffered = buffered = self._buffered + len(keys)
        finally:
            lock.release()
        if buffered >= MAX_BUFFERED:
            self.flush()

    def _log_row(self, metrics: Mapping[str, float]) -> None:
        """log_metrics without a step: each key at its own next step."""
        if _FLOAT.issuperset(map(type, metrics.values())):  # the types checked in C
            row = metrics
        else:
            row = {key: _number(key, value) for key, value in metrics.items()}
        stamp = time_ns() // 1_000_000
        with self._lock:
            if self._row_steps:
                self._settle()  # older points first
            self._check_keys(row)
            following, buffer = self._next_step, self._buffer
            for key, value in row.items():
                columns = buffer.get(key) or self._new_columns(key)
                at = following[key]
                following[key] = at + 1
                columns[0].append(at)
                columns[1].append(value)
                columns[2].append(stamp)
            self._buffered += len(row)
            full = self._buffered >= MAX_BUFFERED
        if full:
            self.flush()

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Set tags; they annotate the run and may change after it has ended."""
        self.store.set_tags(self.id, tags)

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def set_note(self, text: str) -> None:
        """Set the run's Markdown note ("" clears it); it may change after the run ended, as tags do.

        >>> run.set_note("Baseline for the **churn** model; beat test.f1 0.91")  # doctest: +SKIP
        """
        self.store.set_note(self.id, text)

    def rename(self, name: str) -> None:
        """Give the run another name (one line, at most 200 characters)."""
        self.store.rename(self.id, name)

    def log_artifact(self, source: str | os.PathLike[str] | bytes, name: str | None = None, *,
                     media_type: str | None = None) -> Artifact:
        """Keep a file or bytes with the run, stored once under their sha256."""
        self._check_open()
        if isinstance(source, (bytes, bytearray, memoryview)):
            if name is None:
                raise UsageError("log_artifact of bytes needs a name, such as name='model.bin'")
            media = media_type or _guess_type(name)
            return self.store.add_artifact(self.id, name, data=bytes(source), media_type=media)
        path = Path(source)
        name = name or path.name
        media = media_type or _guess_type(name)
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
        body = {**autolog.adopt(model, name), **body}  # autolog's own record of this fit goes
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
        with self._flush_lock:
            buffer = self._take_buffer()
            if not buffer:
                return
            try:
                self.store.log_metric_columns(self.id, buffer)
            except RunEnded:
                raise
            except Exception:
                self._put_back(buffer)  # kept for the next attempt
                raise

    def finish(self, status: RunStatus | str = RunStatus.FINISHED, error: RunError | None = None, *,
               rules_from: str | os.PathLike[str] | None = None, wait_for_alerts: bool = False) -> None:
        """End the run (its buffered points written in the same transaction). An engine's run is
        only flushed: the engine ends it.

        Then the "run_ended" hook fires the alert rules, found from rules_from (else the
        working directory): in a process of their own, unless wait_for_alerts (the engine's
        caller waits for the execution anyway).
        """
        if self._ended is not None:
            return
        if self.attached:
            self.flush()
            return
        _flusher().forget(self)
        with self._flush_lock:
            buffer = self._take_buffer()
            try:
                self.store.end_run(self.id, status, error, metrics=buffer)
            finally:
                self._ended = RunStatus(status)
                self._attention = True
        self.alerts = hooks.call("run_ended", self.store, self.id, rules_from=rules_from,
                                 wait=wait_for_alerts)

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
            with self._lock:
                error, self._background_error = self._background_error, None
                self._recheck()
            if error is not None:
                raise error
        if self._ended is not None:
            raise RunEnded(self.id, self._ended)

    def _attend(self, values: tuple[Any, ...] = (), keys: tuple[str, ...] = ()) -> None:
        """The slow path of a log call: raise what is pending, claim autolog's values the notebook logs
        itself (the same value under a key with the value's scope), write what the flusher asked for."""
        self._check_open()
        if self._unclaimed and values:
            logged = list(zip(keys, values, strict=True))
            with self._lock:
                self._unclaimed = [(k, v, scope) for k, v, scope in self._unclaimed
                                   if not any(v == x and name.startswith(scope) for name, x in logged)]
                self._recheck()
        if self._flush_asked:
            self.flush()

    def log_unclaimed(self, key: str, value: float, scope: str = "") -> None:
        """A value autolog saw scored, kept as key unless the notebook logs the same value itself, under
        a key starting with scope ("" for any; "test." for a value autolog named test.log_loss), before
        the buffer is next written: no sklearn.log_loss or test.log_loss beside the notebook's own
        test.loss."""
        with self._lock:
            self._unclaimed.append((key, value, scope))
            self._attention = True

    def _recheck(self) -> None:  # under self._lock
        self._attention = (self._ended is not None or self._background_error is not None
                           or self._flush_asked or bool(self._unclaimed))

    def _check_keys(self, row: Mapping[str, float]) -> None:  # under self._lock
        """Check every new key of a row before any of its points is buffered."""
        following = self._next_step
        if not following.keys() >= row.keys():
            for key in row:
                if key not in following:
                    _check_metric_key(key)
            for key in row:
                following.setdefault(key, 0)

    def _new_columns(self, key: str) -> MetricColumns:  # under self._lock
        if key not in self._next_step:
            _check_metric_key(key)
            self._next_step[key] = 0
        columns: MetricColumns = (array("q"), array("d"), array("q"))
        self._buffer[key] = columns
        return columns

    def _settle(self) -> None:  # under self._lock
        """Turn the rows of log_metrics(..., step=) into per-key columns: a strided slice a key."""
        keys, flat, steps, stamps = self._row_keys, self._row_values, self._row_steps, self._row_stamps
        self._row_keys, self._row_values, self._row_steps, self._row_stamps = (), array("d"), array("q"), array("q")
        after = max(steps) + 1
        following, width = self._next_step, len(keys)
        for at, key in enumerate(keys):
            columns = self._buffer.get(key) or self._new_columns(key)
            columns[0].extend(steps)
            columns[1].extend(flat[at::width])
            columns[2].extend(stamps)
            if after > following[key]:
                following[key] = after

    def _take_buffer(self) -> dict[str, MetricColumns]:
        with self._lock:
            if self._row_steps:
                self._settle()
            if self._unclaimed:
                self._keep_unclaimed()
            buffer, self._buffer = self._buffer, {}
            self._buffered = 0
            self._flush_asked = False
            self._flushes += 1
            self._recheck()
        return buffer

    def _keep_unclaimed(self) -> None:  # under self._lock
        """autolog's values nobody logged under a name of their own, each at its key's next step."""
        stamp = time_ns() // 1_000_000
        for key, value, _scope in self._unclaimed:
            columns = self._buffer.get(key) or self._new_columns(key)
            step = self._next_step[key]
            self._next_step[key] = step + 1
            columns[0].append(step)
            columns[1].append(value)
            columns[2].append(stamp)
        self._unclaimed = []

    def _put_back(self, buffer: dict[str, MetricColumns]) -> None:
        """Points a failed write took, back in front of those logged since."""
        with self._lock:
            for key, (steps, values, stamps) in buffer.items():
                since = self._buffer.get(key)
                if since is not None:
                    steps, values, stamps = steps + since[0], values + since[1], stamps + since[2]
                self._buffer[key] = (steps, values, stamps)
                self._buffered += len(steps) - (len(since[0]) if since is not None else 0)

    def _ask_flush(self) -> int:
        """Ask the next log call to write the buffer; returns the flush count it is asked at."""
        with self._lock:
            self._flush_asked = True
            self._attention = True
            return self._flushes

    def _fail_in_background(self, error: NbtrackError) -> None:
        with self._lock:
            self._background_error = error  # raised by the next call from the notebook
            self._attention = True


class _Flusher:
    """One thread per process: it looks at the open runs every tick, sees their points written, and heartbeats them.

    A point is written within FLUSH_SECONDS of being logged. Once a run's oldest waiting
    point is _ASK_SECONDS old, its next log call writes the buffer in the notebook's own
    thread; only if no log call came by _WRITE_SECONDS does this thread write it. Writing
    from here while the notebook's thread logs makes both trade the GIL at every row
    SQLite inserts: measured, a 50,000-row insert took 3x longer and the logging thread
    ran at a small fraction of its speed meanwhile. One thread for all runs: a short run
    starts no thread of its own (creating 1,000 runs started and joined 1,000 threads).
    A failed background write never ends the thread: the points stay buffered, are tried
    again later, and the error is raised by the notebook's next call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[Run, _Watch] = {}
        self._thread: threading.Thread | None = None

    def watch(self, run: Run) -> None:
        with self._lock:
            self._runs[run] = _Watch(time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="nbtrack-flusher", daemon=True)
                self._thread.start()

    def forget(self, run: Run) -> None:
        with self._lock:
            self._runs.pop(run, None)

    def _loop(self) -> None:
        while True:
            beat_every = writer_heartbeat_seconds()  # read each tick: the thread outlives any one run
            # A heartbeat shorter than a tick is kept: the store records it on each run and judges
            # the run lost after three of them.
            time.sleep(min(_TICK_SECONDS, beat_every))
            with self._lock:
                runs = list(self._runs.items())
            for run, watch in runs:
                self._tick(run, watch, beat_every)

    def _tick(self, run: Run, watch: _Watch, beat_every: float) -> None:
        doing = "metric points"
        try:
            now = time.monotonic()
            if run._buffered:
                if watch.waiting_since is None or watch.flushes != run._flushes:
                    # Points logged since the last write (or put back by a failed one): the
                    # oldest was logged at most a tick ago.
                    watch.flushes, watch.waiting_since = run._flushes, now
                waited = now - watch.waiting_since
                if waited >= _WRITE_SECONDS:
                    _write_beside(run)  # no log call came since it was asked: the notebook is busy elsewhere
                elif waited >= _ASK_SECONDS and not run._flush_asked:
                    run._ask_flush()
            else:
                watch.waiting_since = None
            if not run.attached and now - watch.beat >= beat_every:
                doing = "heartbeat"
                run.store.heartbeat(run.id)
                watch.beat = time.monotonic()
        except NbtrackError as exc:
            run._fail_in_background(exc)
            if isinstance(exc, RunEnded):
                self.forget(run)
        except Exception as exc:  # noqa: BLE001 -- not the store's own error (a driver's, the OS's, a bug): never silent
            run._fail_in_background(_background_failure(run, doing, exc))


def _write_beside(run: Run) -> None:
    """Write a run's points from the flusher's thread while the notebook's thread computes.

    The write gives up the GIL at each SQLite call and waits a switch interval (5 ms) to take
    it back from a thread computing in Python: measured, a one-point write took up to 0.47 s
    that way. For the write's few milliseconds the interval is 0.5 ms.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_SECONDS))
    try:
        run.flush()
    finally:
        sys.setswitchinterval(interval)


class _Watch:
    """What the flusher knows of one run."""

    __slots__ = ("beat", "flushes", "waiting_since")

    def __init__(self, beat: float) -> None:
        self.beat = beat  # when it was last heartbeaten
        self.flushes = 0  # the run's write count when waiting_since was seen
        self.waiting_since: float | None = None  # when points were first seen waiting since that write


def _background_failure(run: Run, doing: str, exc: Exception) -> StorageError:
    reason = " ".join(str(getattr(exc, "orig", exc)).split())[:300] or "no message"
    kept = ("the points are kept in memory and tried again: fix the cause, then call run.flush() to write them"
            if doing == "metric points" else "it is tried again: fix the cause")
    return StorageError(f"writing the {doing} of run {run.id} to the store at {run.store.location.display} "
                        f"failed in the background ({type(exc).__name__}: {reason}); {kept}")


_the_flusher: _Flusher | None = None
_flusher_lock = threading.Lock()


def _flusher() -> _Flusher:
    global _the_flusher
    if _the_flusher is None:
        with _flusher_lock:
            if _the_flusher is None:
                _the_flusher = _Flusher()
    return _the_flusher


def _forget_flusher_after_fork() -> None:
    # The flusher's thread does not exist in a forked child: the child starts its own.
    global _the_flusher, _flusher_lock
    _the_flusher = None
    _flusher_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_flusher_after_fork)


def _display_capture(kind: str, name: str, body: dict[str, Any]) -> None:
    """Show a capture's view where it was logged, in a Jupyter kernel only (views load lazily)."""
    shell = current_shell()  # never imports IPython: scripts stay free of it
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
    except OverflowError:
        raise UsageError(f"metric {key!r} is too large for a 64-bit float: log it scaled down, "
                         "or its logarithm.") from None


def _check_metric_key(key: object) -> None:
    if not isinstance(key, str) or not key or len(key) > 250 or "\x00" in key:
        raise UsageError(f"a metric key is non-empty text of at most 250 characters. Got {key!r} instead.")


def _check_step(key: str, step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, int):
        if hasattr(step, "dtype") and float(step).is_integer():  # type: ignore[arg-type]
            return int(step)  # type: ignore[call-overload]
        raise UsageError(f"the step of metric {key!r} must be a whole number. Got {step!r} instead.")
    if step < 0 or step >= _MAX_STEP:
        raise UsageError(f"the step of metric {key!r} must be >= 0. Got {step} instead.")
    return step


def _guess_type(name: str) -> str:
    import mimetypes  # loaded on the first artifact, not by every start_run

    return mimetypes.guess_type(name)[0] or "application/octet-stream"
