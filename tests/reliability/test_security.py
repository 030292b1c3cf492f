"""Nothing leaves the store that should not: traversal, origin, errors, read-only GETs, secrets.

Runs against a real Jupyter server with nbtrack enabled (the server tests' fixtures),
sending raw requests that no client normalizes first.
"""

from __future__ import annotations

import hashlib
import http.client
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from browser.lab import start_lab
from server.conftest import Client, seed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("security")]

API = "/nbtrack/api"
CANARY = f"canary-{secrets.token_hex(8)}"

TRAVERSALS = [
    "../../../../canary.txt", "..%2f..%2f..%2fcanary.txt", "%2e%2e/%2e%2e/%2e%2e/canary.txt",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary.txt", "..%252f..%252f..%252fcanary.txt",
    "%252e%252e/%252e%252e/canary.txt", "..\\..\\..\\canary.txt", "..%5c..%5c..%5ccanary.txt",
    "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "file:///etc/passwd", "file:%2f%2f%2fetc%2fpasswd",
    "notes.txt/../../../canary.txt", "notes.txt%2f..%2f..%2f..%2fcanary.txt", "figures/../../nbtrack.db",
    "notes.txt#../../canary.txt", "notes.txt?name=../../canary.txt", "notes.txt;/../../canary.txt",
    "..;/..;/canary.txt", "notes.txt%00../../canary.txt", "%00", "..%00/canary.txt",
    "..%u2216..%u2216canary.txt", "%E2%80%A5%2F%E2%80%A5%2Fcanary.txt",
    "%EF%BC%8E%EF%BC%8E%EF%BC%8F%EF%BC%8E%EF%BC%8E%EF%BC%8Fcanary.txt", "%C0%AE%C0%AE/%C0%AE%C0%AE/canary.txt",
    "objects/../nbtrack.db", "nbtrack.db", "nbtrack.db-wal", "objects", "tmp", "a" * 5000,
    "%2e%2e", ".", "..", "planted.txt",
]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, dict[str, str], Path]]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("security")
    (base / "canary.txt").write_text(CANARY)
    root, store_path = base / "root", base / "store"
    root.mkdir()
    (root / "canary.txt").write_text(CANARY)
    store = open_store(store_path)
    ids = seed(store)
    # A blob swapped for a symlink to the canary: the row's sha256 no longer matches what it points at.
    planted = store.create_run("churn", name="planted")
    artifact = store.add_artifact(planted, "planted.txt", data=b"harmless")
    store.end_run(planted, "finished")
    blob = Path(store.blobs.path(artifact.sha256))
    blob.unlink()
    blob.symlink_to(base / "canary.txt")
    ids["planted"] = planted
    store.close()
    server = start_lab(root, store_path, home=base / "home", app="server")
    try:
        yield Client(server), ids, store_path
    finally:
        server.stop()


@pytest.mark.parametrize("spelling", TRAVERSALS)
def test_traversal_spellings_read_nothing_outside_the_store(guarded, spelling):
    client, ids, _store = guarded
    for run in (ids["rf"], ids["planted"]):
        reply = client.request("GET", f"{API}/runs/{run}/artifacts/{spelling}")
        if spelling.startswith("notes.txt?") and run == ids["rf"]:
            # A query string is not part of the name: this is the real artifact notes.txt.
            assert reply.status == 200 and reply.body == b"notes on rf"
        else:
            assert reply.status in (400, 404, 500), (spelling, reply.status)
        assert CANARY.encode() not in reply.body and b"root:x:" not in reply.body
        assert b"SQLite format" not in reply.body


def test_at_least_25_traversal_spellings_are_tried():
    assert len(set(TRAVERSALS)) >= 25


def test_a_symlink_planted_as_a_blob_is_refused_not_followed(guarded):
    client, ids, _store = guarded
    reply = client.request("GET", f"{API}/runs/{ids['planted']}/artifacts/planted.txt")
    assert reply.status == 500 and CANARY.encode() not in reply.body
    assert "nbtrack fsck" in reply.json()["message"]


