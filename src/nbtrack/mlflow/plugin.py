"""MLflow's tracking-store plugin: `mlflow.set_tracking_uri("nbtrack:./.nbtrack")` reads and writes nbtrack runs.

Registered through MLflow's documented `mlflow.tracking_store` entry point under the
scheme `nbtrack`. Every MLflow call is one nbtrack store transaction, as each is one
commit in MLflow's own SQLite store. Filters and ordering of search_runs are MLflow's
own (`SearchUtils`), applied to the experiment's runs. Under `nbtrack run` the top-level
MLflow run is the engine's run, so a notebook's MLflow calls land in it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from mlflow.entities import (
    Experiment,
    LifecycleStage,
    LoggedModel,
    LoggedModelStatus,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunTag,
    ViewType,
)
from mlflow.entities import RunStatus as MlflowStatus
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST
from mlflow.store.entities.paged_list import PagedList
from mlflow.store.tracking.abstract_store import AbstractStore
from mlflow.utils.search_utils import SearchExperimentsUtils, SearchUtils

from nbtrack.config import writer_heartbeat_seconds
from nbtrack.errors import NbtrackError, NotFound
from nbtrack.mlflow.values import param_value
from nbtrack.records import RunStatus
from nbtrack.store import Store, open_store
from nbtrack.track.session import DEFAULT_EXPERIMENT, RUN_ID_ENV  # MLflow's experiment "0"; the engine's

SCHEME = "nbtrack"
ARTIFACT_SCHEME = "nbtrack-artifacts"
_TO_MLFLOW = {RunStatus.RUNNING: "RUNNING", RunStatus.FINISHED: "FINISHED", RunStatus.FAILED: "FAILED",
              RunStatus.TIMEOUT: "FAILED", RunStatus.KILLED: "KILLED", RunStatus.LOST: "KILLED"}
_FROM_MLFLOW = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "killed"}
_stores: dict[str, Store] = {}
_lock = threading.Lock()
F = TypeVar("F", bound=Callable[..., Any])


def store_location(uri: str) -> str | None:
    """The nbtrack store an `nbtrack:` tracking URI names (None: NBTRACK_STORE or ./.nbtrack)."""
    rest = uri.removeprefix(f"{SCHEME}:")
    if rest.startswith("///") or (rest.startswith("//") and "://" not in rest):
        rest = rest[2:]
    return rest or None


def open_for_uri(uri: str) -> Store:
    """The store of a tracking URI, opened once per process (per folder and settings it resolves against)."""
    key = "\0".join([uri, os.getcwd(), *(os.environ.get(k, "") for k in ("NBTRACK_STORE", "NBTRACK_ARTIFACTS"))])
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = open_store(store_location(uri))
        return store


class _Heartbeats:
    """One daemon thread beats the runs MLflow opened here, so they do not read as lost while it works.

    A process that exits without ending its run stops beating it, and the run then reads as lost.
    """

    def __init__(self) -> None:
        self._runs: dict[str, tuple[Store, float]] = {}  # run id -> its store, when it was last beaten
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, run_id: str, store: Store) -> None:
        with self._lock:
            self._runs[run_id] = (store, time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, name="nbtrack-mlflow-heartbeat", daemon=True)
                self._thread.start()

    def discard(self, run_id: str) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def _beat(self) -> None:
        while True:
            every = writer_heartbeat_seconds()  # read each tick: the thread outlives any one run
            time.sleep(min(every / 2, 1.0))
            with self._lock:
                due = [(run_id, store) for run_id, (store, last) in self._runs.items()
                       if time.monotonic() - last >= every / 2]
            for run_id, store in due:
                try:
                    store.heartbeat(run_id)
                except NbtrackError:  # ended elsewhere, or its store is gone: stop beating it
                    self.discard(run_id)
                    continue
                with self._lock:
                    if run_id in self._runs:
                        self._runs[run_id] = (store, time.monotonic())


_heartbeats = _Heartbeats()


def experiment_id(name: str) -> str:
    """MLflow's id for an nbtrack experiment: "0" for the default one, else a hash of the name."""
    return "0" if name == DEFAULT_EXPERIMENT else hashlib.sha256(name.encode()).hexdigest()[:16]


