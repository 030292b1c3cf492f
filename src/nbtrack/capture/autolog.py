"""Autolog's patching: top-level scikit-learn fits, sklearn.metrics results and shown figures.

`enable(recorder)` patches and `restore()` puts back exactly what was there; what is observed
goes to the Recorder it was given, nothing here stores it (`nbtrack.autolog()`, in track/,
gives a recorder that keeps it in the current run):

- `fit` of every scikit-learn estimator class that defines one (classes defined later too, through
  `BaseEstimator.__init_subclass__`): `recorder.fit(estimator, seconds, X, y)`.
- `predict`, `predict_proba`, `decision_function` and `score` of the same classes:
  `recorder.prediction(estimator, method, X, output)` and `recorder.score(estimator, value, X, y)`,
  so that a metric can be tied to the model whose predictions it scored.
- the public functions of `sklearn.metrics` and `cross_val_score`/`cross_validate`:
  `recorder.metric(function, value, args, kwargs)`. They are patched as module attributes, so a
  name bound before autolog runs stays unrecorded; the engine runs autolog first for that reason.

Only what the user's own code calls is reported. A call is internal, and not reported, when it
runs inside another reported call (a pipeline step, GridSearchCV's candidates, the accuracy that
`score` computes, a fit inside `predict_proba`), inside a cross-validation helper of
`sklearn.model_selection`, or when any frame of its call stack is scikit-learn's own code other
than a method of the same estimator (`fit_transform` calling `fit` is the user's fit;
`CalibratedClassifierCV.predict_proba` fitting a `LabelEncoder`, `l1_min_c` fitting a
`LabelBinarizer` and `permutation_importance` calling `r2_score` are not).
- matplotlib figures when IPython displays them: `recorder.figure(figure, png)` with the PNG that
  was shown (nothing is rendered again); under a backend that displays nothing (Agg), each open
  figure at `plt.show()`, rendered as the inline backend would. Figures logged with
  `run.log_figure` are skipped.

scikit-learn is not imported here: when it is not loaded yet, an import hook patches it as the
notebook imports it. Calls inside `paused()` (nbtrack's own scoring and fitting) are not reported.
A recorder that raises never breaks the notebook: the first failure is reported on stderr.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.util
import inspect
import io
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from nbtrack.capture.figures import was_logged
from nbtrack.capture.shell import current_shell

NOT_RECORDED = frozenset({
    "check_scoring", "get_scorer", "get_scorer_names", "make_scorer",  # scorers, not scores
    "euclidean_distances", "nan_euclidean_distances", "pairwise_distances",
    "pairwise_distances_argmin", "pairwise_distances_argmin_min", "pairwise_distances_chunked",
    "pairwise_kernels",  # distance matrices: inputs to models, not results
})

CROSS_VALIDATION = ("cross_val_predict", "cross_val_score", "cross_validate", "learning_curve",
                    "permutation_test_score", "validation_curve")  # their fits are nested, not records
CROSS_VALIDATION_SCORES = ("cross_val_score", "cross_validate")  # recorded like metrics

_lock = threading.RLock()
_local = threading.local()  # .paused: calls from nbtrack itself
_depth = 0  # fits running now, in any thread: only the outermost is recorded
_state: _Autolog | None = None
_fit_seconds: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
PREDICTIONS = ("predict", "predict_proba", "decision_function")


def enable(recorder: Recorder, *, metrics: bool = True, figures: bool = True) -> None:
    """Patch scikit-learn (now, or when it is imported) and IPython's display; report to recorder.

    Enabling again first restores what the previous enabling patched.
    """
    global _state
    with _lock:
        restore()
        _state = _Autolog(recorder, metrics=metrics, figures=figures)
        _state.install()


def restore() -> None:
    """Put back every original autolog replaced; nothing is recorded afterwards."""
    global _state
    with _lock:
        if _state is not None:
            _state.restore()
            _state = None


def is_enabled() -> bool:
    return _state is not None


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Calls inside are not recorded (nbtrack's own scoring and fitting)."""
    before = getattr(_local, "paused", False)
    _local.paused = True
    try:
        yield
    finally:
        _local.paused = before


