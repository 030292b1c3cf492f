"""A store's password never leaves the process environment: not in reports, alerts, imports, logs or errors.

The PostgreSQL tests name a real server with a canary password in the store URL (the
server trusts its Unix socket, so any password connects) and look for the canary in
everything nbtrack writes, sends or prints.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from browser.lab import start_lab
from conftest import run_cli
from local_servers import PostgresServer
from nbtrack.config import mask_password

CANARY = "canary-pw-5f1c9e"


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql+psycopg://user:{CANARY}@db.example/runs", "postgresql+psycopg://user:***@db.example/runs"),
    (f"postgresql://user:{CANARY}@db.example:5433/runs?sslmode=require",
     "postgresql://user:***@db.example:5433/runs?sslmode=require"),
    (f"postgresql://user:a@{CANARY}@db.example/runs", "postgresql://user:***@db.example/runs"),
    (f"postgresql://user:a/{CANARY}@db.example/runs", "postgresql://user:***@db.example/runs"),
    (f"postgresql://db.example/runs?user=u&password={CANARY}",
     "postgresql://db.example/runs?password=***&user=u"),
    (f"s3://AKIAEXAMPLE:{CANARY}@bucket/objects", "s3://AKIAEXAMPLE:***@bucket/objects"),
    (f"gs://bucket/objects?token={CANARY}", "gs://bucket/objects?token=***"),
    (f"az://container/objects?sv=2022-11-02&sig={CANARY}&se=2030",
     "az://container/objects?sv=2022-11-02&sig=***&se=2030"),
    ("sqlite:////home/ana@lab/runs/nbtrack.db", "sqlite:////home/ana@lab/runs/nbtrack.db"),
    ("s3://bucket/a@b/objects", "s3://bucket/a@b/objects"),
    ("/home/ana/.nbtrack", "/home/ana/.nbtrack"),
])
def test_mask_password_hides_every_credential_a_store_url_can_carry(url, shown):
    assert mask_password(url) == shown


def test_missing_artifacts_error_names_the_store_without_its_password(tmp_path):
    done = run_cli("runs", env={"NBTRACK_STORE": f"postgresql+psycopg://user:{CANARY}@db.invalid/runs"})
    assert done.returncode != 0 and done.stderr.startswith("nbtrack: error: ")
    assert "NBTRACK_ARTIFACTS" in done.stderr and "user:***@db.invalid" in done.stderr
    assert CANARY not in done.stdout + done.stderr


# -- a real PostgreSQL store whose URL carries the canary --------------------------------

@pytest.fixture
def canary_store(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    """NBTRACK_STORE (password: the canary) and NBTRACK_ARTIFACTS of a new PostgreSQL store."""
    url = postgres_server.url(postgres_server.new_schema())
    assert url.startswith("postgresql+psycopg://nbtrack@")
    env = {"NBTRACK_STORE": url.replace("://nbtrack@", f"://nbtrack:{CANARY}@", 1),
           "NBTRACK_ARTIFACTS": str(tmp_path / "shared-objects")}
    yield env


def open_canary_store(env: dict[str, str]) -> Any:
    from nbtrack.store import open_store

    return open_store(env["NBTRACK_STORE"], artifacts=env["NBTRACK_ARTIFACTS"])


def stored_text(store: Any) -> str:
    """Every row of every table of the store, as text."""
    from sqlalchemy import inspect, text

    with store.engine.connect() as conn:
        return "\n".join(str(row) for table in inspect(conn).get_table_names()
                         for row in conn.execute(text(f"SELECT * FROM {table}")))


def files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


def scored_run(store: Any, *, experiment: str = "monitor") -> str:
    run_id = store.create_run(experiment, params={"model": "rf"})
    store.log_metrics(run_id, [("test.f1", 0, 0.8, 0)])
    store.end_run(run_id, "finished")
    return run_id


@pytest.mark.postgres
def test_report_of_a_postgresql_store_shows_no_password(canary_store, tmp_path):
    store = open_canary_store(canary_store)
    scored_run(store)
    store.close()
    done = run_cli("report", "--out", tmp_path / "report.html", env=canary_store)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report.html").read_text()
    assert "nbtrack:***@" in html  # the store is named, its password masked
    assert CANARY not in html + done.stdout + done.stderr


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[bytes]]]:
    """A local HTTP server that keeps every body POSTed to it."""
    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.mark.postgres
def test_alert_webhook_body_command_stdin_and_records_carry_no_password(canary_store, tmp_path, webhook):
    url, received = webhook
    recorder = "import sys; open('stdin.json', 'w').write(sys.stdin.read())"
    (tmp_path / "nbtrack.toml").write_text(f"""
[webhooks]
allow = ["127.0.0.1"]

[[alerts]]
name = "degraded"
when = "metrics.test.f1 < 0.85"
command = [{json.dumps(sys.executable)}, "-c", {json.dumps(recorder)}]
webhook = "{url}/hook?token={CANARY}"
""")
    store = open_canary_store(canary_store)
    run_id = scored_run(store)
    done = run_cli("alerts", run_id, "--format", "json", env=canary_store, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stdin = (tmp_path / "stdin.json").read_text()
    assert len(received) == 1 and json.loads(received[0])["run_id"] == run_id
    assert json.loads(stdin)["store"] == json.loads(received[0])["store"]
    assert "nbtrack:***@" in stdin
    records = stored_text(store)
    assert "degraded" in records
    store.close()
    assert CANARY not in stdin + received[0].decode() + done.stdout + done.stderr + records


@pytest.mark.postgres
def test_import_from_and_into_a_postgresql_store_prints_no_password(canary_store, tmp_path):
    source = open_canary_store(canary_store)
    scored_run(source)
    source.create_run("monitor")  # still running: the import names the source when it leaves it out
    source.close()
    folder = tmp_path / "folder-store"
    into_folder = run_cli("import", canary_store["NBTRACK_STORE"], "--artifacts",
                          canary_store["NBTRACK_ARTIFACTS"], "--store", folder)
    assert into_folder.returncode == 0, into_folder.stderr
    assert "1 runs still running in postgresql+psycopg://nbtrack:***@" in into_folder.stderr
    into_postgres = run_cli("import", folder, env=canary_store)
    assert into_postgres.returncode == 0, into_postgres.stderr
    assert "into postgresql+psycopg://nbtrack:***@" in into_postgres.stdout
    printed = into_folder.stdout + into_folder.stderr + into_postgres.stdout + into_postgres.stderr
    assert CANARY not in printed + files_text(folder)


@pytest.mark.postgres
@pytest.mark.slow
def test_jupyter_server_log_names_the_store_without_its_password(canary_store, tmp_path):
    store = open_canary_store(canary_store)
    scored_run(store)
    store.close()
    root = tmp_path / "root"
    root.mkdir()
    server = start_lab(root, tmp_path / "unused", home=tmp_path / "home", app="server",
                       extra_env=canary_store)  # NBTRACK_STORE: the canary URL, not the folder
    try:
        from server.conftest import Client

        reply = Client(server).request("GET", "/nbtrack/api/runs")
        assert reply.status == 200 and b"monitor" in reply.body
        assert CANARY not in reply.body.decode()
        deadline = time.monotonic() + 10
        while "nbtrack: API at" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    log = server.log()
    assert "over store postgresql+psycopg://nbtrack:***@" in log
    assert CANARY not in log
    assert CANARY in server.env["NBTRACK_STORE"]  # it was there to leak: only the environment has it
