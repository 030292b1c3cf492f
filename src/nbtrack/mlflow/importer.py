"""Import an MLflow tracking store (a mlruns/ folder, an MLflow database, a server) through MLflow's own client.

Each MLflow run becomes an nbtrack run whose id is derived from the MLflow run id
(its start time, then a hash of the id), so importing twice finds the runs already
there and changes nothing. Runs are written into a staging store first and moved
in with nbtrack's own import, a whole run per transaction: an interrupted import
leaves whole runs or none, and the next one picks up where it stopped.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrack.config import OBJECTS_DIR
from nbtrack.errors import UsageError
from nbtrack.mlflow.values import param_value
from nbtrack.store import Store, open_store
from nbtrack.store.transfer import import_store
from nbtrack.track.session import DEFAULT_EXPERIMENT

SCHEME = "mlflow://"
BATCH_RUNS = 100  # runs per staging store: one import_store call each
_STATUS = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "killed"}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class MlflowImportReport:
    """What an MLflow import did, and what it left out and why."""

    imported: list[str] = field(default_factory=list)  # MLflow run ids now in the store
    already: list[str] = field(default_factory=list)  # MLflow run ids imported before
    skipped: dict[str, str] = field(default_factory=dict)  # MLflow run id -> why it was left out
    notes: list[str] = field(default_factory=list)  # parts of imported runs that could not come along
    models: list[str] = field(default_factory=list)  # NAME/VERSION registered

    def to_dict(self) -> dict[str, Any]:
        return {"imported": len(self.imported), "already": len(self.already), "skipped": self.skipped,
                "notes": self.notes, "models": self.models}


def nbtrack_run_id(mlflow_run_id: str, start_ms: int) -> str:
    """The nbtrack id of an MLflow run: a ULID of its start time and 80 bits of a hash of its id."""
    tail = int.from_bytes(hashlib.sha256(f"mlflow:{mlflow_run_id}".encode()).digest()[:10], "big")
    value = (max(int(start_ms), 0) & ((1 << 48) - 1)) << 80 | tail
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def tracking_uri(source: str | os.PathLike[str]) -> str:
    """The MLflow tracking URI behind mlflow://PATH-OR-URI (or a plain path or URI)."""
    text = os.fspath(source).removeprefix(SCHEME)
    if not text:
        raise UsageError("name the MLflow store, such as mlflow://./mlruns or mlflow://sqlite:///mlflow.db")
    if "://" in text or text.startswith(("sqlite:", "postgresql", "mysql", "databricks")):
        return text
    path = Path(text).expanduser().absolute()
    if not path.exists():
        raise UsageError(f"no MLflow store at {path}; name a mlruns/ folder or a tracking URI "
                         "such as sqlite:///mlflow.db")
    if path.is_file():
        return f"sqlite:///{path}"
    return path.as_uri()


def import_mlflow(source: str | os.PathLike[str], store: Store | str | os.PathLike[str] | None = None, *,
                  progress: bool | None = None) -> MlflowImportReport:
    """Copy every experiment, run, metric series, artifact and registered model of an MLflow store.

    >>> report = import_mlflow("mlflow://./mlruns", ".nbtrack")  # doctest: +SKIP
    >>> len(report.imported), report.skipped                     # doctest: +SKIP
    """
    uri = tracking_uri(source)
    client = _client(uri)
    target = store if isinstance(store, Store) else open_store(store)
    target.check_writable()
    report = MlflowImportReport()
    runs = list(_runs(client, report))
    present = {r.id for r in target.runs(archived="include")}
    todo = []
    for run in runs:
        if nbtrack_run_id(run.info.run_id, run.info.start_time or 0) in present:
            report.already.append(run.info.run_id)
        else:
            todo.append(run)
    models = _logged_models(client, sorted({r.info.experiment_id for r in todo}), report)
    with _progress(len(todo), progress) as bar:
        for first in range(0, len(todo), BATCH_RUNS):
            batch = todo[first:first + BATCH_RUNS]
            with tempfile.TemporaryDirectory(prefix="nbtrack-mlflow-") as folder:
                staging = open_store(Path(folder) / "store", artifacts=Path(folder) / "store" / OBJECTS_DIR)
                staged = {}
                for run in batch:
                    run_id = _stage_run(client, uri, staging, run, report)
                    for model in models.get(run.info.run_id, []):
                        _stage_model(uri, staging, run_id, run.info.run_id, model, report)
                    staging.end_run(run_id, _STATUS[run.info.status], ended_at=_ended_at(run.info))
                    staged[run_id] = run.info.run_id
                    bar.update(1)
                staging.close()
                moved = import_store(target, Path(folder) / "store")
            for run_id, reason in moved.refused.items():
                report.skipped[staged[run_id]] = reason
            report.imported += [staged[run_id] for run_id in moved.imported]
            report.already += [staged[run_id] for run_id in moved.skipped]
    _import_models(client, target, report)
    return report


