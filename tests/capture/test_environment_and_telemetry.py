"""Environment records (with secrets kept out) and interactive cell telemetry."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nbtrack.capture.environment import REDACTED, capture_environment, redact, scrub_text
from nbtrack.capture.telemetry import CellMonitor, summarize_cells
from nbtrack.records import CellTiming

CANARY = "canary-8f2e61d0"


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_environment_names_python_platform_packages_and_git_state(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "train.py").write_text("C = 1\n")
    git(repo, "add", "train.py")
    git(repo, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "first")
    body = capture_environment(repo / "train.py")
    assert body["python"]["version"].count(".") == 2 and body["cpu_count"] >= 1 and body["memory_bytes"] > 0
    assert body["packages"]["scikit-learn"] and body["packages"]["pandas"] and body["hostname"]
    assert body["git"]["branch"] == "main" and len(body["git"]["commit"]) == 40
    assert body["git"]["dirty"] is False and body["git"]["diff"] == ""
    (repo / "train.py").write_text("C = 2\n")
    dirty = capture_environment(repo)["git"]
    assert dirty["dirty"] is True and "+C = 2" in dirty["diff"] and not dirty["diff_truncated"]
    assert capture_environment(tmp_path / "elsewhere")["git"] is None


def test_secrets_never_reach_the_environment_record(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY)
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    monkeypatch.setenv("DB_PASSWORD", CANARY)
    monkeypatch.setenv("NBTRACK_STORE", f"postgresql://nbtrack:{CANARY}@db.example/runs")
    monkeypatch.setenv("MY_API_KEY", CANARY)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "settings.py").write_text("API_KEY = 'old'\n")
    git(repo, "add", "settings.py")
    git(repo, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "first")
    git(repo, "remote", "add", "origin", f"https://bot:{CANARY}@git.example/team/repo.git")
    (repo / "settings.py").write_text(f"API_KEY = '{CANARY}'\npassword: {CANARY}\n")
    body = capture_environment(repo, allowlist=("NBTRACK_STORE", "MY_API_KEY", "LANG"))
    text = json.dumps(body)
    assert CANARY not in text
    assert body["env"]["MY_API_KEY"] == REDACTED  # allowlisted, but its name says secret
    assert body["env"]["NBTRACK_STORE"] == "postgresql://db.example/runs"
    assert body["git"]["remote"] == "https://git.example/team/repo.git"
    assert f"+API_KEY = {REDACTED}" in body["git"]["diff"]
    assert "AWS_SECRET_ACCESS_KEY" not in text and "GITHUB_TOKEN" not in text


@pytest.mark.parametrize("name", ["session_token", "client-secret", "passwd", "SSH_KEY", "Credentials"])
def test_secret_looking_names_are_redacted(name):
    assert redact(name, CANARY) == REDACTED


def test_diff_scrubbing_keeps_ordinary_lines():
    diff = "+max_depth = 5\n+token = abc123\n-url = 'https://u:p@h/x'\n"
    scrubbed = scrub_text(diff)
    assert "+max_depth = 5" in scrubbed and "abc123" not in scrubbed and "u:p@" not in scrubbed


def test_run_summary_adds_cells_and_keeps_the_peak():
    cells = [CellTiming(0, 1.0, 0.5, 100, 10), CellTiming(1, 3.0, 2.5, 300, 5), CellTiming(2, 1.0)]
    summary = summarize_cells(cells, sampling_s=0.01)
    assert summary == {"cells": 3, "wall_s": 5.0, "cpu_s": 3.0, "rss_peak": 300,
                       "sampling_s": 0.01, "sampling_share": pytest.approx(0.002)}


def test_interactive_cells_are_measured_through_ipython_events():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    seen: list[CellTiming] = []
    monitor = CellMonitor(seen.append)
    monitor.register(shell)
    try:
        shell.run_cell("total = sum(i * i for i in range(300_000))", store_history=True)
        shell.run_cell("blob = bytearray(60_000_000); raise ValueError('x')", store_history=True)
    finally:
        monitor.unregister(shell)
    assert [c.status for c in seen] == ["ok", "error"]
    assert seen[1].index == seen[0].index + 1
    assert seen[0].wall_s > 0 and seen[0].cpu_s > 0
    assert seen[1].rss_peak >= 60_000_000


def test_an_interactive_run_records_what_each_cell_costs(tmp_path):
    code = f"""
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell("import nbtrack; run = nbtrack.start_run(display=False)", store_history=True)
shell.run_cell("squares = [i * i for i in range(400_000)]", store_history=True)
shell.run_cell("1 / 0", store_history=True)
shell.run_cell("run.finish()", store_history=True)
import nbtrack
store = nbtrack.open_store({str(tmp_path / "store")!r})
print([(c.index, c.status, c.cpu_s is not None, (c.rss_peak or 0) > 0) for c in store.runs()[0].cells()])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NBTRACK_STORE": str(tmp_path / "store")})
    assert done.returncode == 0, done.stderr
    # cells from the one after start_run() until the one that finishes the run, by execution count
    assert done.stdout.strip().splitlines()[-1] == "[(2, 'ok', True, True), (3, 'error', True, True)]"
