"""The durability setting: where it comes from, what it sets, and the fsyncs it costs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from nbtrack.config import store_durability
from nbtrack.errors import ConfigError
from nbtrack.store import open_store

SYNCHRONOUS = {1: "normal", 2: "full"}  # SQLite's PRAGMA synchronous values


def synchronous(store: Any) -> str:
    with store.engine.connect() as conn:
        return SYNCHRONOUS[conn.execute(text("PRAGMA synchronous")).scalar()]


def url_of(folder: Path, query: str = "") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'nbtrack.db'}{query}"


def test_durability_is_normal_unless_set(tmp_path):
    assert synchronous(open_store(tmp_path / "plain")) == "normal"


def test_durability_comes_from_the_url_then_the_environment_then_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.nbtrack]\ndurability = "full"\n')
    assert synchronous(open_store(tmp_path / "from-file")) == "full"
    monkeypatch.setenv("NBTRACK_DURABILITY", "normal")
    assert synchronous(open_store(tmp_path / "from-env")) == "normal"
    assert synchronous(open_store(url_of(tmp_path / "from-url", "?durability=full"))) == "full"
    monkeypatch.setenv("NBTRACK_DURABILITY", "full")
    assert synchronous(open_store(url_of(tmp_path / "url-wins", "?durability=normal"))) == "normal"


def test_an_nbtrack_toml_sets_durability_at_its_top_level(tmp_path):
    (tmp_path / "nbtrack.toml").write_text('durability = "full"\n')
    assert synchronous(open_store(tmp_path / "toml")) == "full"


def test_the_durability_query_never_reaches_the_driver_and_other_options_stay():
    url, durability = store_durability("postgresql+psycopg://ana@/runs?host=%2Ftmp&durability=full&options=-cx")
    assert (url, durability) == ("postgresql+psycopg://ana@/runs?host=%2Ftmp&options=-cx", "full")
    assert store_durability("sqlite:////data/nbtrack.db?durability=normal") == ("sqlite:////data/nbtrack.db", "normal")


@pytest.mark.parametrize("where", ["url", "environment", "file"])
def test_an_unknown_durability_is_refused_in_one_line_naming_the_allowed_values(tmp_path, monkeypatch, where):
    uri: Any = tmp_path / "store"
    if where == "url":
        uri = url_of(tmp_path / "store", "?durability=fast")
    elif where == "environment":
        monkeypatch.setenv("NBTRACK_DURABILITY", "fast")
    else:
        (tmp_path / "nbtrack.toml").write_text('durability = "fast"\n')
    with pytest.raises(ConfigError) as raised:
        open_store(uri)
    message = str(raised.value)
    assert "\n" not in message and "must be 'normal' or 'full'. Got 'fast' instead." in message


# Creates and ends N runs, then writes N metric batches (one flush each), between two getppid()
# calls that mark, in strace's output, when the clock starts and stops.
WRITER = textwrap.dedent("""
    import os, sys, time
    import nbtrack
    from nbtrack.store import open_store

    store, n = open_store(sys.argv[1]), int(sys.argv[2])
    run = nbtrack.start_run(experiment="fsync", store=store)
    os.getppid()
    for i in range(n):
        store.end_run(store.create_run("fsync"), "finished")
        run.log_metric("loss", 1.0 / (i + 1))
        run.flush()
    os.getppid()
    run.finish()
""")
BATCHES = 50


def fsyncs_while_writing(tmp_path: Path, durability: str) -> int:
    trace = tmp_path / f"strace-{durability}.txt"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync,getppid", "-o", str(trace),
                    sys.executable, "-c", WRITER, url_of(tmp_path / durability, f"?durability={durability}"),
                    str(BATCHES)], check=True, timeout=300)
    calls = [line for line in trace.read_text().splitlines() if "(" in line and "resumed" not in line]
    marks = [n for n, line in enumerate(calls) if "getppid(" in line]
    assert len(marks) == 2, "the writer's markers are missing from strace's output"
    return sum("fsync(" in line or "fdatasync(" in line for line in calls[marks[0]:marks[1]])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace: run scripts/system-packages.sh")
def test_full_durability_fsyncs_every_commit_and_normal_none_while_writing(tmp_path):
    full, normal = fsyncs_while_writing(tmp_path, "full"), fsyncs_while_writing(tmp_path, "normal")
    print(f"\nfsyncs for {BATCHES} x (create run, end run, metric batch): full {full}, normal {normal}")
    assert full >= 3 * BATCHES  # three commits a round, each fsynced
    assert normal == 0  # the log is fsynced only at a checkpoint, every ~40 MB written


@pytest.mark.postgres
@pytest.mark.parametrize("durability", ["normal", "full"])
def test_full_durability_turns_synchronous_commit_on_for_postgresql_sessions(postgres_server, monkeypatch,
                                                                              tmp_path, durability):
    monkeypatch.setenv("NBTRACK_ARTIFACTS", str(tmp_path / "objects"))
    url = postgres_server.url(postgres_server.new_schema())
    store = open_store(f"{url}&durability={durability}")
    try:
        with store.engine.connect() as conn:
            session = conn.execute(text("SHOW synchronous_commit")).scalar()
            default = conn.execute(text("SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit'")).scalar()
        assert session == ("on" if durability == "full" else default)
    finally:
        store.close()
