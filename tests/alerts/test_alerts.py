"""Alert rules through the CLI and the engine: a command, a webhook (allowlisted or refused), a notebook."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@pytest.fixture
def webhook_server():
    """A local HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            received.append({"path": self.path, "type": self.headers.get("Content-Type"),
                             "body": json.loads(self.rfile.read(length))})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def write_rules(folder: Path, text: str) -> Path:
    path = folder / "nbtrack.toml"
    path.write_text(text)
    return path


def scored_run(store, f1: float, share: float) -> str:
    run_id = store.create_run("monitor_batch")
    store.log_metrics(run_id, [("scoring.f1", 0, f1, 0)])
    store.add_record(run_id, "drift", "scoring", {"share": share, "drifted": ["age"]})
    store.end_run(run_id, "finished")
    return run_id


def test_alerts_fire_a_command_and_an_allowlisted_webhook_and_refuse_other_hosts(store, cli, tmp_path,
                                                                                  webhook_server):
    url, received = webhook_server
    recorder = "import sys; open('fired.json', 'w').write(sys.stdin.read())"
    write_rules(tmp_path, f"""
[webhooks]
allow = ["127.0.0.1", "hooks.example.com"]

[[alerts]]
name = "degraded"
when = "drift.share > 0.3 or metrics.scoring.f1 < 0.85"
command = [{json.dumps(sys.executable)}, "-c", {json.dumps(recorder)}]
webhook = "{url}/hook"

[[alerts]]
name = "not-allowlisted"
when = "metrics.scoring.f1 < 0.85"
webhook = "https://elsewhere.example.com/hook"

[[alerts]]
name = "plain-http"
when = "metrics.scoring.f1 < 0.85"
webhook = "http://hooks.example.com/hook"

[[alerts]]
name = "quiet"
when = "metrics.scoring.f1 < 0.5"
command = [{json.dumps(sys.executable)}, "-c", "raise SystemExit(3)"]

[[alerts]]
name = "other-experiment"
experiment = "train_classifier"
when = "metrics.scoring.f1 < 0.85"
command = [{json.dumps(sys.executable)}, "-c", "raise SystemExit(3)"]
""")
    run_id = scored_run(store, f1=0.8, share=0.5)

    dry = cli("alerts", run_id, "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    assert [(e["rule"], e["fired"]) for e in json.loads(dry.stdout)] == [
        ("degraded", True), ("not-allowlisted", True), ("plain-http", True), ("quiet", False)]
    assert not (tmp_path / "fired.json").exists() and received == []
    assert store.run(run_id).records("alert") == []

    done = cli("alerts", run_id, "--format", "json")
    assert done.returncode == 1, done.stderr  # refused webhooks are failed actions
    results = {e["rule"]: e for e in json.loads(done.stdout)}
    degraded = results["degraded"]
    assert degraded["observed"] == {"drift.share": 0.5, "metrics.scoring.f1": 0.8}
    assert [(a["kind"], a["ok"]) for a in degraded["actions"]] == [("command", True), ("webhook", True)]
    fired = json.loads((tmp_path / "fired.json").read_text())
    assert fired["run_id"] == run_id and fired["rule"] == "degraded"
    assert len(received) == 1 and received[0]["path"] == "/hook"
    assert received[0]["type"] == "application/json" and received[0]["body"]["run_id"] == run_id
    assert "not allowed" in results["not-allowlisted"]["actions"][0]["summary"]
    assert "must use https" in results["plain-http"]["actions"][0]["summary"]
    assert results["quiet"]["actions"] == []

    recorded = store.run(run_id).records("alert")
    assert sorted(r.body["rule"] for r in recorded) == ["degraded", "not-allowlisted", "plain-http"]
    table = cli("alerts", run_id, "--dry-run")
    assert "FIRED" in table.stdout and "quiet" in table.stdout


def test_bad_alert_rules_print_one_line_and_exit_2(store, cli, tmp_path):
    run_id = scored_run(store, f1=0.8, share=0.5)
    cases = [
        ('[[alerts]]\nname = "x"\nwhen = "drift.share >> 1"\ncommand = ["true"]\n', "invalid condition"),
        ('[[alerts]]\nname = "x"\nwhen = "drift.share > 1"\ncommand = "rm -rf /"\n', "never runs in a shell"),
        ('[[alerts]]\nname = "x"\nwhen = "drift.share > 1"\n', "give at least one action"),
        ('[[alerts]\n', "fix the TOML"),
    ]
    for text, words in cases:
        write_rules(tmp_path, text)
        done = cli("alerts", run_id)
        assert done.returncode == 2, done.stdout
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.slow
def test_a_run_that_ends_fires_its_alert_and_the_retraining_notebook_runs(store, cli, tmp_path, notebook):
    monitor = notebook(["import nbtrack\nnbtrack.start_run().log_metrics({'scoring.f1': 0.7})"], name="monitor.ipynb")
    notebook(["import nbtrack\nnbtrack.start_run().log_metrics({'test.f1': 0.95})"],
             parameters="reason = 'none'", name="retrain.ipynb")
    (tmp_path / "pyproject.toml").write_text("""
[project]
name = "someone-elses-project"

[[tool.nbtrack.alerts]]
name = "retrain"
experiment = "monitor"
when = "metrics.scoring.f1 < 0.85"
notebook = "notebooks/retrain.ipynb"
params = { reason = "drift" }
""")
    done = cli("run", monitor)
    assert done.returncode == 0, done.stderr
    assert "alert retrain fired" in done.stderr
    [retrained] = store.runs(experiment="retrain")
    assert retrained.status == "finished" and retrained.params == {"reason": "drift"}
    [monitored] = store.runs(experiment="monitor")
    assert retrained.tags == {"alert.rule": "retrain", "alert.run": monitored.id}
    [firing] = monitored.records("alert")
    assert firing.body["actions"][0]["run_id"] == retrained.id and firing.body["actions"][0]["ok"]
