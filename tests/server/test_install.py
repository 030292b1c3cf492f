"""The wheel carries the prebuilt Lab extension and the enable file: built with no Node, listed enabled."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-install")]


def test_wheel_built_without_node_installs_an_enabled_lab_and_server_extension(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    no_node = {**os.environ, "PATH": str(bin_dir)}  # no node or npm: the hook must not need them
    assert shutil.which("node", path=no_node["PATH"]) is None
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)],
                           env=no_node, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(wheels.glob("nbtrack-*.whl"))
    # A fresh venv holding only nbtrack; its dependencies come from this venv on PYTHONPATH
    # (no .pth processing there, so this checkout's editable nbtrack stays invisible).
    prefix = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=120)
    # --ignore-installed: without it pip uninstalls this venv's editable nbtrack first,
    # under every other test running at the same time.
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q",
                                "--prefix", str(prefix), str(wheel)], env=no_node, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-2000:]
    python = str(prefix / "bin" / "python")
    purelib = sysconfig.get_path("purelib", vars={"base": str(prefix)})
    env = {**no_node, "PYTHONPATH": sysconfig.get_path("purelib"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    labext = subprocess.run([python, "-m", "jupyterlab.labextensions", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    listing = _plain(labext.stdout + labext.stderr)
    section = listing.split(str(prefix / "share" / "jupyter" / "labextensions"))[1].split("\n/")[0]
    assert "nbtrack-labextension v0.1.0 enabled OK" in " ".join(section.split()), listing
    server = subprocess.run([python, "-m", "jupyter_server.extension.serverextension", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    listing = " ".join(_plain(server.stdout + server.stderr).split())
    assert "nbtrack.server enabled" in listing and "nbtrack.server OK" in listing, listing
    located = subprocess.run([python, "-c", "import nbtrack.server; print(nbtrack.server.__file__)"],
                             env=env, capture_output=True, text=True)
    assert located.stdout.startswith(purelib)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # the listings color "enabled" and "OK"