def fit_seconds(estimator: Any) -> float | None:
    """How long the last top-level fit of this estimator took, when autolog was on."""
    try:
        return _fit_seconds.get(estimator)
    except TypeError:
        return None


def adopt(estimator: Any, name: str) -> dict[str, Any]:
    """The notebook logs this estimator itself as `name`: the recorder drops its own record of it and
    returns what only it knew (training data, search), to keep in the notebook's record."""
    state = _state
    named = getattr(state.recorder, "named", None) if state is not None else None
    return dict(named(estimator, name) or {}) if named is not None else {}


class Recorder(Protocol):
    """Where autolog's observations go; a subclass writes only the methods it needs."""

    def fit(self, estimator: Any, seconds: float, X: Any, y: Any) -> None:
        """The user's fit(X, y) ended after `seconds` (y is None for an unsupervised fit)."""

    def prediction(self, estimator: Any, method: str, X: Any, output: Any) -> None:
        """The user's predict, predict_proba or decision_function returned `output`."""

    def score(self, estimator: Any, value: Any, X: Any, y: Any) -> None:
        """The user's estimator.score(X, y) returned `value`."""

    def metric(self, function: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The user's call of a sklearn.metrics function (or cross_val_score/cross_validate) returned `value`."""

    def figure(self, figure: Any, png: bytes) -> None:
        """IPython displayed a matplotlib figure as this PNG."""


class _Autolog:
    """One enabling of autolog: what it patched, so that restore puts every original back."""

    def __init__(self, recorder: Recorder, *, metrics: bool, figures: bool) -> None:
        self.recorder = recorder
        self.metrics = metrics
        self.figures = figures
        self.fits: list[tuple[Any, str, Any]] = []  # (class or descriptor, attribute, original)
        self.functions: list[tuple[Any, str, Any]] = []  # (module, name, original)
        self.hook: tuple[type, Any] | None = None  # BaseEstimator and its own __init_subclass__, if any
        self.watcher: _ImportWatcher | None = None
        self.formatter: tuple[Any, Any] | None = None
        self._warned = False

    # -- install / restore ----------------------------------------------------------

    def install(self) -> None:
        waiting: dict[str, Callable[[Any], None]] = {}
        for module_name, patch in (("sklearn.base", self._patch_estimators),
                                   ("sklearn.metrics", self._patch_metrics),
                                   ("sklearn.model_selection", self._patch_model_selection),
                                   ("matplotlib.pyplot", self._patch_show)):
            if module_name == "sklearn.metrics" and not self.metrics:
                continue
            if module_name == "matplotlib.pyplot" and not self.figures:
                continue
            module = sys.modules.get(module_name)
            if module is not None:
                patch(module)
            else:
                waiting[module_name] = patch
        if waiting:
            self.watcher = _ImportWatcher(waiting)
            sys.meta_path.insert(0, self.watcher)
        if self.figures:
            self._patch_display()

    def restore(self) -> None:
        if self.watcher is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self.watcher)
            self.watcher = None
        if self.hook is not None:
            base, original = self.hook
            if original is None:
                with contextlib.suppress(AttributeError):
                    delattr(base, "__init_subclass__")
            else:
                base.__init_subclass__ = original
            self.hook = None
        for holder, attribute, original in reversed(self.fits):
            setattr(holder, attribute, original)
        self.fits.clear()
        for module, name, original in reversed(self.functions):
            setattr(module, name, original)
        self.functions.clear()
        if self.formatter is not None:
            display_formatter, previous = self.formatter
            if previous is None:
                with contextlib.suppress(AttributeError):
                    del display_formatter.format
            else:
                display_formatter.format = previous
            self.formatter = None

    # -- estimators -----------------------------------------------------------------

    def _patch_estimators(self, base_module: Any) -> None:
        base = base_module.BaseEstimator
        # score and predict often live on mixins (ClassifierMixin, LinearClassifierMixin) that do
        # not derive from BaseEstimator: start from them too, and wrap each class's whole MRO
        pending = [base, *(c for n, c in vars(base_module).items() if n.endswith("Mixin") and isinstance(c, type))]
        seen: set[type] = set()
        while pending:
            cls = pending.pop()
            if cls in seen:
                continue
            seen.add(cls)
            self._wrap_fit(cls)
            pending.extend(cls.__subclasses__())
        own = base.__dict__.get("__init_subclass__")
        state = self

        def __init_subclass__(cls: type, **kwargs: Any) -> None:
            if own is not None:
                own.__get__(None, cls)(**kwargs)
            else:
                super(base, cls).__init_subclass__(**kwargs)
            state._wrap_fit(cls)

        self.hook = (base, own)
        base.__init_subclass__ = classmethod(__init_subclass__)

    def _wrap_fit(self, cls: type) -> None:
        for owner in cls.__mro__:
            if owner is cls or owner.__module__.startswith("sklearn"):
                for method in ("fit", *PREDICTIONS, "score"):
                    self._wrap_method(owner, method)

    def _wrap_method(self, cls: type, method: str) -> None:
        found = cls.__dict__.get(method)
        holder: Any = cls
        attribute = method
        if not inspect.isfunction(found) and inspect.isfunction(getattr(found, "fn", None)):
            holder, attribute = found, "fn"  # an available_if descriptor: wrap the function it guards
            found = found.fn
        if not inspect.isfunction(found) or getattr(found, "__nbtrack_autolog__", False):
            return
        original = found
        state = self
        report = {"fit": state._report_fit, "score": state._report_score}.get(method, state._report_prediction)

        @functools.wraps(original)
        def wrapper(estimator: Any, *args: Any, **kwargs: Any) -> Any:
            global _depth
            if _depth or getattr(_local, "paused", False) or _inside_sklearn(sys._getframe(1), estimator):
                return original(estimator, *args, **kwargs)
            with _lock:
                _depth += 1
            started = time.perf_counter()
            try:
                result = original(estimator, *args, **kwargs)
            finally:
                with _lock:
                    _depth -= 1
            report(estimator, method, time.perf_counter() - started, args, kwargs, result)
            return result

        wrapper.__nbtrack_autolog__ = True  # type: ignore[attr-defined]
        self.fits.append((holder, attribute, original))
        setattr(holder, attribute, wrapper)

    def _report_fit(self, estimator: Any, method: str, seconds: float, args: tuple[Any, ...],
                    kwargs: dict[str, Any], result: Any) -> None:
        with contextlib.suppress(TypeError):
            _fit_seconds[estimator] = seconds
        X = args[0] if args else kwargs.get("X")
        y = args[1] if len(args) > 1 else kwargs.get("y", kwargs.get("Y"))
        self._record(self.recorder.fit, estimator, seconds, X, y)

    def _report_prediction(self, estimator: Any, method: str, seconds: float, args: tuple[Any, ...],
                           kwargs: dict[str, Any], result: Any) -> None:
        X = args[0] if args else kwargs.get("X")
        self._record(self.recorder.prediction, estimator, method, X, result)

    def _report_score(self, estimator: Any, method: str, seconds: float, args: tuple[Any, ...],
                      kwargs: dict[str, Any], result: Any) -> None:
        X = args[0] if args else kwargs.get("X")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        self._record(self.recorder.score, estimator, result, X, y)

    # -- metrics --------------------------------------------------------------------

    def _patch_metrics(self, module: Any) -> None:
        for name in getattr(module, "__all__", ()):
            original = getattr(module, name, None)
            if name not in NOT_RECORDED and inspect.isfunction(original):
                self._patch_function(module, name, original, record=True)

    def _patch_model_selection(self, module: Any) -> None:
        for name in CROSS_VALIDATION:
            original = getattr(module, name, None)
            if inspect.isfunction(original):
                self._patch_function(module, name, original, record=name in CROSS_VALIDATION_SCORES)

    def _patch_function(self, module: Any, name: str, original: Callable[..., Any], *, record: bool) -> None:
        """Fits inside the call are nested (not records); its result is recorded when asked."""
        state = self

        @functools.wraps(original)
        def call(*args: Any, **kwargs: Any) -> Any:
            global _depth
            if _depth or getattr(_local, "paused", False) or _inside_sklearn(sys._getframe(1), None):
                return original(*args, **kwargs)
            with _lock:
                _depth += 1
            try:
                value = original(*args, **kwargs)
            finally:
                with _lock:
                    _depth -= 1
            if record:
                state._record(state.recorder.metric, name, value, args, kwargs)
            return value

        setattr(module, name, call)
        self.functions.append((module, name, original))

    # -- figures --------------------------------------------------------------------

    def _patch_display(self) -> None:
        shell = current_shell()
        if shell is None:
            return  # no IPython: nothing is displayed, nothing to capture
        display_formatter = shell.display_formatter
        previous = display_formatter.__dict__.get("format")
        original = display_formatter.format
        state = self

        def format(obj: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(obj, *args, **kwargs)
            if not getattr(_local, "paused", False) and type(obj).__module__.startswith("matplotlib") \
                    and hasattr(obj, "savefig") and not was_logged(obj):
                data = result[0] if isinstance(result, tuple) else {}
                png = data.get("image/png") if isinstance(data, dict) else None
                if png:
                    state._record(state.recorder.figure, obj, _png_bytes(png))
            return result

        display_formatter.format = format
        self.formatter = (display_formatter, previous)

    def _patch_show(self, pyplot: Any) -> None:
        """plt.show() under a backend that shows nothing (MPLBACKEND=Agg, as CI sets it): each open
        figure not recorded yet is rendered as the inline backend would and recorded, since IPython
        never displays it."""
        original = pyplot.show
        state = self
        shown: weakref.WeakSet[Any] = weakref.WeakSet()

        def show(*args: Any, **kwargs: Any) -> Any:
            if current_shell() is not None and not getattr(_local, "paused", False) and _shows_nothing(pyplot):
                for number in pyplot.get_fignums():
                    figure = pyplot.figure(number)
                    if figure not in shown and not was_logged(figure):
                        shown.add(figure)
                        state._record(lambda f: state.recorder.figure(f, _rendered_png(f)), figure)
            return original(*args, **kwargs)

        pyplot.show = show
        self.functions.append((pyplot, "show", original))

    # -- recording never breaks the notebook -------------------------------------------

    def _record(self, method: Callable[..., None], *args: Any) -> None:
        try:
            with paused():
                method(*args)
        except Exception as exc:  # a record lost must not become a notebook that fails
            if not self._warned:
                self._warned = True
                print(f"nbtrack: autolog could not record ({type(exc).__name__}: {exc}); "
                      "the notebook goes on", file=sys.stderr)


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Runs a patch right after a module executes, when the notebook imports it."""

    def __init__(self, waiting: dict[str, Callable[[Any], None]]) -> None:
        self.waiting = waiting
        self._finding = threading.local()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        patch = self.waiting.get(fullname)
        if patch is None or getattr(self._finding, "busy", False):
            return None
        self._finding.busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding.busy = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        exec_module = spec.loader.exec_module

        def exec_then_patch(module: Any) -> None:
            exec_module(module)
            with _lock:
                if self.waiting.pop(fullname, None) is not None:
                    patch(module)

        spec.loader.exec_module = exec_then_patch  # this module's own loader instance
        return spec


def _shows_nothing(pyplot: Any) -> bool:
    """Whether pyplot's backend is one that displays nothing (agg, pdf, svg, ...)."""
    from matplotlib.backends import BackendFilter, backend_registry

    return str(pyplot.get_backend()).lower() in backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE)


def _rendered_png(figure: Any) -> bytes:
    """The figure as the inline backend shows it: PNG, tight bounding box."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _png_bytes(png: Any) -> bytes:
    if isinstance(png, bytes):
        return png
    import base64

    return base64.b64decode(png)


def _inside_sklearn(frame: Any, estimator: Any) -> bool:
    """Whether scikit-learn's own code is on the stack, other than methods of `estimator` itself."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("sklearn.") or module == "sklearn":
            code = frame.f_code
            first = code.co_varnames[0] if code.co_argcount else None
            if estimator is None or first is None or frame.f_locals.get(first) is not estimator:
                return True
        frame = frame.f_back
    return False
