"""Environment records (with secrets kept out) and interactive cell telemetry."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import write_notebook
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
    assert f"+API_KEY = '{REDACTED}'" in body["git"]["diff"]
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


# -- secrets in the uncommitted git diff ---------------------------------------------------

GITHUB_CANARY = "ghp_" + "canaryGH".ljust(36, "7")
SECRET_CANARIES = {
    "bearer header": "canaryBEARERe3f1a9c07d",
    "pw= keyword argument": "canaryPW-hunter2",
    "Slack webhook": "https://hooks.slack.com/services/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",
    "AWS key id": "AKIACANARY0123456789",
    "AWS secret key": "canaryAWS/K7MDENG+bPxRfiCY0123456789abcd",
    "GitHub token": GITHUB_CANARY,
    "private key body": "MIIEcanaryKEYa0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6r7s8t9u0v1w2x3y4z5",
    "basic-auth URL password": "canaryBASIC77",
}
ORDINARY_CODE = [
    "model = RandomForestClassifier(n_estimators=100, max_depth=5, random_state=0)",
    "runs = sorted(runs, key=lambda r: r.started_at)",
    "token = os.environ[\"API_TOKEN\"]",
    "password = getpass.getpass()",
    "digest = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
    "commit = \"1234567890abcdef1234567890abcdef12345678\"",
    "cell_id = \"a1b2c3d4-e5f6-4a5b-9c8d-0e1f2a3b4c5d\"",
    "features = [c for c in frame.columns if c.endswith(\"_score\")]",
    "key_columns = [\"customer_id\", \"month\"]",
    "url = \"https://api.example.com/v1/runs?page=2\"",
    "headers = {\"Authorization\": f\"Bearer {token}\"}",
    "for key, value in params.items():",
    "max_tokens: int = 256",
]


def secret_lines() -> dict[str, str]:
    """Files of a project, each secret of SECRET_CANARIES written the way code and config hold it."""
    c = SECRET_CANARIES
    return {
        "client.py": (
            f"session.headers.update({{\"Authorization\": \"Bearer {c['bearer header']}\"}})\n"
            f"conn = psycopg.connect(host=\"db\", user=\"ana\", pw=\"{c['pw= keyword argument']}\")\n"
            f"ALERTS = \"{c['Slack webhook']}\"\n"
            f"gh = Github(\"{c['GitHub token']}\")\n"
            f"REPO = \"https://bot:{c['basic-auth URL password']}@git.example/team/repo.git\"\n"
        ),
        "config.ini": (
            "[aws]\n"
            f"aws_access_key_id = {c['AWS key id']}\n"
            f"aws_secret_access_key = {c['AWS secret key']}\n"
        ),
        "deploy.pem": (
            "-----BEGIN RSA PRIVATE KEY-----\n"
            f"{c['private key body']}\n"
            "dGhpcyBpcyBub3QgYSByZWFsIGtleSBidXQgaXQgaXMgYmFzZTY0IGFsbCB0aGUgc2FtZQ==\n"
            "-----END RSA PRIVATE KEY-----\n"
        ),
        "train.py": "\n".join(ORDINARY_CODE) + "\n",
    }


def test_a_real_runs_git_diff_keeps_no_secret_of_any_kind(tmp_path, cli):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    files = secret_lines()
    for name in files:
        (repo / name).write_text("# placeholder\n")
    nb = write_notebook(repo / "train.ipynb", ["x = 1"])
    git(repo, "add", ".")
    git(repo, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-q", "-m", "first")
    for name, text in files.items():
        (repo / name).write_text(text)  # uncommitted: the run captures them as its diff

    done = cli("run", nb, "--format", "json")
    assert done.returncode == 0, done.stderr
    from nbtrack.store import open_store

    store = open_store(tmp_path / "store")
    (run,) = store.runs()
    diff = store.run(run.id).records("environment")[0].body["git"]["diff"]
    store.close()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    for kind, canary in SECRET_CANARIES.items():
        assert canary.encode() not in stored, f"{kind} reached the store"
        assert canary not in diff, kind
    assert diff.count(REDACTED) >= len(SECRET_CANARIES) - 1  # the key block is one redaction per line
    assert "+-----BEGIN RSA PRIVATE KEY-----" not in diff and "MII" not in diff
    for line in ORDINARY_CODE:
        assert f"\n+{line}\n" in diff, f"ordinary code changed: {line}"


@pytest.mark.parametrize("line", ORDINARY_CODE)
def test_ordinary_code_passes_redaction_unchanged(line):
    header = "diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n"
    diff = f"{header}-{line}\n+{line}\n"
    assert scrub_text(diff) == diff


def test_a_private_key_block_is_redacted_whole_and_the_code_around_it_kept():
    diff = ("+++ b/keys.py\n"
            "+KEY = \"\"\"-----BEGIN OPENSSH PRIVATE KEY-----\n"
            "+b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            "+QyNTUxOQAAACBcanaryONEa4d1\n"
            "+-----END OPENSSH PRIVATE KEY-----\"\"\"\n"
            "+n_estimators = 100\n"
            "+PEM = \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIcanaryTWO"
            "\\n-----END EC PRIVATE KEY-----\\n\"\n")
    scrubbed = scrub_text(diff)
    assert "canary" not in scrubbed and "b3BlbnNzaC1" not in scrubbed
    assert scrubbed.splitlines() == [
        "+++ b/keys.py", f"+KEY = \"\"\"{REDACTED}", f"+{REDACTED}", f"+{REDACTED}", f"+{REDACTED}\"\"\"",
        "+n_estimators = 100", f"+PEM = \"{REDACTED}\\n\""]


def test_redacting_a_1_mb_diff_stays_fast():
    import time
    from pathlib import Path

    import nbtrack

    source = Path(nbtrack.__file__).parent
    lines = [line for path in sorted(source.rglob("*.py")) for line in path.read_text().splitlines()]
    body = []
    size = 0
    while size < 1_000_000:
        for line in lines:
            body.append(f"+{line}\n")
            size += len(body[-1])
    diff = "+++ b/code.py\n" + "".join(body) + f"+TOKEN = \"{GITHUB_CANARY}\"\n"
    scrub_text("warm the plugins up")
    started = time.perf_counter()
    scrubbed = scrub_text(diff)
    seconds = time.perf_counter() - started
    print(f"redacting {len(diff) / 1e6:.2f} MB ({len(body)} lines) took {seconds:.2f} s")
    assert GITHUB_CANARY not in scrubbed
    assert seconds < 15  # measured 1.0-1.4 s on a busy 2-core machine; capture overlaps the kernel's start


def test_installed_packages_read_from_dist_info_folders_equal_their_metadata():
    """Names and versions from `<name>-<version>.dist-info` folders are what each METADATA says."""
    import re
    from importlib.metadata import distributions

    from nbtrack.capture.environment import installed_packages

    from_metadata: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata.get("Name")
        if name:
            from_metadata.setdefault(re.sub(r"[-_.]+", "-", name).lower(), dist.version)
    found = installed_packages()
    assert found == dict(sorted(from_metadata.items()))
    assert {"nbtrack", "pandas", "scikit-learn", "papermill"} <= found.keys()