def _mlflow_errors(method: F) -> F:
    """nbtrack's errors as MLflow's, so its client reports them as for its own stores."""
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except NotFound as exc:
            raise MlflowException(str(exc), error_code=RESOURCE_DOES_NOT_EXIST) from exc
        except NbtrackError as exc:
            raise MlflowException(str(exc), error_code=INVALID_PARAMETER_VALUE) from exc
    return wrapper  # type: ignore[return-value]


class NbtrackTrackingStore(AbstractStore):
    """MLflow's tracking API over an nbtrack store."""

    def __init__(self, store_uri: str | None = None, artifact_uri: str | None = None) -> None:
        super().__init__()
        self.uri = store_uri or f"{SCHEME}:"
        open_for_uri(self.uri)  # a wrong URI fails here, where MLflow picks the store
        self._empty: dict[str, str] = {}  # experiments created here without runs yet: id -> name
        self._models: dict[str, LoggedModel] = {}  # MLflow 3's logged models of this process

    @property
    def store(self) -> Store:
        # MLflow keeps one plugin object per URI; `nbtrack:` alone follows NBTRACK_STORE and the folder.
        return open_for_uri(self.uri)

    # -- experiments ------------------------------------------------------------

    def _experiments(self) -> dict[str, str]:
        names = {e["name"] for e in self.store.experiments()} | set(self._empty.values()) | {DEFAULT_EXPERIMENT}
        return {experiment_id(name): name for name in names}

    def _experiment(self, experiment_id_: str, name: str) -> Experiment:
        return Experiment(experiment_id_, name, f"{ARTIFACT_SCHEME}:///", LifecycleStage.ACTIVE, [])

    def _name_of(self, experiment_id_: str) -> str:
        name = self._experiments().get(str(experiment_id_))
        if name is None:
            raise MlflowException(f"no experiment with id {experiment_id_} in {self.store.location.display}",
                                  error_code=RESOURCE_DOES_NOT_EXIST)
        return name

    def search_experiments(self, view_type: int = ViewType.ACTIVE_ONLY, max_results: int = 1000,
                           filter_string: str | None = None, order_by: list[str] | None = None,
                           page_token: str | None = None) -> PagedList:
        found = [self._experiment(i, n) for i, n in sorted(self._experiments().items(), key=lambda e: e[1])]
        if view_type == ViewType.DELETED_ONLY:
            found = []
        found = SearchExperimentsUtils.sort(SearchExperimentsUtils.filter(found, filter_string), order_by or [])
        page, token = SearchUtils.paginate(found, page_token, max_results)
        return PagedList(page, token)

    def create_experiment(self, name: str, artifact_location: str | None = None, tags: Any = None) -> str:
        if name in self._experiments().values():
            raise MlflowException(f"experiment {name!r} already exists", error_code=INVALID_PARAMETER_VALUE)
        self._empty[experiment_id(name)] = name  # nbtrack keeps an experiment once it has a run
        return experiment_id(name)

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self._experiment(str(experiment_id), self._name_of(experiment_id))

    def get_experiment_by_name(self, experiment_name: str) -> Experiment | None:
        found = {n: i for i, n in self._experiments().items()}
        return self._experiment(found[experiment_name], experiment_name) if experiment_name in found else None

    def delete_experiment(self, experiment_id: str) -> None:
        raise _unsupported("deleting an experiment")

    def restore_experiment(self, experiment_id: str) -> None:
        raise _unsupported("restoring an experiment")

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        raise _unsupported("renaming an experiment")

    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None:
        pass  # experiments carry no tags in nbtrack; MLflow sets a few of its own here

    # -- runs -------------------------------------------------------------------

    @_mlflow_errors
    def create_run(self, experiment_id: str, user_id: str, start_time: int, tags: list[RunTag],
                   run_name: str | None) -> Run:
        tags_ = {t.key: t.value for t in tags or []}
        attached = os.environ.get(RUN_ID_ENV)
        if attached and "mlflow.parentRunId" not in tags_ and self._is_running(attached):
            # Under `nbtrack run`: the notebook's MLflow run is the engine's run, not a second one.
            self.store.set_tags(attached, {k: v for k, v in tags_.items() if k != "mlflow.runName"})
            return self.get_run(attached)
        if user_id and "mlflow.user" not in tags_:
            tags_["mlflow.user"] = user_id
        name = run_name or tags_.get("mlflow.runName") or None
        run_id = self.store.create_run(self._name_of(experiment_id), name=name, tags=tags_,
                                       started_at=start_time / 1000 if start_time else None)
        self._empty.pop(str(experiment_id), None)
        _heartbeats.add(run_id, self.store)
        return self.get_run(run_id)

    def _is_running(self, run_id: str) -> bool:
        try:
            return self.store.run(run_id).status is RunStatus.RUNNING
        except NotFound:
            return False

    @_mlflow_errors
    def get_run(self, run_id: str) -> Run:
        return self._to_mlflow(self.store.run(run_id))

    @_mlflow_errors
    def update_run_info(self, run_id: str, run_status: int, end_time: int | None, run_name: str | None) -> RunInfo:
        status = MlflowStatus.to_string(run_status)
        if status in _FROM_MLFLOW and run_id != os.environ.get(RUN_ID_ENV):  # the engine ends its own run
            self.store.end_run(run_id, _FROM_MLFLOW[status], ended_at=end_time / 1000 if end_time else None)
            _heartbeats.discard(run_id)
        info = self.get_run(run_id).info
        if run_id == os.environ.get(RUN_ID_ENV):
            info._status = status  # as MLflow expects; the engine records how the run really ends
        return info

    def delete_run(self, run_id: str) -> None:
        raise _unsupported("deleting a run (nbtrack keeps every run; nbtrack gc removes unreferenced bytes)")

    def restore_run(self, run_id: str) -> None:
        raise _unsupported("restoring a run")

    @_mlflow_errors
    def log_batch(self, run_id: str, metrics: list[Metric], params: list[Param], tags: list[RunTag]) -> None:
        if params:
            self.store.log_params(run_id, {p.key: param_value(p.value) for p in params})
        if metrics:
            self.store.log_metrics(run_id, [(m.key, int(m.step or 0), float(m.value), int(m.timestamp))
                                            for m in metrics])
        if tags:
            self.store.set_tags(run_id, {t.key: t.value for t in tags})

    def log_metric(self, run_id: str, metric: Metric) -> None:
        self.log_batch(run_id, [metric], [], [])

    def log_param(self, run_id: str, param: Param) -> None:
        self.log_batch(run_id, [], [param], [])

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        self.log_batch(run_id, [], [], [tag])

    @_mlflow_errors
    def delete_tag(self, run_id: str, key: str) -> None:
        self.store.delete_tag(run_id, key)

    @_mlflow_errors
    def get_metric_history(self, run_id: str, metric_key: str, max_results: int | None = None,
                           page_token: str | None = None) -> PagedList:
        points = [Metric(metric_key, value, stamp, step)
                  for step, value, stamp in self.store.metric_history(run_id, metric_key)]
        if max_results is None:
            return PagedList(points, None)
        page, token = SearchUtils.paginate(points, page_token, max_results)
        return PagedList(page, token)

    @_mlflow_errors
    def _search_runs(self, experiment_ids: list[str], filter_string: str | None, run_view_type: int,
                     max_results: int, order_by: list[str] | None, page_token: str | None) -> tuple[list[Run], Any]:
        if run_view_type == ViewType.DELETED_ONLY:
            return [], None
        known = self._experiments()
        runs = [self._to_mlflow(r) for i in experiment_ids if str(i) in known
                for r in self.store.runs(experiment=known[str(i)])]
        runs = SearchUtils.sort(SearchUtils.filter(runs, filter_string), order_by)
        return SearchUtils.paginate(runs, page_token, max_results)

    def log_inputs(self, run_id: str, datasets: Any = None, models: Any = None) -> None:
        pass  # dataset and model inputs are not kept; nbtrack's own data profiles record data

    def log_outputs(self, run_id: str, models: Any) -> None:
        pass

    # -- MLflow 3's logged models: their files become the run's artifacts under the model's name -----------

    def create_logged_model(self, experiment_id: str, name: str | None = None, source_run_id: str | None = None,
                            tags: Any = None, params: Any = None, model_type: str | None = None) -> LoggedModel:
        if not source_run_id:
            raise _unsupported("logging a model outside a run")
        now = int(time.time() * 1000)
        model_id = f"m-{uuid.uuid4().hex}"
        name = name or "model"
        model = LoggedModel(str(experiment_id), model_id, name, f"{ARTIFACT_SCHEME}:///{source_run_id}/{name}",
                            now, now, model_type, source_run_id, LoggedModelStatus.PENDING, None,
                            {t.key: t.value for t in tags or []}, {p.key: p.value for p in params or []})
        self._models[model_id] = model
        return model

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        if model_id not in self._models:
            raise MlflowException(f"no logged model {model_id} in this process; the nbtrack store keeps a "
                                  "model's files as its run's artifacts: load it as runs:/RUN_ID/NAME",
                                  error_code=RESOURCE_DOES_NOT_EXIST)
        return self._models[model_id]

    def finalize_logged_model(self, model_id: str, status: LoggedModelStatus) -> LoggedModel:
        model = self.get_logged_model(model_id)
        model._status = status
        return model

    def log_logged_model_params(self, model_id: str, params: list[Any]) -> None:
        self.get_logged_model(model_id)._params.update({p.key: p.value for p in params})

    def set_logged_model_tags(self, model_id: str, tags: list[Any]) -> None:
        self.get_logged_model(model_id)._tags.update({t.key: t.value for t in tags})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self.get_logged_model(model_id)._tags.pop(key, None)

    def record_logged_model(self, run_id: str, mlflow_model: Any) -> None:
        pass  # MLflow 2's model history tag: the files are the run's artifacts already

    def search_logged_models(self, experiment_ids: list[str], filter_string: str | None = None,
                             datasets: Any = None, max_results: int | None = None, order_by: Any = None,
                             page_token: str | None = None) -> PagedList:
        return PagedList([], None)  # a model's files are listed once, as its run's artifacts

    def link_traces_to_run(self, trace_ids: list[str], run_id: str) -> None:
        raise _unsupported("traces")

    def _to_mlflow(self, run: Any) -> Run:
        tags = {k: str(v) for k, v in run.tags.items()}
        stamp = int((run.ended_at or run.started_at) * 1000)
        info = RunInfo(run.id, experiment_id(run.experiment), tags.get("mlflow.user", ""),
                       _TO_MLFLOW[run.status], int(run.started_at * 1000),
                       int(run.ended_at * 1000) if run.ended_at is not None else None,
                       LifecycleStage.ACTIVE, f"{ARTIFACT_SCHEME}:///{run.id}", run.name)
        data = RunData(
            metrics=[Metric(k, s.last, stamp, s.step) for k, s in run.summaries.items()],
            params=[Param(k, v if isinstance(v, str) else _text(v)) for k, v in run.params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        return Run(info, data)


def _text(value: Any) -> str:
    return str(value)


def _unsupported(what: str) -> MlflowException:
    return MlflowException(f"{what} is not supported by the nbtrack tracking store; use the nbtrack CLI "
                           "or API for it", error_code=INVALID_PARAMETER_VALUE)
