"""nbtrack report: one self-contained HTML file, opened in headless Chromium: no request fails, text stays text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
XSS = '<img src=x onerror="window.__xss=1">'
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def filled_store(store) -> dict[str, str]:
    ids = {}
    for index, (model, f1, loss) in enumerate([("rf", 0.91, 0.30), ("gb", 0.95, 0.21), ("logreg", 0.93, 0.25)]):
        run_id = store.create_run("churn", name=XSS if index == 0 else f"{model} run",
                                  params={"model": model, "note": XSS})
        store.log_metrics(run_id, [("test.f1", 0, f1, 0), ("test.loss", 0, loss, 0), (XSS, 0, 1.0, 0)])
        store.set_tags(run_id, {"owner": XSS})
        store.end_run(run_id, "finished")
        ids[model] = run_id
    store.models.register("churn", ids["rf"])
    store.models.register("churn", ids["gb"])
    store.models.promote("churn", 1)
    store.models.promote("churn", 2)
    store.add_record(ids["gb"], "gate", "2026-11-25T10:00:00", {
        "passed": False, "checked_at": 1.8e9, "baseline": "churn@champion",
        "results": [{"rule": f"metrics.test.f1 >= 0.99 and params.note == '{XSS}'", "status": "fail",
                     "detail": XSS}]}, after_end=True)
    monitor = store.create_run("monitor_batch")
    store.add_record(monitor, "drift", "scoring", {"share": 0.6, "drifted": [XSS, "age"], "schema_changed": False,
                                                   "reference": {"ref": "churn@champion"}})
    store.end_run(monitor, "finished")
    store.add_record(monitor, "alert", "retrain@1", {
        "rule": XSS, "when": "drift.share > 0.3", "fired_at": 1.8e9,
        "actions": [{"kind": "notebook", "ok": True, "summary": f"notebook ran as {XSS}"}]}, after_end=True)
    return ids


@pytest.mark.browser
def test_report_is_self_contained_and_renders_hostile_text_as_text(store, cli, tmp_path):
    filled_store(store)
    out = tmp_path / "site" / "report.html"
    done = cli("report", "--out", out)
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert XSS not in html and "&lt;img src=x onerror=" in html
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert html.count("data:image/png;base64,") == 3  # test.f1, test.loss and the hostile key's trend

    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.on("requestfailed", lambda request: failures.append(request.url))
            page.goto(out.as_uri())
            page.wait_for_load_state("load")
            assert page.evaluate("window.__xss") is None
            assert page.locator("img[src=x]").count() == 0
            body = page.inner_text("body")
            assert XSS in body  # shown to the reader as the text it is
            assert "champion = v2" in body
            assert page.locator("#gates .status.fail").count() >= 2
            images = page.eval_on_selector_all("#trends img", "els => els.map(e => e.naturalWidth)")
            assert images and all(width > 0 for width in images)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert failures == []
    assert all(url.startswith(("file://", "data:")) for url in requests), requests


def test_report_for_one_experiment_and_bad_input(store, cli, tmp_path):
    filled_store(store)
    done = cli("report", "--experiment", "monitor_batch", "--out", tmp_path / "monitor.html")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "monitor.html").read_text()
    assert re.search(r"<p>1 run\s", html) and "rf run" not in html
    missing = cli("report", "--store", tmp_path / "nowhere", "--out", tmp_path / "x.html")
    assert missing.returncode == 2 and "no nbtrack store" in missing.stderr
    misspelt = cli("report", "--experiment", "monitor_btch", "--out", tmp_path / "typo.html")
    assert misspelt.returncode == 2 and "no experiment 'monitor_btch' in this store; its experiments:" in misspelt.stderr
    assert "monitor_batch" in misspelt.stderr and not (tmp_path / "typo.html").exists()


def test_best_runs_are_ranked_within_each_experiment_never_across(store, cli, tmp_path):
    """A higher test.f1 in another experiment (other data) does not take churn's best; each has its own row."""
    ids = filled_store(store)
    other = store.create_run("digits", name="digits run")
    store.log_metrics(other, [("test.f1", 0, 0.99, 0), ("test.loss", 0, 0.05, 0)])
    store.end_run(other, "finished")
    done = cli("report", "--out", tmp_path / "all.html")
    assert done.returncode == 0, done.stderr
    best = (tmp_path / "all.html").read_text().split('<section id="best">')[1].split("</section>")[0]
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in best.split("<tr>")[2:]]
    by = {(row[0], row[1]): row for row in rows}
    assert by[("churn", "test.f1")][3] == "0.95" and by[("churn", "test.f1")][-1] == "3"
    assert by[("churn", "test.loss")][3] == "0.21" and ids["gb"].endswith(tuple(by[("churn", "test.loss")][4:5]))
    assert by[("digits", "test.f1")][3] == "0.99" and by[("digits", "test.f1")][-1] == "1"
