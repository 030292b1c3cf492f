"""Every /nbtrack/api route against a real Jupyter server: auth, XSRF, JSON errors, no path escapes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from server.conftest import Client, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"


def routes(ids: dict[str, str]) -> list[tuple[str, str]]:
    rf = ids["rf"]
    return [
        ("GET", f"{API}/runs"), ("GET", f"{API}/runs/{rf}"), ("GET", f"{API}/runs/{rf}/metrics"),
        ("PATCH", f"{API}/runs/{rf}/tags"), ("GET", f"{API}/runs/{rf}/artifacts/figures/roc.png"),
        ("GET", f"{API}/compare?ids={rf}"), ("GET", f"{API}/experiments"), ("GET", f"{API}/executions"),
        ("POST", f"{API}/executions"), ("GET", f"{API}/executions/abc123"),
        ("GET", f"{API}/notebooks/params?path=nb.ipynb"), ("GET", f"{API}/models"), ("GET", f"{API}/models/churn"),
        ("GET", f"{API}/runs/table"), ("GET", f"{API}/runs/fields"), ("GET", f"{API}/runs/groups?group=params.model"),
        ("POST", f"{API}/runs/actions"), ("PATCH", f"{API}/runs/{rf}"), ("GET", f"{API}/views"),
        ("PUT", f"{API}/views/mine"), ("DELETE", f"{API}/views/mine"), ("GET", f"{API}/views/mine"),
        ("GET", f"{API}/analysis?metric=metrics.test.f1"), ("GET", f"{API}/series?ids={rf}&key=train.loss"),
        ("GET", f"{API}/series/groups?ids={rf}&key=train.loss&group=params.model"),
        ("GET", f"{API}/runs/{rf}/artifacts/notes.txt/preview"), ("GET", f"{API}/models/churn/life"),
        ("GET", f"{API}/models/churn/versions/1/lineage"), ("POST", f"{API}/models/churn/aliases"),
    ]


def test_every_route_refuses_requests_without_credentials(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    for method, path in routes(ids):
        body = {"notebook": "nb.ipynb"} if method in ("POST", "PATCH", "PUT") else None
        reply = client.request(method, path, body, token=False)
        assert reply.status == 403, (method, path, reply.status)
        assert b"Traceback" not in reply.body


def test_server_registers_every_handler_authenticated(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    log = client.server.log()
    assert "nbtrack: API at /nbtrack/api" in log
    # jupyter_server warns once per add_handlers call that has an undecorated method.
    warnings = [block for block in log.split("Extension endpoints without")[1:]]
    assert not any("/nbtrack/" in block.split("add_handlers")[0] for block in warnings), warnings


def test_runs_are_listed_newest_first_with_total_and_paging(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/runs").json()
    assert body["total"] == 3
    assert [r["id"] for r in body["runs"]] == [ids["svm"], ids["lr"], ids["rf"]]
    first = body["runs"][0]
    assert first["params"] == {"model": "svm", "C": 2.5} and first["metrics"]["test.f1"] == pytest.approx(0.88)
    assert first["status"] == "finished" and first["tags"] == {"team": "risk"}
    page = client.request("GET", f"{API}/runs?limit=1&offset=1").json()
    assert [r["id"] for r in page["runs"]] == [ids["lr"]] and page["total"] == 3


def test_runs_filter_and_sort_use_the_query_language(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    where = "metrics.test.f1%20%3E%200.85"
    body = client.request("GET", f"{API}/runs?where={where}&order=-metrics.test.f1").json()
    assert [r["id"] for r in body["runs"]] == [ids["rf"], ids["svm"]] and body["total"] == 2
    body = client.request("GET", f"{API}/runs?order=metrics.test.f1&experiment=churn").json()
    assert [r["id"] for r in body["runs"]] == [ids["lr"], ids["svm"], ids["rf"]]


def test_bad_filter_and_bad_paging_are_400_with_a_message(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    for query in ("where=metrics.f1%20%3E%3E%201", "limit=abc", "limit=100000", "order=%3B%20drop"):
        reply = client.request("GET", f"{API}/runs?{query}")
        assert reply.status == 400, query
        assert reply.headers["content-type"].startswith("application/json")
        message = reply.json()["message"]
        assert message and "Traceback" not in message and "/tmp" not in message


def test_run_detail_carries_records_cells_and_artifacts(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/runs/{ids['rf']}").json()
    assert body["id"] == ids["rf"] and body["name"] == "rf-run"
    evaluation = next(r for r in body["records"] if r["kind"] == "evaluation")
    assert evaluation["body"]["confusion_matrix"]["matrix"] == [[5, 1], [2, 7]]
    assert [c["index"] for c in body["cells"]] == [0, 1] and body["cells"][1]["wall_s"] == 0.5
    assert {a["name"] for a in body["artifact_list"]} == {"figures/roc.png", "report.html", "plot.svg", "model.bin",
                                                        "notes.txt", "source.ipynb"}
    prefix = client.request("GET", f"{API}/runs/{ids['rf'][:10]}").json()
    assert prefix["id"] == ids["rf"]


def test_unknown_ids_are_404_json(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    for path in (f"{API}/runs/01ZZZZZZZZZZZZZZZZZZZZZZZZ", f"{API}/runs/01ZZZZZZZZZZ/metrics",
                 f"{API}/runs/{ids['rf']}/artifacts/nothing.png", f"{API}/executions/abcdef",
                 f"{API}/compare?ids=01ZZZZZZZZZZ", f"{API}/runs/{ids['rf']}/metrics?key=nope"):
        reply = client.request("GET", path)
        assert reply.status == 404, path
        assert set(reply.json()) == {"message"} and "Traceback" not in reply.json()["message"]


def test_metric_series_are_downsampled_on_the_server(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/runs/{ids['rf']}/metrics?points=50").json()
    loss = body["series"]["train.loss"]
    assert 40 <= len(loss) <= 50
    assert loss[0]["step"] == 0 and loss[-1]["step"] == 999 and loss[0]["value"] == 1.0
    one = client.request("GET", f"{API}/runs/{ids['rf']}/metrics?key=test.f1").json()
    assert list(one["series"]) == ["test.f1"]
    assert client.request("GET", f"{API}/runs/{ids['rf']}/metrics?points=1").status == 400


def test_artifacts_are_served_verified_and_active_content_is_sandboxed(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    base = f"{API}/runs/{ids['rf']}/artifacts"
    png = client.request("GET", f"{base}/figures/roc.png")
    assert png.status == 200 and png.body.startswith(b"\x89PNG")
    assert png.headers["content-type"] == "image/png" and png.headers["x-content-type-options"] == "nosniff"
    for name, media in (("report.html", "text/html"), ("plot.svg", "image/svg+xml")):
        reply = client.request("GET", f"{base}/{name}")
        assert reply.status == 200 and reply.headers["content-type"].startswith(media)
        assert reply.headers["content-disposition"].startswith("attachment")
        assert "sandbox" in reply.headers["content-security-policy"]
        assert reply.headers["x-content-type-options"] == "nosniff"
    binary = client.request("GET", f"{base}/model.bin")
    assert binary.headers["content-type"] == "application/octet-stream"
    assert binary.headers["content-disposition"].startswith("attachment")


def test_corrupt_artifact_bytes_are_never_served(api: tuple[Client, dict[str, str]]) -> None:
    import hashlib

    client, ids = api
    sha = hashlib.sha256(b"notes on svm").hexdigest()
    blob = client.server.store / "objects" / sha[:2] / sha[2:]
    assert blob.is_file()
    blob.write_bytes(b"notes on SVM, tampered")
    reply = client.request("GET", f"{API}/runs/{ids['svm']}/artifacts/notes.txt")
    assert reply.status == 500 and b"tampered" not in reply.body
    assert "corrupt" in reply.json()["message"] and str(client.server.store) not in reply.json()["message"]
    ok = client.request("GET", f"{API}/runs/{ids['rf']}/artifacts/notes.txt")
    assert ok.status == 200 and ok.body == b"notes on rf"


@pytest.mark.parametrize("spelling", [
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
    "figures/../../nbtrack.db", "..\\..\\nbtrack.db", "%2fetc%2fpasswd", "/etc/passwd",
    "figures/%2e%2e/%2e%2e/%2e%2e/nbtrack.db", "objects/../nbtrack.db", "..%252f..%252fnbtrack.db",
])
def test_artifact_traversal_spellings_are_404(api: tuple[Client, dict[str, str]], spelling: str) -> None:
    client, ids = api
    reply = client.request("GET", f"{API}/runs/{ids['rf']}/artifacts/{spelling}")
    assert reply.status == 404, (spelling, reply.status, reply.body[:200])
    assert b"root:" not in reply.body and b"SQLite" not in reply.body


def test_traversal_in_the_run_id_is_404(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    for path in (f"{API}/runs/..%2f..%2fetc", f"{API}/runs/../../etc/passwd", f"{API}/runs/%2e%2e"):
        assert client.request("GET", path).status == 404, path


def test_tags_change_by_patch_and_cookie_sessions_need_xsrf(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    path = f"{API}/runs/{ids['lr']}/tags"
    reply = client.request("PATCH", path, {"set": {"stage": "review"}, "delete": ["team"]})
    assert reply.status == 200 and reply.json()["tags"] == {"stage": "review"}
    cookies, xsrf = client.cookie_session()
    assert xsrf, "the server sets an _xsrf cookie"
    refused = client.request("PATCH", path, {"set": {"stage": "x"}}, token=False, headers={"Cookie": cookies})
    assert refused.status == 403
    launch = client.request("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": {}}, token=False,
                            headers={"Cookie": cookies})
    assert launch.status == 403
    assert client.request("GET", f"{API}/runs", token=False, headers={"Cookie": cookies}).status == 200
    allowed = client.request("PATCH", path, {"set": {"stage": "shipped"}}, token=False,
                             headers={"Cookie": cookies, "X-XSRFToken": xsrf})
    assert allowed.status == 200 and allowed.json()["tags"] == {"stage": "shipped"}
    bad = client.request("PATCH", path, {"set": {"stage": ["a"]}})
    assert bad.status == 400


def test_state_changes_need_a_json_body(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    for method, path in (("POST", f"{API}/executions"), ("PATCH", f"{API}/runs/{ids['rf']}/tags")):
        reply = client.request(method, path, b"notebook=nb.ipynb", content_type="application/x-www-form-urlencoded")
        assert reply.status == 415 and "application/json" in reply.json()["message"]
        assert client.request(method, path, b"{not json").status == 400
    assert client.request("GET", f"{API}/runs", b"{}", content_type="text/plain").status == 200


def test_compare_marks_differences_and_best_metrics(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/compare?ids={ids['rf']},{ids['lr']}").json()
    assert body["ids"] == [ids["rf"], ids["lr"]]
    assert body["columns"]["params.model"] == ["rf", "lr"] and body["differs"]["params.model"]
    assert not body["differs"]["experiment"]
    assert body["best"]["metrics.test.f1"] == ids["rf"] and "metrics.train.loss" not in body["best"]
    assert client.request("GET", f"{API}/compare").status == 400


def test_compare_carries_data_environment_and_notebook_differences(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/compare?ids={ids['rf']},{ids['lr']},{ids['svm']}").json()
    found = body["differences"]
    assert found["base"] == ids["rf"]
    (train,) = found["data"]
    assert train["name"] == "train" and train["fingerprint"] == ["same", "different", "same"]
    shifts = {c["column"]: c for c in train["columns"]}
    assert shifts["age"]["shift"] == [0.0, 1.6, 0.0] and shifts["age"]["changed"] == [False, True, False]
    assert shifts["city"]["shift"] == [0.0, 0.0, 0.0]
    environment = found["environment"]
    assert environment["packages"] == [{"run": ids["lr"], "package": "numpy", "change": "changed",
                                        "before": "2.0.0", "after": "2.1.0"}]
    python = next(f for f in environment["facts"] if f["name"] == "python")
    assert python["values"] == ["3.11.2"] * 3 and not python["differs"]
    lr, svm = found["notebook"]
    assert lr["run"] == ids["lr"] and not lr["same"]
    assert lr["cells"] == [{"cell": 3, "change": "changed",
                            "text": "@@ -1,2 +1,2 @@\n [code]\n-model = make_model('rf')\n+model = make_model('lr', C=C)"}]
    assert svm["cells"] == [{"cell": 4, "change": "added", "text": "[code]\nmodel.fit(X, y)"}]


def test_experiments_are_listed_with_counts(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    body = client.request("GET", f"{API}/experiments").json()
    assert [(e["name"], e["runs"]) for e in body["experiments"]] == [("churn", 3)]


def test_models_list_versions_and_aliases(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/models").json()
    assert [(m["name"], m["versions"], m["aliases"]) for m in body["models"]] == [("churn", 2, {"champion": 1})]
    versions = client.request("GET", f"{API}/models/churn").json()["versions"]
    assert [(v["version"], v["run_id"], v["aliases"]) for v in versions] == [(2, ids["svm"], []),
                                                                            (1, ids["rf"], ["champion"])]
    assert client.request("GET", f"{API}/models/nothing").status == 404
    assert client.request("GET", f"{API}/models/%2e%2e").status in (400, 404)


def _run_count(client: Client) -> int:
    return int(client.request("GET", f"{API}/runs?limit=0").json()["total"])


@pytest.mark.parametrize("params", [
    {"x = 0\nimport os\ny": 1}, {"C = 1; import os; os.system('touch pwned')  #": 1}, {"undeclared": 1},
    {"C": "not a number"}, {"__import__('os')": 1}, ["C", 1],
])
def test_parameter_injection_is_refused_before_any_kernel(api: tuple[Client, dict[str, str]], params: Any) -> None:
    client, _ = api
    before = _run_count(client)
    reply = client.request("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": params})
    assert reply.status == 400 and reply.json()["message"]
    assert client.request("GET", f"{API}/executions").json()["executions"] == []
    assert _run_count(client) == before
    assert not (client.server.root / "pwned").exists()


@pytest.mark.parametrize(("notebook", "status"), [
    ("../outside.ipynb", 404), ("/etc/passwd.ipynb", 404), ("missing.ipynb", 404), ("sub/../../outside.ipynb", 404),
    ("%2e%2e/outside.ipynb", 404), ("nb.py", 400), (7, 400), ("", 400),
])
def test_launch_accepts_only_notebooks_inside_the_root(api: tuple[Client, dict[str, str]], notebook: Any,
                                                      status: int) -> None:
    client, _ = api
    reply = client.request("POST", f"{API}/executions", {"notebook": notebook, "params": {}})
    assert reply.status == status
    message = reply.json()["message"]
    assert str(client.server.root) not in message and "Traceback" not in message
    assert client.request("GET", f"{API}/executions").json()["executions"] == []


HOSTILE_LAUNCHES = {
    "5000-digit integer": (b'{"notebook": "nb.ipynb", "params": {"C": ' + b"9" * 5000 + b"}}", "4300 an integer"),
    "nested 100,000 deep": (b'{"notebook": "nb.ipynb", "params": {"C": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
                            "nests deeper than 32"),
    "nested 40 deep": (b'{"notebook": "nb.ipynb", "params": {"C": ' + b"[" * 40 + b"]" * 40 + b"}}",
                       "nests deeper than 32"),
    "NaN": (b'{"notebook": "nb.ipynb", "params": {"C": NaN}}', "must be finite"),
    "-Infinity": (b'{"notebook": "nb.ipynb", "params": {"C": -Infinity}}', "must be finite"),
    "1e999": (b'{"notebook": "nb.ipynb", "params": {"C": 1e999}}', "must be finite"),
    "70 kB value": (b'{"notebook": "nb.ipynb", "params": {"label": "' + b"x" * 70_000 + b'"}}',
                    "log it as an artifact with run.log_artifact"),
    "9 MB body": (b'{"notebook": "nb.ipynb", "params": {"label": "' + b"x" * 9_000_000 + b'"}}',
                  "the request body is"),
    "10,000-character path": (json.dumps({"notebook": "a/" * 5000 + "nb.ipynb"}).encode(), "characters long"),
    "300-byte name": (json.dumps({"notebook": "a" * 300 + "/nb.ipynb"}).encode(), "name of 300 bytes"),
    "1001 params": (json.dumps({"notebook": "nb.ipynb", "params": {f"p{i}": i for i in range(1001)}}).encode(),
                    "1001 parameters given, over the 1000"),
}


@pytest.mark.parametrize("case", list(HOSTILE_LAUNCHES))
def test_hostile_launch_bodies_are_one_line_400s_and_launch_nothing(api: tuple[Client, dict[str, str]],
                                                                     case: str) -> None:
    client, _ = api
    body, fragment = HOSTILE_LAUNCHES[case]
    before = _run_count(client)
    reply = client.request("POST", f"{API}/executions", body)
    assert reply.status == 400, reply.body[:300]
    message = reply.json()["message"]
    assert fragment in message and "\n" not in message and "Traceback" not in message and len(message) < 400
    assert client.request("GET", f"{API}/executions").json()["executions"] == []
    assert _run_count(client) == before


@pytest.mark.parametrize("notebook", [".hidden/nb.ipynb", ".ipynb_checkpoints/nb-checkpoint.ipynb", ".nb.ipynb",
                                      "sub/../.hidden/nb.ipynb", "shown/link.ipynb"])
def test_notebooks_the_contents_api_hides_are_neither_read_nor_launched(api: tuple[Client, dict[str, str]],
                                                                         notebook: str) -> None:
    client, _ = api
    root = client.server.root
    source = (root / "nb.ipynb").read_bytes()
    for hidden in (".hidden/nb.ipynb", ".ipynb_checkpoints/nb-checkpoint.ipynb", ".nb.ipynb"):
        (root / hidden).parent.mkdir(parents=True, exist_ok=True)
        (root / hidden).write_bytes(source)
    (root / "shown").mkdir(exist_ok=True)
    if not (root / "shown" / "link.ipynb").is_symlink():
        (root / "shown" / "link.ipynb").symlink_to(root / ".hidden" / "nb.ipynb")  # a visible name for a hidden file
    assert client.request("GET", f"/api/contents/{notebook.replace('sub/../', '')}").status == 404 or \
        notebook == "shown/link.ipynb"
    reply = client.request("POST", f"{API}/executions", {"notebook": notebook, "params": {"C": 2.0}})
    assert reply.status == 404 and "allow_hidden" in reply.json()["message"]
    assert client.request("GET", f"{API}/notebooks/params?path={notebook}").status == 404
    assert client.request("GET", f"{API}/executions").json()["executions"] == []


def test_a_tag_over_the_value_limit_is_a_400_naming_log_artifact(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    path = f"{API}/runs/{ids['svm']}/tags"
    reply = client.request("PATCH", path, {"set": {"notes": "x" * 70_000}})
    assert reply.status == 400 and "run.log_artifact" in reply.json()["message"]
    assert "notes" not in client.request("GET", f"{API}/runs/{ids['svm']}").json()["tags"]


def test_notebook_params_lists_declared_parameters(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    body = client.request("GET", f"{API}/notebooks/params?path=nb.ipynb").json()
    assert [(p["name"], p["default"]) for p in body["params"]] == [("C", 1.0), ("label", "a")]
    assert client.request("GET", f"{API}/notebooks/params?path=../outside.ipynb").status == 404


def test_launch_runs_the_notebook_through_the_engine_and_reports_progress(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    reply = client.request("POST", f"{API}/executions", {"notebook": "nb.ipynb", "params": {"C": 4.0}})
    assert reply.status == 201, reply.body
    launched = reply.json()
    assert re.fullmatch(r"[0-9a-f]{32}", launched["id"]) and launched["state"] == "running"
    path = f"{API}/executions/{launched['id']}"
    done = wait_for(lambda: (b := client.request("GET", path).json())["state"] != "running" and b, timeout=120)
    assert done["state"] == "finished", done
    assert done["cells_done"] == done["cells_total"] == 3  # parameters and two cells, as written
    run = done["run"]
    assert run["status"] == "finished" and run["params"]["C"] == 4.0 and run["metrics"]["doubled"] == 8.0
    assert run["tags"]["launched_from"] == "jupyterlab"
    listed = client.request("GET", f"{API}/runs?limit=1").json()["runs"][0]
    assert listed["id"] == run["id"]
    assert json.loads(client.request("GET", f"{API}/executions").body)["executions"][0]["id"] == launched["id"]
