"""Authorization: nbtrack routes name nbtrack: resources, and launching needs the "execute" action."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.lab import start_lab
from conftest import write_notebook
from server.conftest import Client

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"


@pytest.fixture(scope="module")
def no_execute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("authz")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    run_id = store.create_run("churn", name="only")
    store.end_run(run_id, "finished")
    write_notebook(root / "nb.ipynb", ["x = 1"], parameters="C = 1.0")
    here = str(Path(__file__).parent)
    server = start_lab(root, store_path, home=base / "home", app="server",
                       extra_args=["--ServerApp.authorizer_class=authorizers.NoExecute"],
                       extra_env={"PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])})
    try:
        yield Client(server)
    finally:
        server.stop()


def test_launching_needs_the_execute_action_and_reads_do_not(no_execute: Client) -> None:
    client = no_execute
    listed = client.request("GET", f"{API}/runs")  # allowed: its resource is nbtrack:runs
    assert listed.status == 200 and listed.json()["total"] == 1
    run_id = listed.json()["runs"][0]["id"]
    assert client.request("PATCH", f"{API}/runs/{run_id}/tags", {"set": {"a": "b"}}).status == 200
    assert client.request("GET", f"{API}/notebooks/params?path=nb.ipynb").status == 200
    refused = client.request("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": {}})
    assert refused.status == 403 and "execute" in refused.json()["message"]
    stop = client.request("DELETE", f"{API}/executions/abc123")  # Stop needs "execute" too, before any lookup
    assert stop.status == 403 and "execute" in stop.json()["message"]
    assert client.request("GET", f"{API}/executions").json()["executions"] == []
    assert client.request("GET", f"{API}/runs").json()["total"] == 1


def test_moving_an_alias_needs_the_execute_action_as_launching_does_and_reading_a_models_life_does_not(
        no_execute: Client) -> None:
    client = no_execute
    refused = client.request("POST", f"{API}/models/churn/aliases", {"alias": "champion", "version": 1})
    assert refused.status == 403 and "execute" in refused.json()["message"]
    assert client.request("GET", f"{API}/models/churn/life").status == 404  # allowed; there is no such model
    assert client.request("GET", f"{API}/analysis?metric=metrics.test.f1").status == 200
    run_id = client.request("GET", f"{API}/runs").json()["runs"][0]["id"]
    assert client.request("GET", f"{API}/series?ids={run_id}&key=loss").status == 200


@pytest.fixture(scope="module")
def read_only_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, str]]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("authz-read")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    run_id = store.create_run("churn", name="only", params={"model": "rf"})
    store.end_run(run_id, "finished")
    here = str(Path(__file__).parent)
    server = start_lab(root, store_path, home=base / "home", app="server",
                       extra_args=["--ServerApp.authorizer_class=authorizers.ReadOnlyRuns"],
                       extra_env={"PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])})
    try:
        yield Client(server), run_id
    finally:
        server.stop()


def test_workspace_writes_need_the_write_action_on_nbtrack_runs_and_reads_do_not(
        read_only_runs: tuple[Client, str]) -> None:
    client, run_id = read_only_runs
    for path in ("runs/table", "runs/fields", "runs/groups?group=params.model", "views", f"runs/{run_id}"):
        assert client.request("GET", f"{API}/{path}").status == 200, path
    writes = [("PATCH", f"runs/{run_id}", {"name": "renamed"}), ("PATCH", f"runs/{run_id}/tags", {"set": {"a": "b"}}),
              ("POST", "runs/actions", {"action": "delete", "ids": [run_id]}), ("PUT", "views/v", {"where": ""}),
              ("DELETE", "views/v", None)]
    for method, path, body in writes:
        reply = client.request(method, f"{API}/{path}", body)
        assert reply.status == 403, (method, path, reply.status)
    run = client.request("GET", f"{API}/runs/{run_id}").json()
    assert run["name"] == "only" and run["tags"] == {}