def test_a_cookie_session_from_a_foreign_origin_is_refused(guarded):
    """A page on another site rides the user's cookies (it has no token): every route refuses it."""
    client, ids, _store = guarded
    cookies, xsrf = client.cookie_session()
    own = client.request("GET", f"{API}/runs", token=False, headers={"Cookie": cookies})
    assert own.status == 200  # the session itself works
    foreign = {"Cookie": cookies, "X-XSRFToken": xsrf, "Origin": "https://attacker.example"}
    for method, path, body in [
        ("GET", f"{API}/runs", None),
        ("GET", f"{API}/runs/{ids['rf']}", None),
        ("GET", f"{API}/runs/{ids['rf']}/artifacts/notes.txt", None),
        ("PATCH", f"{API}/runs/{ids['rf']}/tags", {"set": {"owned": "yes"}}),
        ("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": {}}),
    ]:
        reply = client.request(method, path, body, token=False, headers=foreign)
        assert reply.status in (403, 404), (method, path, reply.status)
        assert b"notes on" not in reply.body and b"churn" not in reply.body
        assert reply.headers.get("access-control-allow-origin") in (None, "")
    tags = client.request("GET", f"{API}/runs/{ids['rf']}").json()["tags"]
    assert "owned" not in tags


def test_errors_never_carry_a_traceback_a_path_or_the_token(guarded):
    client, ids, store = guarded
    bad = [
        ("GET", f"{API}/runs?where=params.(", None),
        ("GET", f"{API}/runs?order=%60", None),
        ("GET", f"{API}/runs?limit=-1", None),
        ("GET", f"{API}/runs/NOPE00", None),
        ("GET", f"{API}/runs/{ids['rf']}/metrics/nope", None),
        ("GET", f"{API}/runs/{ids['planted']}/artifacts/planted.txt", None),
        ("POST", f"{API}/executions", {"notebook": "../outside.ipynb"}),
        ("POST", f"{API}/executions", {"notebook": "missing.ipynb"}),
        ("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": {"x = 0\nimport os\ny": 1}}),
        ("PATCH", f"{API}/runs/{ids['rf']}/tags", {"set": {"k": {"deep": [1]}}}),
    ]
    for method, path, body in bad:
        reply = client.request(method, path, body)
        text = reply.body.decode("utf-8", "replace")
        assert 400 <= reply.status < 600, (path, reply.status)
        assert "Traceback" not in text and client.server.token not in text, (path, text)
        assert str(store) not in text and str(client.server.root) not in text, (path, text)
        assert "/tmp/" not in text and "site-packages" not in text, (path, text)
        assert reply.headers["content-type"].startswith("application/json"), path
        assert set(reply.json()) <= {"message", "reason", "traceback"} and not reply.json().get("traceback")


def database_state(store: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(store.glob("nbtrack.db*"))
            if p.name != "nbtrack.db-shm"}  # the shared-memory index is not data


def test_a_get_only_pass_leaves_the_database_file_unchanged(guarded):
    client, ids, store = guarded
    client.request("GET", f"{API}/runs")  # the server has opened the store
    before = database_state(store)
    for path in [f"{API}/runs", f"{API}/runs?where=params.model%20%3D%20%27rf%27&order=-metrics.test.f1",
                 f"{API}/runs/{ids['rf']}", f"{API}/runs/{ids['rf']}/metrics/train.loss?points=50",
                 f"{API}/runs/{ids['rf']}/artifacts/notes.txt", f"{API}/compare?ids={ids['rf']},{ids['lr']}",
                 f"{API}/experiments", f"{API}/models", f"{API}/runs/NOPE00"]:
        client.request("GET", path)
    assert database_state(store) == before


@pytest.mark.parametrize("variable", ["JUPYTER_TOKEN", "AWS_SECRET_ACCESS_KEY", "WAREHOUSE_PASSWORD"])
def test_secret_canaries_in_the_environment_never_reach_the_store(variable, tmp_path, cli, notebook):
    canary = f"{variable.lower()}-{secrets.token_hex(12)}"
    env = {"JUPYTER_TOKEN": "x", "AWS_SECRET_ACCESS_KEY": "x", "WAREHOUSE_PASSWORD": "x", variable: canary}
    path = notebook(["import os, nbtrack\nrun = nbtrack.start_run()\nrun.log_metric('seen', len(os.environ))",
                     "print('environment has', len(os.environ), 'variables')"])
    store = tmp_path / "secret-store"
    result = cli("run", path, "--store", store, env=env)
    assert result.returncode == 0, result.stderr
    found = [p for p in store.rglob("*") if p.is_file() and canary.encode() in p.read_bytes()]
    assert found == [], f"{variable}'s value was stored in {found}"
    assert any(p.is_file() for p in (store / "objects").rglob("*"))  # there was something to search



def store_bytes(store: Path) -> int:
    return sum(p.stat().st_size for p in store.glob("nbtrack.db*") if p.name != "nbtrack.db-shm")


