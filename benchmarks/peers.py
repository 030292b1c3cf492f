"""The peers (MLflow, W&B, Aim), each pinned in its own virtual env under benchmarks/.venvs/.

The bench installs them itself so nbtrack's environment stays clean; a peer
that does not install is reported with pip's error line instead of a figure.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VENVS = HERE / ".venvs"
SCRIPTS = HERE / "peers"
INSTALL_TIMEOUT = 900


class PeerUnavailable(Exception):
    """A peer that could not be installed or failed to run; the message is one line."""


@dataclass(frozen=True)
class Peer:
    name: str          # mlflow, wandb, aim: the requirements file and script stem
    label: str         # how RESULTS.md names it
    module: str        # what `import` brings in

    @property
    def requirements(self) -> Path:
        return SCRIPTS / f"{self.name}.txt"

    @property
    def version(self) -> str:
        return self.requirements.read_text().split("==")[-1].strip()

    @property
    def title(self) -> str:
        return f"{self.label} {self.version}"

    @property
    def python(self) -> Path:
        return VENVS / self.name / "bin" / "python"


MLFLOW = Peer("mlflow", "MLflow (sqlite)", "mlflow")
WANDB = Peer("wandb", "W&B (offline)", "wandb")
AIM = Peer("aim", "Aim", "aim")
ALL = (MLFLOW, WANDB, AIM)


def ensure(peer: Peer) -> Path:
    """The peer's venv python, installing the pinned requirements first when they changed."""
    stamp = VENVS / f"{peer.name}.installed"
    wanted = hashlib.sha256(peer.requirements.read_bytes() + sys.version.encode()).hexdigest()
    if peer.python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return peer.python
    VENVS.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(VENVS / peer.name)],
        [str(peer.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(peer.requirements)],
    ]
    for step in steps:
        _install(step, f"installing {peer.title}", f"{peer.title} does not install")
    stamp.write_text(wanted)
    return peer.python


def _install(step: list[str], doing: str, refused: str) -> None:
    """Run one install command; PeerUnavailable naming what failed when it times out or fails."""
    try:
        done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PeerUnavailable(f"{doing} took over {INSTALL_TIMEOUT} s") from None
    if done.returncode != 0:
        raise PeerUnavailable(f"{refused}: {_error_line(done.stderr)}")


def ensure_notebooks(peer: Peer) -> Path:
    """The peer's venv with papermill and ipykernel too (peers/<name>-notebooks.txt, the versions nbtrack's
    side runs), so its notebooks execute in a kernel of the peer's own python, as a user's would."""
    python = ensure(peer)
    extras = SCRIPTS / f"{peer.name}-notebooks.txt"
    stamp = VENVS / f"{peer.name}-notebooks.installed"
    wanted = hashlib.sha256(extras.read_bytes() + (VENVS / f"{peer.name}.installed").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    step = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(extras)]
    _install(step, f"installing papermill beside {peer.title}", f"papermill does not install beside {peer.title}")
    stamp.write_text(wanted)
    return python


def peer_env(workdir: Path) -> dict[str, str]:
    """What every peer process runs with: offline, quiet, its store in workdir, none of nbtrack's path."""
    env = {**os.environ, "WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_DIR": str(workdir),
           "WANDB_CONSOLE": "off", "MLFLOW_TRACKING_URI": f"sqlite:///{workdir}/mlflow.db",
           "GIT_PYTHON_REFRESH": "quiet", "PYTHONWARNINGS": "ignore"}
    env.pop("PYTHONPATH", None)
    return env


def run(peer: Peer, measure: str, workdir: Path, timeout: float = 600, **options: Any) -> dict[str, Any]:
    """Run one measure of the peer's script in its venv; the script prints one JSON object."""
    python = ensure_notebooks(peer) if measure == "notebooks" else ensure(peer)
    workdir.mkdir(parents=True, exist_ok=True)
    env = peer_env(workdir)
    command = [str(python), str(SCRIPTS / f"{peer.name}_bench.py"), measure, json.dumps(options), str(workdir)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir, env=env)
    except subprocess.TimeoutExpired:
        raise PeerUnavailable(f"{peer.title} {measure} took over {timeout:.0f} s") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise PeerUnavailable(f"{peer.title} {measure} failed: {_error_line(done.stderr)}")
    return json.loads(lines[-1])


def import_seconds(python: str | Path, statement: str, reps: int) -> list[float]:
    """How long a statement such as `import mlflow` takes in fresh processes (interpreter start not counted)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    seconds = []
    for _ in range(reps):
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, env=env)
        if done.returncode != 0:
            raise PeerUnavailable(f"{statement} failed: {_error_line(done.stderr)}")
        seconds.append(float(done.stdout.strip().splitlines()[-1]))
        time.sleep(0.05)
    return seconds


def _error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
    errors = [line for line in lines if line.startswith("ERROR") or "Error" in line]
    return (errors or lines or ["no output"])[-1][:300]
