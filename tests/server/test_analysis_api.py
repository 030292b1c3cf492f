"""Issue 20's routes on a real Jupyter server: sweep analysis, chart series, artifact previews, a model's life."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from browser.lab import start_lab
from server.conftest import Client, data_profile, figure_png

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"
SWEEP = "01SWEEPDEMO"


def q(text: str) -> str:
    return quote(text, safe="")


def demo_sweep(store: Any) -> list[str]:
    """The demo's sweep shape (model x max_depth, plus n_estimators), 12 runs: max_depth drives test.f1,
    model barely matters, n_estimators not at all; one run failed before logging its metric."""
    ids = []
    for i, (model, depth, trees) in enumerate(
            [(m, d, t) for m in ("rf", "gb") for d in (2, 4, 8) for t in (50, 100)]):
        run_id = store.create_run("train_classifier", params={"model": model, "max_depth": depth,
                                                              "n_estimators": trees, "C": 1.0})
        store.set_tags(run_id, {"sweep": SWEEP})
        if i == 11:
            store.end_run(run_id, "failed")
            ids.append(run_id)
            continue
        f1 = 0.70 + 0.03 * depth + (0.004 if model == "gb" else 0.0) + 0.001 * (i % 2)
        store.log_metrics(run_id, [("test.f1", 0, f1, 1_700_000_000_000)])
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def long_series(store: Any, count: int, points: int, *, start: int = 1_700_000_000_000) -> list[str]:
    ids = []
    for n in range(count):
        run_id = store.create_run("curves", params={"seed": n})
        values = [1.0 / (step + 1) + (50.0 if step == 4321 else 0.0) for step in range(points)]
        store.log_metric_columns(run_id, {"train.loss": (list(range(points)), values,
                                                         [start + 10 * step for step in range(points)])})
        store.log_metric_columns(run_id, {"epoch": (list(range(0, points, 10)), [s / 10 for s in range(0, points, 10)],
                                                    [start + 10 * s for s in range(0, points, 10)])})
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def parquet_bytes(rows: int, columns: int) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({f"c{i}": list(range(i, i + rows)) for i in range(columns)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def artifacts(store: Any) -> str:
    run_id = store.create_run("files")
    long_cell = "x" * 1000
    csv = "a,b,note\n" + "".join(f"{i},{i * 0.5},{long_cell if i == 3 else 'n' + str(i)}\n" for i in range(200))
    store.add_artifact(run_id, "tables/head.csv", data=csv.encode(), media_type="text/csv")
    store.add_artifact(run_id, "wide.parquet", data=parquet_bytes(120, 70), media_type="application/octet-stream")
    store.add_artifact(run_id, "metrics.json", data=json.dumps({"f1": 0.9}).encode(), media_type="application/json")
    store.add_artifact(run_id, "big.txt", data=("é" * 40_000).encode(), media_type="text/plain")
    store.add_artifact(run_id, "roc.png", data=figure_png("roc", 0.8), media_type="image/png")
    store.add_artifact(run_id, "model.bin", data=b"\x00\x01", media_type="application/x-binary")
    store.add_artifact(run_id, "fake.parquet", data=b"PAR1 this is not parquet at all PAR1", media_type="")
    store.add_artifact(run_id, "lying.parquet", data=b"PAR1" + b"\x00" * 64 + (10**9).to_bytes(4, "little") + b"PAR1",
                       media_type="")
    store.add_artifact(run_id, "ragged.csv", data=b'a,b\n1,2\n"unclosed,3\n', media_type="text/csv")
    store.add_artifact(run_id, "one-line.csv", data=b"a" * (2 * 1024 * 1024), media_type="text/csv")
    store.add_artifact(run_id, "empty.csv", data=b"", media_type="text/csv")
    store.add_artifact(run_id, "logs/preview", data=b"an artifact named preview", media_type="text/plain")
    store.end_run(run_id, "finished")
    return run_id


def models(store: Any) -> dict[str, str]:
    """churn@1 (champion first), churn@2 (champion now), a monitoring run that scored @1 and fired an alert."""
    ids = {}
    for label, f1, fingerprint in (("v1", 0.86, "a"), ("v2", 0.9, "b")):
        run_id = store.create_run("train_classifier", name=f"train-{label}", params={"model": "rf"})
        store.log_metrics(run_id, [("test.f1", 0, f1, 1_700_000_000_000)])
        store.add_record(run_id, "data", "train", data_profile(40.0, fingerprint))
        store.end_run(run_id, "finished")
        ids[label] = run_id
    store.models.register("churn", ids["v1"])
    store.models.promote("churn", 1, "champion")
    monitor = store.create_run("monitor_batch", name="batch-1")
    store.add_record(monitor, "drift", "batch", {
        "share": 0.5, "drifted": ["age"], "compared": 2, "columns": {"age": {"drifted": True}},
        "schema_changed": False, "reference": {"ref": "churn@champion", "run_id": ids["v1"], "profile": "train"}})
    store.end_run(monitor, "finished")
    store.add_record(monitor, "alert", "retrain-on-drift@1.000", {
        "rule": "retrain-on-drift", "when": "drift.share > 0.3", "fired": True, "fired_at": 1.0,
        "observed": {"drift.share": 0.5}, "missing": [],
        "actions": [{"kind": "notebook", "ok": True, "run_id": ids["v2"], "status": "finished",
                     "summary": f"notebook train_classifier.ipynb ran as {ids['v2']} (finished)"}]}, after_end=True)
    hostile = store.create_run("monitor_batch", name="odd drift record")
    store.add_record(hostile, "drift", "batch", {"reference": {"run_id": ["not", "an", "id"]}, "share": "high"})
    store.add_record(hostile, "drift", "other", {"reference": "churn@champion"})
    store.end_run(hostile, "finished")
    store.models.register("churn", ids["v2"])
    store.models.promote("churn", 2, "champion")
    ids["monitor"] = monitor
    return ids


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, dict[str, Any], Path]]:
    from nbtrack.store import open_store

    base = tmp_path_factory.mktemp("analysis")
    root, store_path = base / "root", base / "store"
    root.mkdir()
    store = open_store(store_path)
    ids: dict[str, Any] = {"sweep": demo_sweep(store), "curves": long_series(store, 3, 10_000),
                           "files": artifacts(store), **models(store)}
    server = start_lab(root, store_path, home=base / "home", app="server")
    try:
        yield Client(server), ids, store_path
    finally:
        server.stop()


# -- sweep analysis ---------------------------------------------------------------


def test_importance_on_the_demo_sweep_names_the_param_that_drives_the_metric_first(api: Any) -> None:
    client, _, _ = api
    reply = client.request("GET", f"{API}/analysis?sweep={SWEEP}&metric=metrics.test.f1")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["runs"] == 12 and body["used"] == 11 and body["missing_metric"] == 1
    first = body["importance"][0]
    assert first["field"] == "params.max_depth" and first["importance"] > 0.8
    assert first["correlation_kind"] == "spearman" and first["correlation"] > 0.9
    by_field = {e["field"]: e for e in body["importance"]}
    assert set(by_field) == {"params.max_depth", "params.model", "params.n_estimators"}  # C does not vary
    assert by_field["params.model"]["correlation_kind"] == "eta" and 0 <= by_field["params.model"]["correlation"] <= 1
    assert "random forest" in body["importance_method"]
    again = client.request("GET", f"{API}/analysis?sweep={SWEEP}&metric=metrics.test.f1").json()
    assert again["importance"] == body["importance"]  # fixed random_state: the same runs, the same answer


def test_analysis_takes_a_bare_metric_key_and_says_in_one_line_how_far_to_trust_it(api: Any) -> None:
    client, _, _ = api
    reply = client.request("GET", f"{API}/analysis?sweep={SWEEP}&metric=test.f1")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["metric"] == "metrics.test.f1" and body["used"] == 11
    assert body["reliable"] is False and body["importance"][0]["field"] == "params.max_depth"
    assert body["summary"].startswith("max_depth matters most for test.f1 (ρ 0.9")
    assert body["summary"].endswith("11 runs: too few for a reliable importance (at least 20 needed), read the correlations")
    assert client.request("GET", f"{API}/analysis?sweep={SWEEP}&metric=duration").status == 400


def test_parallel_coordinates_give_one_axis_per_varying_param_and_a_coloured_row_per_run(api: Any) -> None:
    from nbtrack.store import open_store

    client, ids, store_path = api
    store_colours = {run.id: run.colour for run in open_store(store_path, read_only=True).runs(limit=None)}
    body = client.request("GET", f"{API}/analysis?sweep={SWEEP}&metric=metrics.test.f1").json()
    axes = {a["field"]: a for a in body["axes"]}
    assert [a["field"] for a in body["axes"]][-1] == "metrics.test.f1"
    assert axes["params.max_depth"]["kind"] == "numeric"
    assert (axes["params.max_depth"]["min"], axes["params.max_depth"]["max"]) == (2, 8)
    assert axes["params.model"] == {"field": "params.model", "label": "model", "kind": "categorical",
                                    "categories": ["gb", "rf"], "missing": 0}
    assert axes["metrics.test.f1"]["role"] == "metric"
    rows = body["rows"]
    assert len(rows) == 11 and ids["sweep"][11] not in {r["id"] for r in rows}
    assert all(r["colour"].startswith("#") and r["name"] for r in rows)
    # each run's own colour (the palette entry of its row number): ten runs in a row never share one
    assert all(r["colour"] == store_colours[r["id"]] for r in rows)
    assert len({r["colour"] for r in rows}) == 10
    assert {r["values"]["params.model"] for r in rows} == {"gb", "rf"}
    scatter = {s["field"]: s for s in body["scatter"]}
    assert len(scatter["params.max_depth"]["x"]) == len(scatter["params.max_depth"]["y"]) == 11


def test_analysis_takes_ids_or_a_filter_and_refuses_what_it_cannot_answer_with_one_line(api: Any) -> None:
    client, ids, _ = api
    picked = ",".join(ids["sweep"][:4])
    by_ids = client.request("GET", f"{API}/analysis?ids={picked}&metric=metrics.test.f1").json()
    assert by_ids["runs"] == 4 and by_ids["importance_method"].startswith("random forest")
    rf_only = q("params.model = 'rf'")
    by_where = client.request("GET", f"{API}/analysis?where={rf_only}&metric=metrics.test.f1"
                                      "&experiment=train_classifier").json()
    assert {r["values"].get("params.model", "rf") for r in by_where["rows"]} == {"rf"}
    few = client.request("GET", f"{API}/analysis?ids={ids['sweep'][0]}&metric=metrics.test.f1").json()
    assert few["importance_method"].startswith("none") and few["importance"] == []
    for query, words in [("metric=", "name the metric"), ("metric=params.model", "not a metric field"),
                         (f"sweep={SWEEP}&metric=metrics.nope", ""),
                         ("sweep=01NOSUCHSWEEP&metric=metrics.test.f1&experiment=files", ""),
                         ("ids=" + ",".join(["01ABCDEFGH"] * 1001) + "&metric=metrics.test.f1", "more than 1000"),
                         ("where=params.modle%20%3D%20'rf'&metric=metrics.test.f1", "did you mean params.model")]:
        reply = client.request("GET", f"{API}/analysis?{query}")
        if query.startswith(f"sweep={SWEEP}&metric=metrics.nope"):  # no run has it: every run is missing it
            assert reply.status == 200 and reply.json()["used"] == 0 and reply.json()["missing_metric"] == 12
            continue
        if query.startswith("sweep=01NOSUCH"):  # a sweep id no run has: nothing to analyse, said as such
            assert reply.status == 200 and reply.json()["runs"] == 0
            continue
        assert reply.status == 400, (query, reply.body)
        message = reply.json()["message"]
        assert words in message and "\n" not in message


@pytest.mark.timing
def test_analysis_of_a_thousand_runs_takes_well_under_a_second_on_the_server(tmp_path: Path) -> None:
    import random

    from nbtrack.store import open_store

    root, store_path = tmp_path / "root", tmp_path / "store"
    root.mkdir()
    store = open_store(store_path)
    rng = random.Random(1)
    for _ in range(1000):
        lr = 10 ** rng.uniform(-4, -1)
        run_id = store.create_run("big", params={"lr": lr, "model": rng.choice(["rf", "gb", "lr"]),
                                                 "seed": rng.randint(0, 9), "batch": rng.choice([32, 64, 128])})
        store.log_metrics(run_id, [("test.f1", 0, 0.9 - abs(math.log10(lr) + 2.5) * 0.1 + rng.gauss(0, 0.005), 0)])
        store.end_run(run_id, "finished")
    server = start_lab(root, store_path, home=tmp_path / "home", app="server")
    try:
        client = Client(server)
        client.request("GET", f"{API}/analysis?experiment=big&metric=metrics.test.f1")  # imports scikit-learn once
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            reply = client.request("GET", f"{API}/analysis?experiment=big&metric=metrics.test.f1")
            timings.append(time.perf_counter() - began)
        body = reply.json()
        assert body["used"] == 1000 and body["importance"][0]["field"] == "params.lr"
        print(f"analysis of 1,000 runs through the server: best {min(timings):.3f} s, worst {max(timings):.3f} s")
        assert min(timings) < 0.8
    finally:
        server.stop()


# -- series for the charts panel ----------------------------------------------------


def test_series_buckets_keep_each_buckets_min_and_max_so_a_spike_is_never_hidden(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["curves"][0]
    body = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=100").json()
    (run,) = body["runs"]
    assert run["id"] == run_id and run["status"] == "finished" and run["last_step"] == 9999 and run["count"] == 10_000
    assert len(run["x"]) == len(run["last"]) == len(run["min"]) == len(run["max"]) == 100
    assert run["x"][-1] == 9999 and run["last"][-1] == pytest.approx(1 / 10_000)
    assert max(run["max"]) == pytest.approx(50 + 1 / 4322)  # the spike at step 4321 is in its bucket's band
    assert 50 not in [round(v) for v in run["last"]]  # while the bucket's last value is not the spike
    assert all(lo <= last <= hi for lo, last, hi in zip(run["min"], run["last"], run["max"], strict=True))
    whole = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=20000").json()["runs"][0]
    assert len(whole["x"]) == 10_000 and whole["min"] == whole["last"] == whole["max"]


def test_series_x_can_be_wall_relative_time_or_another_metric_and_after_returns_only_new_points(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["curves"][1]
    wall = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=10&x=wall").json()["runs"][0]
    assert wall["x"][-1] == pytest.approx(1_700_000_000 + 99.99)
    relative = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=10&x=relative").json()
    assert relative["runs"][0]["x"][-1] < wall["x"][-1]
    by_epoch = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=20000&x=metrics.epoch").json()
    epoch = by_epoch["runs"][0]
    assert epoch["count"] == 1000 and epoch["x"][:3] == [0.0, 1.0, 2.0] and epoch["step"][:3] == [0, 10, 20]
    newer = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&points=1000&after=9990").json()
    assert newer["runs"][0]["step"] == list(range(9991, 10_000)) and newer["after"] == 9990
    none = client.request("GET", f"{API}/series?ids={run_id}&key=train.loss&after=9999").json()["runs"][0]
    assert none["count"] == 0 and none["x"] == [] and none["last_step"] == 9999


def test_series_refuses_bad_arguments_with_one_line_and_unknown_runs_with_404(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["curves"][0]
    for query, words in [(f"ids={run_id}&key=train.loss&points=1", "points must be between 2 and 20000"),
                         (f"ids={run_id}&key=train.loss&points=x", "points must be a whole number"),
                         (f"ids={run_id}&key=train.loss&x=epoch", "x must be step, wall, relative"),
                         (f"ids={run_id}&key=train.loss&after=soon", "after must be a whole number"),
                         (f"ids={run_id}&key=", "name the metric key"),
                         ("key=train.loss", "name the runs"),
                         ("ids=" + ",".join([run_id] * 501) + "&key=train.loss", "more than 500"),
                         ("ids=" + ",".join([run_id] * 200) + "&key=train.loss&points=20000", "at most 5000 points a run"),
                         ("ids=" + ",".join(["01ABCDEFGHJKMNPQRSTVWXYZ'1"] * 25) + "&key=train.loss", "")]:
        reply = client.request("GET", f"{API}/series?{query}")
        assert reply.status == (404 if not words else 400) and words in reply.json()["message"], (query, reply.body)
    assert client.request("GET", f"{API}/series?ids=01ZZZZZZZZZZZZZZZZZZZZZZZZ&key=train.loss").status == 404
    absent = client.request("GET", f"{API}/series?ids={run_id}&key=no.such").json()["runs"][0]
    assert absent["count"] == 0 and absent["last_step"] is None


def test_grouped_runs_give_each_groups_mean_and_std_per_bin_on_one_shared_x(api: Any) -> None:
    from nbtrack.store import open_store

    client, _, store_path = api
    store = open_store(store_path)
    ids = []
    for config, seed, offset in [("small", 0, 0.0), ("small", 1, 0.2), ("large", 0, 1.0), ("large", 1, 1.0)]:
        run_id = store.create_run("seeds", params={"config": config, "seed": seed})
        store.log_metrics(run_id, [("acc", step, offset + step, 1_700_000_000_000 + step) for step in range(100)])
        store.end_run(run_id, "finished")
        ids.append(run_id)
    reply = client.request("GET", f"{API}/series/groups?ids={','.join(ids)}&key=acc&group=params.config&points=10")
    assert reply.status == 200, reply.body
    body = reply.json()
    assert len(body["bins"]) == 10 and body["bins"][-1] == 99
    large, small = body["groups"]
    assert (large["value"], small["value"]) == ("large", "small") and small["runs"] == ids[:2]
    assert small["count"] == [2] * 10 and large["std"] == [0.0] * 10
    assert small["std"][0] == pytest.approx(0.1) and small["mean"][0] == pytest.approx(small["min"][0] + 0.1)
    assert large["mean"][0] - small["mean"][0] == pytest.approx(0.9)
    for query, words in [("group=metrics.acc", "group runs by a param or a tag"), ("group=", "group runs by"),
                         ("group=params.config&points=1", "points must be between")]:
        refused = client.request("GET", f"{API}/series/groups?ids={ids[0]}&key=acc&{query}")
        assert refused.status == 400 and words in refused.json()["message"], (query, refused.body)


@pytest.mark.timing
def test_a_hundred_runs_of_ten_thousand_points_at_a_budget_of_a_thousand_are_served_in_time(tmp_path: Path) -> None:
    from nbtrack.store import open_store

    root, store_path = tmp_path / "root", tmp_path / "store"
    root.mkdir()
    store = open_store(store_path)
    ids = long_series(store, 100, 10_000)
    server = start_lab(root, store_path, home=tmp_path / "home", app="server")
    try:
        client = Client(server)
        path = f"{API}/series?ids={','.join(ids)}&key=train.loss&points=1000"
        client.request("GET", path)
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            reply = client.request("GET", path)
            timings.append(time.perf_counter() - began)
        body = reply.json()
        assert [len(r["x"]) for r in body["runs"]] == [1000] * 100
        print(f"series of 100 runs x 10,000 points at 1,000 a run: best {min(timings):.3f} s, "
              f"worst {max(timings):.3f} s, {len(reply.body) / 1e6:.1f} MB")
        assert min(timings) < 2.0
    finally:
        server.stop()


# -- artifact previews --------------------------------------------------------------


def test_previews_show_a_csv_head_and_a_parquet_head_bounded_in_rows_columns_and_cell_length(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["files"]
    csv = client.request("GET", f"{API}/runs/{run_id}/artifacts/tables/head.csv/preview").json()
    assert csv["kind"] == "csv" and csv["columns"] == ["a", "b", "note"] and len(csv["rows"]) == 50
    assert csv["rows"][1] == ["1", "0.5", "n1"] and csv["truncated"] is True and csv["more_rows"] is True
    assert len(csv["rows"][3][2]) == 200 and csv["rows"][3][2].endswith("\u2026")
    parquet = client.request("GET", f"{API}/runs/{run_id}/artifacts/wide.parquet/preview").json()
    assert parquet["kind"] == "parquet" and len(parquet["columns"]) == 50 and parquet["total_columns"] == 70
    assert len(parquet["rows"]) == 50 and parquet["total_rows"] == 120 and parquet["truncated"] is True
    assert parquet["more_rows"] is True
    assert parquet["rows"][0][:3] == ["0", "1", "2"]


def test_previews_show_json_and_text_starts_and_leave_images_to_the_artifact_route(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["files"]
    js = client.request("GET", f"{API}/runs/{run_id}/artifacts/metrics.json/preview").json()
    assert js["kind"] == "json" and json.loads(js["text"]) == {"f1": 0.9} and js["truncated"] is False
    text = client.request("GET", f"{API}/runs/{run_id}/artifacts/big.txt/preview").json()
    assert text["truncated"] is True and set(text["text"]) == {"é"} and len(text["text"].encode()) <= 64 * 1024
    image = client.request("GET", f"{API}/runs/{run_id}/artifacts/roc.png/preview").json()
    assert image["kind"] == "image" and image["media_type"] == "image/png" and "rows" not in image


def test_hostile_or_unpreviewable_artifacts_give_one_clear_400_never_a_500(api: Any) -> None:
    client, ids, _ = api
    run_id = ids["files"]
    for name, words in [("model.bin", "previews cover CSV, Parquet, JSON, text and images"),
                        ("fake.parquet", "not a Parquet file"), ("lying.parquet", "not a Parquet file"),
                        ("ragged.csv", "not readable as CSV"), ("one-line.csv", "no line end")]:
        reply = client.request("GET", f"{API}/runs/{run_id}/artifacts/{name}/preview")
        assert reply.status == 400, (name, reply.body)
        message = reply.json()["message"]
        assert words in message and "\n" not in message and len(message) < 400, message
    empty = client.request("GET", f"{API}/runs/{run_id}/artifacts/empty.csv/preview").json()
    assert empty["rows"] == [] and empty["columns"] == []
    assert client.request("GET", f"{API}/runs/{run_id}/artifacts/absent.csv/preview").status == 404
    assert client.request("GET", f"{API}/runs/{run_id}/artifacts/../x/preview").status == 404
    raw = client.request("GET", f"{API}/runs/{run_id}/artifacts/tables/head.csv")
    assert raw.status == 200 and raw.body.startswith(b"a,b,note")  # the bytes route is unchanged
    named = client.request("GET", f"{API}/runs/{run_id}/artifacts/logs/preview")  # an artifact named .../preview
    assert named.status == 200 and named.body == b"an artifact named preview"
    assert client.request("GET", f"{API}/runs/{run_id}/artifacts/logs/preview/preview").json()["text"] == \
        "an artifact named preview"


# -- the model's life ----------------------------------------------------------------


def test_a_models_life_shows_versions_runs_data_alias_history_monitoring_and_what_alerts_launched(api: Any) -> None:
    client, ids, _ = api
    life = client.request("GET", f"{API}/models/churn/life").json()
    assert life["aliases"]["champion"]["version"] == 2
    assert [(m["alias"], m["previous"], m["version"]) for m in life["history"]] == [("champion", None, 1),
                                                                                    ("champion", 1, 2)]
    v2, v1 = life["versions"]
    assert (v1["version"], v2["version"]) == (1, 2) and v2["aliases"] == ["champion"] and v1["aliases"] == []
    assert v1["run"]["id"] == ids["v1"] and v1["run"]["name"] == "train-v1"
    assert v1["run"]["metrics"]["test.f1"]["last"] == 0.86
    assert v1["data"][0]["name"] == "train" and v1["data"][0]["fingerprint"] == "a" * 64
    (monitor,) = v1["monitoring"]
    assert monitor["run_id"] == ids["monitor"] and monitor["drift"][0]["share"] == 0.5
    assert monitor["drift"][0]["drifted_columns"] == ["age"]
    (alert,) = monitor["alerts"]
    assert alert["rule"] == "retrain-on-drift" and alert["actions"][0]["run_id"] == ids["v2"]
    assert v2["monitoring"] == [] and v1["alerts"] == v2["alerts"] == []
    lineage = client.request("GET", f"{API}/models/churn/versions/1/lineage").json()
    assert lineage["ref"] == "churn@1" and lineage["run"]["id"] == ids["v1"]
    assert [m["version"] for m in lineage["alias_moves"]] == [1, 2]  # made champion, then replaced
    assert lineage["monitoring"][0]["run_id"] == ids["monitor"]
    assert client.request("GET", f"{API}/models/nope/life").status == 404
    assert client.request("GET", f"{API}/models/churn/versions/9/lineage").status == 404
    huge = client.request("GET", f"{API}/models/churn/versions/{10**30}/lineage")
    assert huge.status == 404 and "message" in huge.json()


def test_nbtrack_check_records_its_verdict_and_rules_on_the_run_and_the_life_shows_them(api: Any) -> None:
    client, ids, store_path = api
    done = subprocess.run([sys.executable, "-m", "nbtrack", "check", ids["v2"], "--require", "metrics.test.f1 >= 0.95",
                           "--require", "data.train.rows >= 10", "--store", str(store_path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    life = client.request("GET", f"{API}/models/churn/life").json()
    gate = life["versions"][0]["gates"][0]
    assert gate["passed"] is False and gate["checked_iso"]
    assert [(r["rule"], r["status"]) for r in gate["results"]] == [("metrics.test.f1 >= 0.95", "fail"),
                                                                   ("data.train.rows >= 10", "pass")]
    assert "0.9" in gate["results"][0]["detail"]
    assert life["candidates"] == []  # checked without a baseline: no candidate of this model
    candidate = ids["sweep"][0]  # a run that is no version, gated against the champion
    done = subprocess.run([sys.executable, "-m", "nbtrack", "check", candidate, "--baseline", "churn@champion",
                           "--max-drop", "test.f1=0.01", "--store", str(store_path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # 0.76 against the champion's 0.9
    (entry,) = client.request("GET", f"{API}/models/churn/life").json()["candidates"]
    assert entry["run_id"] == candidate and entry["passed"] is False and entry["baseline"] == "churn@champion"
    assert entry["name"] and entry["results"][0]["status"] == "fail"


def test_an_alias_moves_by_post_with_a_compare_and_set_and_bad_moves_are_refused(api: Any) -> None:
    client, _, _ = api
    moved = client.request("POST", f"{API}/models/churn/aliases", {"alias": "staging", "version": 1})
    assert moved.status == 200 and moved.json() == {**moved.json(), "alias": "staging", "previous": None, "version": 1}
    assert isinstance(moved.json()["moved_by"], str) and moved.json()["moved_by"]  # the Jupyter user who moved it
    conflict = client.request("POST", f"{API}/models/churn/aliases", {"alias": "staging", "version": 2, "expect": 2})
    assert conflict.status == 400 and "someone moved it" in conflict.json()["message"]
    assert client.request("POST", f"{API}/models/churn/aliases",
                          {"alias": "staging", "version": 2, "expect": 1}).status == 200
    for body, status, words in [({"alias": "staging", "version": 9}, 404, "no version 9"),
                                ({"alias": "latest", "version": 1}, 400, "alias 'latest' is not allowed"),
                                ({"alias": "staging", "version": "2"}, 400, '"version" is a version number'),
                                ({"alias": "staging", "version": 10**30}, 400, "from 1 to 2147483647"),
                                ({"alias": "staging", "version": 1, "expect": 10**30}, 400, '"expect" is the version'),
                                ({"alias": "staging", "version": 1, "by": "me"}, 400, "has no 'by'")]:
        reply = client.request("POST", f"{API}/models/churn/aliases", body)
        assert reply.status == status and words in reply.json()["message"], (body, reply.body)
    assert client.request("POST", f"{API}/models/nope/aliases", {"alias": "a", "version": 1}).status == 404
    history = client.request("GET", f"{API}/models/churn/life").json()["history"]
    assert [(m["alias"], m["version"]) for m in history][-2:] == [("staging", 1), ("staging", 2)]


def test_moving_an_alias_from_a_cookie_session_needs_the_xsrf_token(api: Any) -> None:
    client, _, _ = api
    cookies, xsrf = client.cookie_session()
    refused = client.request("POST", f"{API}/models/churn/aliases", {"alias": "review", "version": 1}, token=False,
                             headers={"Cookie": cookies})
    assert refused.status == 403
    allowed = client.request("POST", f"{API}/models/churn/aliases", {"alias": "review", "version": 1}, token=False,
                             headers={"Cookie": cookies, "X-XSRFToken": xsrf})
    assert allowed.status == 200
    assert client.request("GET", f"{API}/models/churn/life", token=False).status == 403


def test_a_live_chart_asks_only_for_points_logged_since_its_last_fetch(api: Any) -> None:
    from nbtrack.store import open_store

    client, _, store_path = api
    store = open_store(store_path)
    run_id = store.create_run("live")
    store.log_metrics(run_id, [("loss", step, 1.0 / (step + 1), 1_700_000_000_000 + step) for step in range(50)])
    first = client.request("GET", f"{API}/series?ids={run_id}&key=loss&points=1000").json()["runs"][0]
    assert first["status"] == "running" and first["last_step"] == 49 and first["count"] == 50
    store.log_metrics(run_id, [("loss", step, 1.0 / (step + 1), 1_700_000_000_000 + step) for step in range(50, 60)])
    newer = client.request("GET", f"{API}/series?ids={run_id}&key=loss&points=1000&after={first['last_step']}")
    run = newer.json()["runs"][0]
    assert run["step"] == list(range(50, 60)) and run["last_step"] == 59 and run["status"] == "running"
    store.end_run(run_id, "finished")
    done = client.request("GET", f"{API}/series?ids={run_id}&key=loss&after=59").json()["runs"][0]
    assert done["status"] == "finished" and done["count"] == 0
