"""The runs workspace's routes on a real Jupyter server: table, fields, groups, run edits, actions, views."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from browser.lab import start_lab
from server.conftest import Client, seed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, dict[str, str]]]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("workspace")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids = seed(store)
    extra = store.create_run("other", params={"model": "rf", "C": 9.0})
    store.log_metrics(extra, [("test.f1", 0, 0.5, 0)])
    store.end_run(extra, "finished")
    ids["extra"] = extra
    server = start_lab(root, store_path, home=base / "home", app="server")
    try:
        yield Client(server), ids
    finally:
        server.stop()


def q(text: str) -> str:
    return quote(text, safe="")


def test_table_pages_chosen_columns_sorted_by_any_field_on_the_server(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    columns = "&".join(f"columns={q(c)}" for c in ("params.model", "metrics.test.f1", "metrics.train.loss.min",
                                                   "data.train.rows", "tags.team", "duration"))
    body = client.request("GET", f"{API}/runs/table?experiment=churn&order=-metrics.test.f1&limit=2&{columns}").json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert body["columns"] == ["params.model", "metrics.test.f1", "metrics.train.loss.min", "data.train.rows",
                               "tags.team", "duration"]
    assert [row["id"] for row in body["rows"]] == [ids["rf"], ids["svm"]]
    first = body["rows"][0]
    assert set(first) == {"id", "name", "colour", "status", "started_at", "ended_at", "duration", "archived",
                          "note_excerpt", "values"}
    assert first["name"] == "rf-run" and first["values"]["params.model"] == "rf"
    assert first["values"]["metrics.train.loss.min"] == pytest.approx(0.001)
    assert first["values"]["data.train.rows"] == 100 and first["values"]["tags.team"] == "risk"
    by_param = client.request("GET", f"{API}/runs/table?order=params.model&columns=params.model").json()
    assert [r["values"]["params.model"] for r in by_param["rows"]] == ["lr", "rf", "rf", "svm"]
    default = client.request("GET", f"{API}/runs/table?experiment=churn").json()
    assert default["columns"][:2] == ["params.C", "params.model"] and "metrics.test.f1" in default["columns"]
    bare = client.request("GET", f"{API}/runs/table?columns=").json()  # a lone empty columns=: none at all
    assert bare["columns"] == [] and bare["rows"][0]["values"] == {}


def test_fields_give_a_catalogue_ready_for_filters_and_the_columns_that_vary(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    body = client.request("GET", f"{API}/runs/fields?experiment=churn").json()
    fields = {f["field"]: f for f in body["fields"]}
    assert fields["params.model"] == {"field": "params.model", "kind": "param", "label": "model",
                                      "values": ["lr", "rf", "svm"]}
    assert fields["metrics.train.loss.min"]["kind"] == "metric" and fields["status"]["kind"] == "run"
    assert fields["data.train.fingerprint"]["kind"] == "data" and fields["tags.team"]["values"] == ["risk"]
    # train.loss ends at the same value in every run: it does not vary
    assert body["default_columns"] == ["params.C", "params.model", "metrics.test.f1"]
    for field in fields:  # every field works as it is in a filter, an order and a column
        reply = client.request("GET", f"{API}/runs/table?order={q(field)}&columns={q(field)}&limit=1")
        assert reply.status == 200, (field, reply.body)


def test_groups_count_and_average_each_group_with_the_filter_that_selects_it(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    body = client.request("GET", f"{API}/runs/groups?group=params.model&columns=metrics.test.f1"
                                 "&columns=params.model").json()
    groups = {g["value"]: g for g in body["groups"]}
    assert body["group"] == "params.model" and groups["rf"]["count"] == 2 and groups["lr"]["count"] == 1
    assert groups["rf"]["stats"]["metrics.test.f1"]["mean"] == pytest.approx((0.91 + 0.5) / 2)
    assert "params.model" not in groups["rf"]["stats"]  # text: no mean
    listed = client.request("GET", f"{API}/runs?where={q(groups['rf']['where'])}").json()
    assert {r["id"] for r in listed["runs"]} == {ids["rf"], ids["extra"]}


def test_a_run_is_renamed_and_annotated_by_patch_and_its_note_is_searchable(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    reply = client.request("PATCH", f"{API}/runs/{ids['lr']}", {"name": "lr baseline", "note": "the *baseline*"})
    assert reply.status == 200
    assert reply.json()["name"] == "lr baseline" and reply.json()["note"] == "the *baseline*"
    found = client.request("GET", f"{API}/runs?where={q(chr(110) + 'otes like ' + repr('%BASELINE%'))}").json()
    assert [r["id"] for r in found["runs"]] == [ids["lr"]]
    table = client.request("GET", f"{API}/runs/table?where={q('notes like ' + repr('%baseline%'))}").json()
    assert table["rows"][0]["note_excerpt"] == "the *baseline*"


def test_actions_archive_restore_tag_and_delete_answer_per_run(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    act = lambda body: client.request("POST", f"{API}/runs/actions", body)
    reply = act({"action": "archive", "ids": [ids["extra"], "01ZZZZZZZZZZZZZZZZZZZZZZZZ"]})
    assert reply.status == 200 and reply.json()["done"] == [ids["extra"]]
    assert reply.json()["refused"][0]["id"] == "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    listed = client.request("GET", f"{API}/runs").json()
    assert ids["extra"] not in [r["id"] for r in listed["runs"]] and listed["total"] == 3
    only = client.request("GET", f"{API}/runs?archived=only").json()
    assert [r["id"] for r in only["runs"]] == [ids["extra"]] and only["runs"][0]["archived"] is True
    assert client.request("GET", f"{API}/runs/table?archived=include").json()["total"] == 4
    assert act({"action": "restore", "ids": [ids["extra"]]}).json()["done"] == [ids["extra"]]
    tagged = act({"action": "tag", "ids": [ids["extra"]], "tags": {"stage": "review"}}).json()
    assert tagged["done"] == [ids["extra"]]
    assert client.request("GET", f"{API}/runs/{ids['extra']}").json()["tags"] == {"stage": "review"}
    refused = act({"action": "delete", "ids": [ids["rf"]]}).json()
    assert refused["done"] == [] and "is model churn v1" in refused["refused"][0]["reason"]
    deleted = act({"action": "delete", "ids": [ids["extra"]]}).json()
    assert deleted == {"done": [ids["extra"]], "refused": []}
    assert client.request("GET", f"{API}/runs/{ids['extra']}").status == 404


def test_views_are_saved_listed_read_and_deleted(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    view = {"where": "params.model = 'rf'", "columns": ["params.C"], "order": ["-metrics.test.f1"],
            "group": "tags.team", "archived": "hide", "experiment": "churn"}
    saved = client.request("PUT", f"{API}/views/{q('best rf')}", view)
    assert saved.status == 200 and saved.json()["name"] == "best rf" and saved.json()["updated_at"]
    listed = client.request("GET", f"{API}/views").json()["views"]
    assert [v["name"] for v in listed] == ["best rf"] and listed[0]["columns"] == ["params.C"]
    assert client.request("GET", f"{API}/views/{q('best rf')}").json()["group"] == "tags.team"
    assert client.request("DELETE", f"{API}/views/{q('best rf')}").status == 204
    assert client.request("DELETE", f"{API}/views/{q('best rf')}").status == 404
    assert client.request("GET", f"{API}/views").json() == {"views": []}


BAD_READS = [
    "runs/table?limit=501", "runs/table?limit=x", "runs/table?order=-", "runs/table?columns=foo.bar",
    "runs/table?archived=all", "runs/table?where=params.modle%20%3D%20'rf'", "runs/fields?archived=x",
    "runs/fields?where=params.model%20%3D", "runs/groups", "runs/groups?group=metrics.test.f1",
    "runs/groups?group=params.model&" + "&".join(["columns=params.C"] * 21), "runs?archived=nope",
    "runs/table?" + "&".join(["columns=params.C"] * 201), "runs/table?columns=data.train.colour",
]


@pytest.mark.parametrize("path", BAD_READS)
def test_bad_workspace_reads_are_one_line_400s(api: tuple[Client, dict[str, str]], path: str) -> None:
    client, _ = api
    reply = client.request("GET", f"{API}/{path}")
    assert reply.status == 400, (path, reply.body)
    message = reply.json()["message"]
    assert message and "\n" not in message and "Traceback" not in message


def test_a_misspelt_key_is_named_with_the_nearest_one(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    reply = client.request("GET", f"{API}/runs?where={q(chr(112) + 'arams.modle = ' + repr('rf'))}")
    assert reply.status == 400
    assert reply.json()["message"].startswith("unknown key params.modle; did you mean params.model?")


@pytest.mark.parametrize("method, path, body", [
    ("PATCH", "runs/{rf}", {}), ("PATCH", "runs/{rf}", {"name": ""}), ("PATCH", "runs/{rf}", {"name": "a\nb"}),
    ("PATCH", "runs/{rf}", {"note": 3}), ("PATCH", "runs/{rf}", {"note": "x" * 100_001}),
    ("PATCH", "runs/{rf}", {"colour": "red"}), ("PATCH", "runs/{rf}", ["name"]),
    ("POST", "runs/actions", {"action": "explode", "ids": ["{rf}"]}), ("POST", "runs/actions", {"action": "archive"}),
    ("POST", "runs/actions", {"action": "archive", "ids": []}),
    ("POST", "runs/actions", {"action": "archive", "ids": ["x"] * 10_001}),
    ("POST", "runs/actions", {"action": "archive", "ids": [3]}),
    ("POST", "runs/actions", {"action": "tag", "ids": ["{rf}"]}),
    ("POST", "runs/actions", {"action": "tag", "ids": ["{rf}"], "tags": {"a": ["b"]}}),
    ("POST", "runs/actions", {"action": "archive", "ids": ["{rf}"], "then": "delete"}),
    ("PUT", "views/ok", {"where": "params.model ="}), ("PUT", "views/ok", {"columns": "params.C"}),
    ("PUT", "views/ok", {"order": ["-"] * 9}), ("PUT", "views/ok", {"group": "metrics.test.f1"}),
    ("PUT", "views/" + "x" * 101, {}), ("PUT", "views/%2E%2E", {}), ("PUT", "views/ok", {"where": "x" * 10_001}),
])
def test_bad_workspace_writes_are_one_line_400s_and_change_nothing(api: tuple[Client, dict[str, str]], method: str,
                                                                   path: str, body: Any) -> None:
    client, ids = api
    before = client.request("GET", f"{API}/runs/{ids['rf']}").json()
    body = [b.replace("{rf}", ids["rf"]) if isinstance(b, str) else b for b in body] if isinstance(body, list) \
        else {k: ([i.replace("{rf}", ids["rf"]) if isinstance(i, str) else i for i in v] if isinstance(v, list) else v)
              for k, v in body.items()}
    reply = client.request(method, f"{API}/{path.replace('{rf}', ids['rf'])}", body)
    assert reply.status == 400, (method, path, reply.body)
    assert "\n" not in reply.json()["message"]
    after = client.request("GET", f"{API}/runs/{ids['rf']}").json()
    assert (after["name"], after["note"], after["archived"], after["tags"]) == \
        (before["name"], before["note"], before["archived"], before["tags"])
    assert client.request("GET", f"{API}/views").json() == {"views": []}


def test_unknown_runs_and_views_are_404(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    assert client.request("PATCH", f"{API}/runs/01ZZZZZZZZZZZZZZZZZZZZZZZZ", {"name": "x"}).status == 404
    assert client.request("GET", f"{API}/views/nothing").status == 404
    assert client.request("DELETE", f"{API}/views/nothing").status == 404


def test_workspace_writes_from_a_cookie_session_need_xsrf(api: tuple[Client, dict[str, str]]) -> None:
    client, ids = api
    cookies, xsrf = client.cookie_session()
    writes = [("PATCH", f"{API}/runs/{ids['svm']}", {"name": "svm run"}),
              ("POST", f"{API}/runs/actions", {"action": "tag", "ids": [ids["svm"]], "tags": {"x": "y"}}),
              ("PUT", f"{API}/views/v1", {"where": ""}), ("DELETE", f"{API}/views/v1", None)]
    for method, path, body in writes:
        refused = client.request(method, path, body, token=False, headers={"Cookie": cookies})
        assert refused.status == 403, (method, path)
    assert client.request("GET", f"{API}/runs/{ids['svm']}").json()["name"] == "svm-run"
    for method, path, body in writes:
        allowed = client.request(method, path, body, token=False, headers={"Cookie": cookies, "X-XSRFToken": xsrf})
        assert allowed.status in (200, 204), (method, path, allowed.body)
    assert client.request("GET", f"{API}/runs/{ids['svm']}").json()["name"] == "svm run"
