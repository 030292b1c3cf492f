"""Import another store (folder, archive) idempotently; export open Parquet tables."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from nbtrack.errors import UnsafeArchive, UsageError
from nbtrack.records import CellTiming, RunError
from nbtrack.store import open_store
from nbtrack.store.transfer import export_parquet, import_store


def make_source(folder: Path) -> tuple[object, list[str], str]:
    """A store of its own with two ended runs carrying everything a run can hold, and one still running."""
    source = open_store(folder, artifacts=folder / "objects")
    first = source.create_run("churn", name="rf", params={"model": "rf", "C": 0.5, "layers": [1, 2]},
                              tags={"team": "a"})
    source.log_metrics(first, [("loss", s, 1.0 / (s + 1), 1000 + s) for s in range(50)]
                       + [("test.f1", 0, 0.91, 2000), ("nan", 0, float("nan"), 2000)])
    source.add_artifact(first, "model.skops", data=b"model bytes")
    source.add_artifact(first, "figures/roc.png", data=b"\x89PNG shared")
    source.add_record(first, "evaluation", "test", {"f1": 0.91, "confusion": [[5, 1], [0, 4]]})
    source.add_cells(first, [CellTiming(0, 0.5, 0.4, 1000, 10, "ok"), CellTiming(1, 1.5, 1.2, 2000, 20, "ok")])
    source.end_run(first, "finished")
    second = source.create_run("other", params={"model": "gb"})
    source.add_artifact(second, "same.png", data=b"\x89PNG shared")  # the same bytes: one blob
    source.log_metrics(second, [("test.f1", 0, 0.5, 3000)])
    source.end_run(second, "failed", RunError(3, "ValueError", "bad input"))
    running = source.create_run("churn")
    return source, [first, second], running


def snapshot(store, run_id: str) -> dict:
    run = store.run(run_id)
    return {
        # NaN reads equal as text; a colour is the run's place in its own store
        "run": json.dumps({k: v for k, v in run.to_dict().items() if k != "colour"}, sort_keys=True, default=str),
        "history": {k: _comparable(run.metric_history(k)) for k in run.summaries},
        "records": [(r.kind, r.name, r.body) for r in run.records()],
        "cells": run.cells(),
        "bytes": {name: store.read_artifact(run_id, name) for name in run.artifacts},
    }


def _comparable(history) -> str:
    # A DataFrame or a list of points; as JSON, NaN (null) equals NaN.
    return history.to_json(orient="split", date_format="iso") if hasattr(history, "to_json") else json.dumps(history)


def test_importing_a_store_twice_yields_the_union_once(store, tmp_path):
    source, ended, running = make_source(tmp_path / "laptop")
    own = store.create_run("churn", params={"model": "lr"})
    report = import_store(store, tmp_path / "laptop")
    assert sorted(report.imported) == sorted(ended) and report.running == [running] and report.skipped == []
    assert report.blobs_copied == 2
    assert sorted(r.id for r in store.runs()) == sorted([own, *ended])
    for run_id in ended:
        assert snapshot(store, run_id) == snapshot(source, run_id)
    assert store.runs(where="params.model = 'rf' and metrics.test.f1 > 0.9")[0].id == ended[0]
    assert store.run(ended[1]).error == RunError(3, "ValueError", "bad input")

    again = import_store(store, tmp_path / "laptop")
    assert again.imported == [] and sorted(again.skipped) == sorted(ended) and again.blobs_copied == 0
    assert store.count() == 3
    for run_id in ended:
        assert snapshot(store, run_id) == snapshot(source, run_id)


def test_a_run_that_ends_after_an_import_comes_with_the_next_one(store, tmp_path):
    source, ended, running = make_source(tmp_path / "laptop")
    import_store(store, tmp_path / "laptop")
    source.end_run(running, "killed")
    assert import_store(store, tmp_path / "laptop").imported == [running]
    assert str(store.run(running).status) == "killed"


def test_a_store_cannot_import_itself_or_a_folder_that_is_no_store(tmp_path):
    store = open_store(tmp_path / "s")
    with pytest.raises(UsageError, match="cannot import itself"):
        import_store(store, tmp_path / "s")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no nbtrack store at"):
        import_store(store, tmp_path / "empty")


def test_the_cli_imports_a_folder_and_an_archive_idempotently(cli, tmp_path, store_path):
    _source, ended, _running = make_source(tmp_path / "cluster" / ".nbtrack")
    archive = tmp_path / "cluster.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(tmp_path / "cluster", arcname="cluster")
    first = cli("import", archive)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("imported 2 runs (2 artifact blobs)")
    assert "1 runs still running" in first.stderr
    second = cli("import", tmp_path / "cluster" / ".nbtrack")
    assert second.returncode == 0, second.stderr
    assert "imported 0 runs (0 artifact blobs)" in second.stdout and "2 already there" in second.stdout
    listed = json.loads(cli("runs", "--format", "json").stdout)
    assert sorted(r["id"] for r in listed) == sorted(ended)
    assert open_store(store_path).read_artifact(ended[0], "model.skops") == b"model bytes"


def _tar_with(path: Path, member: tarfile.TarInfo, data: bytes = b"x") -> Path:
    with tarfile.open(path, "w") as tf:
        tf.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return path


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_an_archive_member_that_would_land_outside_is_refused(cli, tmp_path, kind, store_path):
    if kind == "dotdot":
        member = tarfile.TarInfo("store/../../escaped.txt")
    elif kind == "absolute":
        member = tarfile.TarInfo(str(tmp_path / "escaped.txt"))
    else:
        member = tarfile.TarInfo("store/objects/link")
        member.type, member.linkname = tarfile.SYMTYPE, str(tmp_path / "escaped.txt")
    member.size = 0 if kind == "symlink" else 1
    archive = _tar_with(tmp_path / "evil.tar", member)
    result = cli("import", archive)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"nbtrack: error: archive {archive}")
    assert not (tmp_path / "escaped.txt").exists() and not store_path.exists()


def test_a_zip_member_that_would_land_outside_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("store/nbtrack.db", b"")
        zf.writestr("../escaped.txt", b"x")
    store = open_store(tmp_path / "s")
    with pytest.raises(UnsafeArchive, match="would land outside"):
        import_store(store, archive)
    assert not (tmp_path / "escaped.txt").exists() and store.count() == 0


def test_export_writes_parquet_tables_that_round_trip_through_pandas(store, tmp_path):
    source, ended, running = make_source(tmp_path / "laptop")
    import_store(store, tmp_path / "laptop")
    written = export_parquet(store, tmp_path / "export")
    assert sorted(written) == ["artifacts", "metrics", "params", "runs", "tags"]
    runs = pd.read_parquet(written["runs"])
    assert sorted(runs.run_id) == sorted(ended)
    row = runs.set_index("run_id").loc[ended[1]]
    assert (row.experiment, row.status, row.error_cell, row.error_name) == ("other", "failed", 3, "ValueError")
    params = pd.read_parquet(written["params"])
    rf = params[params.run_id == ended[0]].set_index("key")
    assert json.loads(rf.loc["layers", "value_json"]) == [1, 2] and rf.loc["C", "num"] == 0.5
    metrics = pd.read_parquet(written["metrics"])
    loss = metrics[(metrics.run_id == ended[0]) & (metrics.key == "loss")]
    assert list(loss.step) == list(range(50)) and list(loss.value) == [1.0 / (s + 1) for s in range(50)]
    assert metrics[metrics.key == "nan"].value.isna().all()
    artifacts = pd.read_parquet(written["artifacts"])
    assert set(zip(artifacts.run_id, artifacts.name)) == {(ended[0], "model.skops"), (ended[0], "figures/roc.png"),
                                                          (ended[1], "same.png")}
    assert artifacts.set_index("name").loc["model.skops", "size"] == len(b"model bytes")
    assert dict(pd.read_parquet(written["tags"]).query("key == 'team'")[["run_id", "value"]].values) == {
        ended[0]: "a"}


def test_the_cli_exports_parquet(cli, tmp_path, store_path):
    make_source(store_path)
    result = cli("export", "--format", "parquet", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert len(pd.read_parquet(tmp_path / "out" / "runs.parquet")) == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "artifacts.parquet", "metrics.parquet", "params.parquet", "runs.parquet", "tags.parquet"]


def test_importing_into_a_read_only_store_is_one_line_and_copies_no_bytes(tmp_path):
    from nbtrack.errors import StoreReadOnly

    make_source(tmp_path / "laptop")
    target_folder = tmp_path / "target"
    open_store(target_folder).create_run("churn")  # the target exists, with its schema
    target = open_store(target_folder, create=False, read_only=True)
    objects_before = sorted(p.name for p in (target_folder / "objects").rglob("*"))
    with pytest.raises(StoreReadOnly) as refused:
        import_store(target, tmp_path / "laptop")
    assert "\n" not in str(refused.value)
    assert sorted(p.name for p in (target_folder / "objects").rglob("*")) == objects_before