def _client(uri: str) -> Any:
    try:
        from mlflow import MlflowClient
    except ImportError as exc:
        raise UsageError("importing from MLflow needs its client; pip install 'nbtrack[mlflow]'") from exc
    # Reading a mlruns/ folder is what the deprecated file store is still for.
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # ours counts runs
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _pages(call: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
    token = None
    while True:
        page = call(*args, page_token=token, **kwargs)
        yield from page
        token = page.token
        if not token:
            return


def _runs(client: Any, report: MlflowImportReport) -> Iterator[Any]:
    from mlflow.entities import ViewType

    for experiment in _pages(client.search_experiments, view_type=ViewType.ALL, max_results=1000):
        for run in _pages(client.search_runs, [experiment.experiment_id], run_view_type=ViewType.ALL,
                          max_results=1000, order_by=["attributes.start_time ASC"]):
            # MLflow's own default experiment is nbtrack's, as the plugin serves it.
            is_default = experiment.experiment_id == "0" and experiment.name == "Default"
            run.experiment_name = DEFAULT_EXPERIMENT if is_default else experiment.name
            if experiment.lifecycle_stage == "deleted":
                report.skipped[run.info.run_id] = f"its experiment {experiment.name!r} is deleted in MLflow"
            elif run.info.lifecycle_stage == "deleted":
                report.skipped[run.info.run_id] = "deleted in MLflow"
            elif run.info.status not in _STATUS:
                report.skipped[run.info.run_id] = (f"{run.info.status.lower()} in MLflow; "
                                                   "import again once it has ended")
            else:
                yield run


def _stage_run(client: Any, uri: str, staging: Store, run: Any, report: MlflowImportReport) -> str:
    """Write one MLflow run (still running) into the staging store with its own times; return its nbtrack id."""
    info, data, mlflow_id = run.info, run.data, run.info.run_id
    run_id = nbtrack_run_id(mlflow_id, info.start_time or 0)
    staging.create_run(run.experiment_name, run_id=run_id, name=info.run_name or None,
                       started_at=(info.start_time or 0) / 1000)
    params = {k: param_value(v) for k, v in data.params.items()}  # as the plugin logs them
    _write_each(staging.log_params, run_id, params, "param", mlflow_id, report)
    _write_each(staging.set_tags, run_id, {"mlflow.run_id": mlflow_id, **data.tags}, "tag", mlflow_id, report)
    columns = {}
    for key in data.metrics:
        points = client.get_metric_history(mlflow_id, key)
        last: dict[int, tuple[int, float, int]] = {}
        for order, p in enumerate(points):  # of two values at one step, MLflow's latest (by time) stays
            if p.step not in last or (p.timestamp, order) >= last[p.step][::2]:
                last[p.step] = (p.timestamp, p.value, order)
        if len(last) < len(points):
            report.notes.append(f"run {mlflow_id}: metric {key!r} had {len(points) - len(last)} values at an "
                                "already used step; nbtrack keeps one value per step, the latest")
        steps = sorted(last)
        columns[key] = (steps, [float(last[s][1]) for s in steps], [int(last[s][0]) for s in steps])
    staging.log_metric_columns(run_id, columns)
    _stage_artifacts(uri, staging, run_id, run, report)
    return run_id


def _ended_at(info: Any) -> float:
    end = info.end_time if info.end_time is not None else info.start_time
    return (end or 0) / 1000


def _write_each(write: Any, run_id: str, values: dict[str, str], what: str, mlflow_id: str,
                report: MlflowImportReport) -> None:
    try:
        write(run_id, values)
    except UsageError:  # find the one(s) nbtrack refuses and keep the rest
        for key, value in values.items():
            try:
                write(run_id, {key: value})
            except UsageError as exc:
                report.notes.append(f"run {mlflow_id}: {what} {key!r} left out: {exc}")


def _stage_artifacts(uri: str, staging: Store, run_id: str, run: Any, report: MlflowImportReport) -> None:
    from mlflow.artifacts import download_artifacts, list_artifacts

    mlflow_id = run.info.run_id
    try:  # by the run's artifact URI: by run id, MLflow would fetch the run again for each call
        if not list_artifacts(artifact_uri=run.info.artifact_uri, tracking_uri=uri):
            return
        with tempfile.TemporaryDirectory(prefix="nbtrack-mlflow-artifacts-") as folder:
            root = download_artifacts(artifact_uri=run.info.artifact_uri, dst_path=folder, tracking_uri=uri)
            _add_files(staging, run_id, Path(root), "", mlflow_id, report)
    except Exception as exc:  # noqa: BLE001 - any artifact store's failure: the run comes without them
        report.notes.append(f"run {mlflow_id}: its artifacts could not be read ({type(exc).__name__}: {exc})")


def _logged_models(client: Any, experiment_ids: list[str], report: MlflowImportReport) -> dict[str, list[Any]]:
    """MLflow 3's logged models per source run: their files live beside the run's, not among them."""
    found: dict[str, list[Any]] = {}
    if not experiment_ids:
        return found
    try:
        for model in _pages(client.search_logged_models, experiment_ids, max_results=100):
            if model.source_run_id:
                found.setdefault(model.source_run_id, []).append(model)
    except Exception as exc:  # noqa: BLE001 - a store from before MLflow 3, or one without logged models
        report.notes.append(f"MLflow's logged models could not be listed ({type(exc).__name__}: {exc})")
    return found


def _stage_model(uri: str, staging: Store, run_id: str, mlflow_id: str, model: Any,
                 report: MlflowImportReport) -> None:
    """A logged model's files become the run's artifacts under the model's name, as MLflow 2 kept them."""
    from mlflow.artifacts import download_artifacts

    taken = {a.name.split("/", 1)[0] for a in staging.artifacts(run_id)}
    prefix = model.name if model.name not in taken else f"{model.name}-{model.model_id}"
    try:
        with tempfile.TemporaryDirectory(prefix="nbtrack-mlflow-model-") as folder:
            root = Path(download_artifacts(artifact_uri=model.artifact_location, dst_path=folder,
                                           tracking_uri=uri))
            _add_files(staging, run_id, root, prefix, mlflow_id, report)
    except Exception as exc:  # noqa: BLE001 - any artifact store's failure: the run comes without it
        report.notes.append(f"run {mlflow_id}: logged model {model.model_id} could not be read "
                            f"({type(exc).__name__}: {exc})")


def _add_files(staging: Store, run_id: str, root: Path, prefix: str, mlflow_id: str,
               report: MlflowImportReport) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = "/".join(filter(None, (prefix, path.relative_to(root).as_posix())))
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        try:
            staging.add_artifact(run_id, name, path=path, media_type=media)
        except UsageError as exc:
            report.notes.append(f"run {mlflow_id}: artifact {name!r} left out: {exc}")


def _import_models(client: Any, target: Store, report: MlflowImportReport) -> None:
    """Registered models become registry entries: versions in MLflow's order, then their aliases."""
    try:
        models = list(_pages(client.search_registered_models, max_results=1000))
    except Exception as exc:  # noqa: BLE001 - a tracking store without a registry
        report.notes.append(f"registered models could not be read ({type(exc).__name__}: {exc})")
        return
    ids = {r.tags["mlflow.run_id"]: r.id for r in target.runs(archived="include") if "mlflow.run_id" in r.tags}
    for model in models:
        versions = sorted(_pages(client.search_model_versions, f"name = '{_quote(model.name)}'",
                                 max_results=1000), key=lambda v: int(v.version))
        existing = target.models.versions(model.name) if _has_model(target, model.name) else []
        existing.sort(key=lambda v: v.version)
        numbers: dict[str, int] = {}
        kept = [v for v in versions if v.run_id in ids]
        for v in versions:
            if v.run_id not in ids:
                report.notes.append(f"model {model.name} version {v.version} left out: its run "
                                    f"{v.run_id or '(none)'} is not in the store")
        for index, v in enumerate(kept):
            if index < len(existing):
                numbers[str(v.version)] = existing[index].version
                continue
            try:
                made = target.models.register(model.name, ids[v.run_id])
            except UsageError as exc:  # a failed run, say: MLflow registers any run, nbtrack finished ones
                report.notes.append(f"model {model.name} version {v.version} left out: {exc}")
                continue
            numbers[str(v.version)] = made.version
            report.models.append(f"{model.name}/{made.version}")
        have = target.models.aliases(model.name) if numbers else {}
        for alias, version in (model.aliases or {}).items():
            number = numbers.get(str(version))
            if number is None:
                report.notes.append(f"model {model.name} alias {alias!r} left out: version {version} was not imported")
            elif have.get(alias, (None,))[0] != number:
                target.models.promote(model.name, number, alias)


def _has_model(target: Store, name: str) -> bool:
    return any(m.get("name") == name for m in target.models.names())


def _quote(name: str) -> str:
    return name.replace("'", "\\'")


def _progress(total: int, show: bool | None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="run", desc="importing MLflow runs", disable=None if show is None else not show)