def test_a_20_mb_value_reaches_neither_the_database_nor_the_runs_page(guarded):
    import nbtrack
    from nbtrack.errors import UsageError

    client, ids, store = guarded
    page_before = len(client.request("GET", f"{API}/runs").body)
    bytes_before = store_bytes(store)
    big = "x" * 20_000_000
    for body, fragment in [({"set": {"blob": big}}, "request body is"),
                           ({"set": {"blob": big[:70_000]}}, "run.log_artifact")]:
        reply = client.request("PATCH", f"{API}/runs/{ids['rf']}/tags", body)
        assert reply.status == 400 and fragment in reply.json()["message"]
    with nbtrack.start_run("big values", experiment="churn", store=nbtrack.open_store(store)) as run:
        for write in (lambda: run.log_param("blob", big), lambda: run.set_tag("blob", big),
                      lambda: run.log_params({"blob": [big]})):
            with pytest.raises(UsageError, match=r"log it as an artifact with run\.log_artifact"):
                write()
        run.log_param("fits", big[:1000])  # a value under the 64 KiB default is kept
    grown, page = store_bytes(store) - bytes_before, len(client.request("GET", f"{API}/runs").body)
    print(f"database grew {grown} bytes; /runs page {page_before} -> {page} bytes")
    assert grown < 200_000 and page - page_before < 5_000
    assert client.request("GET", f"{API}/runs/{run.id}").json()["params"] == {"fits": big[:1000]}


@pytest.fixture(scope="module")
def hidden_allowed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    from conftest import write_notebook

    base = tmp_path_factory.mktemp("allow-hidden")
    root = base / "root"
    write_notebook(root / ".hidden" / "nb.ipynb", ["result = C * 2"], parameters="C = 1.0")
    server = start_lab(root, base / "store", home=base / "home", app="server",
                       extra_args=["--ContentsManager.allow_hidden=True"])
    try:
        yield Client(server)
    finally:
        server.stop()


def test_a_server_that_allows_hidden_files_launches_hidden_notebooks(hidden_allowed):
    from server.conftest import wait_for

    client = hidden_allowed
    assert client.request("GET", f"{API}/notebooks/params?path=.hidden/nb.ipynb").status == 200
    reply = client.request("POST", f"{API}/executions", {"notebook": ".hidden/nb.ipynb", "params": {"C": 3.0}})
    assert reply.status == 201, reply.body
    path = f"{API}/executions/{reply.json()['id']}"
    done = wait_for(lambda: (b := client.request("GET", path).json())["state"] != "running" and b, timeout=120)
    assert done["state"] == "finished" and done["run"]["params"]["C"] == 3.0


def set_cookies(client: Client, path: str) -> list[str]:
    """Every Set-Cookie header a plain GET of path answers with."""
    conn = http.client.HTTPConnection(client.host, client.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def test_the_login_and_xsrf_cookies_are_samesite_lax(guarded):
    # Without SameSite another site's <img src=".../nbtrack/api/runs?..."> carried the login cookie.
    client, _ids, _store = guarded
    login = [c for c in set_cookies(client, f"/api/status?token={client.server.token}") if c.startswith("username-")]
    xsrf = [c for c in set_cookies(client, "/login") if c.startswith("_xsrf=")]
    assert login and xsrf, "no login or _xsrf cookie was set"
    for cookie in login + xsrf:
        name, _, attributes = cookie.partition(";")
        assert "samesite=lax" in attributes.lower().replace(" ", ""), (name.split("=")[0], attributes)


def test_forty_order_terms_are_a_400_and_the_server_keeps_answering(guarded):
    # 32 repeats of one params order term segfaulted SQLite 3.40.1 and took the whole Jupyter server down.
    client, _ids, _store = guarded
    reply = client.request("GET", f"{API}/runs?" + "&".join(["order=params.C"] * 40))
    assert reply.status == 400 and "more than 8" in reply.json()["message"], reply.body[:300]
    deep = quote("(" * 2000 + "params.C > 0" + ")" * 2000)
    reply = client.request("GET", f"{API}/runs?where={deep}")
    assert reply.status == 400 and "levels deep" in reply.json()["message"], reply.body[:300]
    reply = client.request("GET", f"{API}/runs?where=" + quote(" or ".join(["params.C > 0"] * 1500)))
    assert reply.status == 400 and "comparisons" in reply.json()["message"], reply.body[:300]
    assert client.request("GET", f"{API}/runs").status == 200
