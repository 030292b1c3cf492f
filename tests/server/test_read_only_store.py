"""A Jupyter server over a store its user cannot write: every GET works, a write is a one-line 400."""

from __future__ import annotations

import pytest
from conftest import as_a_user_who_cannot_write, make_unwritable

from browser.lab import start_lab
from server.conftest import Client

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"


def test_a_server_over_a_store_it_cannot_write_serves_reads_and_refuses_writes_with_a_400(tmp_path):
    from nbtrack.store import open_store

    store_path, root = tmp_path / "store", tmp_path / "root"
    root.mkdir()
    store = open_store(store_path)
    run_id = store.create_run("e", params={"lr": 0.1})
    store.add_artifact(run_id, "notes.txt", data=b"abc", media_type="text/plain")
    store.end_run(run_id, "finished")
    store.close()
    before = (store_path / "nbtrack.db").read_bytes()
    make_unwritable(store_path)
    server = start_lab(root, store_path, home=tmp_path / "home", app="server",
                       prefix=as_a_user_who_cannot_write([]))
    try:
        client = Client(server)
        for path in (f"{API}/runs", f"{API}/runs/{run_id}", f"{API}/runs/{run_id}/artifacts/notes.txt",
                     f"{API}/experiments", f"{API}/models"):
            reply = client.request("GET", path)
            assert reply.status == 200, (path, reply.body, server.log()[-2000:])
        assert [r["id"] for r in client.request("GET", f"{API}/runs").json()["runs"]] == [run_id]
        refused = client.request("PATCH", f"{API}/runs/{run_id}/tags", {"set": {"stage": "review"}})
        assert refused.status == 400
        assert refused.json()["message"].startswith(f"store {store_path} is read-only for this user")
        assert "Traceback" not in server.log()
    finally:
        server.stop()
        make_unwritable(store_path, writable=True)
    assert (store_path / "nbtrack.db").read_bytes() == before
