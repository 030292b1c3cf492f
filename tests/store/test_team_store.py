"""What a team store adds to the contract suite: backends behave alike, URLs and secrets are handled."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from nbtrack.config import locate_store
from nbtrack.errors import StoreUriError
from nbtrack.store import open_store

KEY_WRITER = textwrap.dedent("""
    import sys, time
    from nbtrack.store import open_store
    store = open_store(sys.argv[1])
    run_id = store.create_run("keys")
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # both writers start together
    order = 1 if sys.argv[2] == "up" else -1
    for round in range(30):
        keys = [f"k{round}.{i}" for i in range(200)][::order]
        store.log_metrics(run_id, [(k, 0, 1.0, 0) for k in keys])
    store.end_run(run_id, "finished")
    print(run_id)
""")


def test_like_ignores_case_on_every_backend(store):
    run_id = store.create_run("Churn", params={"model": "LogReg"})
    assert [r.id for r in store.runs(where="params.model like 'logreg'")] == [run_id]
    assert [r.id for r in store.runs(where="experiment like 'CHURN%'")] == [run_id]
    assert store.runs(where="params.model like 'log'") == []


@pytest.mark.slow
def test_writers_creating_the_same_metric_keys_in_opposite_orders_do_not_deadlock(store_uri, store):
    start = time.time() + 5
    procs = [
        subprocess.Popen([sys.executable, "-c", KEY_WRITER, store_uri, order, str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for order in ("up", "down")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, results):
        assert proc.returncode == 0, err
    for out, _err in results:
        assert len(store.run(out.strip()).summaries) == 30 * 200


def test_run_prefix_lookup_works_whatever_the_collation(store):
    ids = [store.create_run("e") for _ in range(3)]
    for run_id in ids:
        assert store.resolve(run_id[:-1].lower()) == run_id
    assert store.run(ids[0][:20]).id == ids[0]


@pytest.mark.postgres
def test_plain_postgresql_url_uses_psycopg(postgres_server, monkeypatch, tmp_path):
    monkeypatch.setenv("NBTRACK_ARTIFACTS", str(tmp_path / "objects"))
    url = postgres_server.url(postgres_server.new_schema()).replace("postgresql+psycopg://", "postgresql://")
    store = open_store(url)
    try:
        run_id = store.create_run("e")
        assert store.run(run_id).experiment == "e"
    finally:
        store.close()


def test_a_password_in_a_store_url_is_never_shown(monkeypatch):
    monkeypatch.setenv("NBTRACK_ARTIFACTS", "s3://bucket/objects")
    location = locate_store("postgresql+psycopg://ana:s3cret@db.example:5432/runs")
    assert location.uri == "postgresql+psycopg://ana:s3cret@db.example:5432/runs"
    assert location.display == "postgresql+psycopg://ana:***@db.example:5432/runs"


@pytest.mark.postgres
def test_an_unreachable_server_is_one_clear_error_without_the_password(postgres_server, monkeypatch, tmp_path,
                                                                         cli):
    monkeypatch.setenv("NBTRACK_ARTIFACTS", str(tmp_path / "objects"))
    url = f"postgresql://ana:s3cret@/nbtrack?host={tmp_path}/no-server-here"
    with pytest.raises(StoreUriError, match="cannot be opened") as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)
    result = cli("runs", "--store", url)
    assert result.returncode == 2
    assert result.stderr.startswith("nbtrack: error: store postgresql://ana:***@")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_artifacts_location_given_in_code_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NBTRACK_ARTIFACTS", str(tmp_path / "from-env"))
    store = open_store(tmp_path / "s", artifacts=str(tmp_path / "given"))
    run_id = store.create_run("e")
    store.add_artifact(run_id, "a.txt", data=b"abc")
    assert list((tmp_path / "given").rglob("*")) and not (tmp_path / "from-env").exists()
