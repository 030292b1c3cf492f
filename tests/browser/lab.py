"""Start a real JupyterLab (or bare Jupyter server) with nbtrack enabled, and launch Chromium.

Shared by the browser tests of every area: `start_lab(root, store)` gives a running server on
a free port with its own token and config/data/runtime dirs; `launch_chromium(playwright)`
gives Debian's Chromium, headless.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
LABEXTENSION = REPO / "src" / "nbtrack" / "labextension"
ENABLE_FILE = REPO / "jupyter-config" / "jupyter_server_config.d" / "nbtrack.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "test-output" / "screenshots"


@dataclass
class LabServer:
    """A running server: its base URL, token, root dir, the store it shows, and its log."""

    url: str
    token: str
    root: Path
    store: Path
    home: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def page(self, path: str = "") -> str:
        """A Lab URL in a fresh workspace (so no old panels reopen), logged in with the token."""
        workspace = secrets.token_hex(4)
        tree = f"/tree/{path}" if path else ""
        return f"{self.url}/lab/workspaces/w{workspace}{tree}?reset&token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_lab(root: Path, store: Path, *, home: Path | None = None, app: str = "lab",
              extra_args: list[str] | None = None, extra_env: dict[str, str] | None = None,
              timeout: float = 60, prefix: list[str] | None = None) -> LabServer:
    """Start `jupyter lab` (or `jupyter server` with app="server") over root, showing store.

    prefix runs the server through a launcher, such as one that drops privileges.

    nbtrack is installed the way a wheel installs it: the prebuilt labextension in the
    data dir and the enable file in the config dir, both private to this server.
    """
    home = home or root.parent / f"jupyter-home-{secrets.token_hex(3)}"
    dirs = {name: home / name for name in ("config", "data", "runtime", "ipython", "settings", "workspaces")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    (dirs["data"] / "labextensions").mkdir(exist_ok=True)
    link = dirs["data"] / "labextensions" / "nbtrack-labextension"
    if not link.exists():
        link.symlink_to(LABEXTENSION, target_is_directory=True)
    (dirs["config"] / "jupyter_server_config.d").mkdir(exist_ok=True)
    shutil.copy(ENABLE_FILE, dirs["config"] / "jupyter_server_config.d" / "nbtrack.json")
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    token = secrets.token_hex(16)
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1", "NBTRACK_STORE": str(store), "MPLBACKEND": "Agg",
        "JUPYTER_SERVER_ALLOW_UNAUTHENTICATED_ACCESS": "false",
        # In a venv jupyter_core puts the venv's data dir first: the copy an earlier install left
        # there would shadow the build in this repo, which is what must be tested.
        "JUPYTER_PREFER_ENV_PATH": "0",
    }
    env.pop("NBTRACK_RUN_ID", None)
    env.update(extra_env or {})
    args = [*(prefix or []), sys.executable, "-m", "jupyterlab" if app == "lab" else "jupyter_server",
            "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.allow_unauthenticated_access=False", "--allow-root"]
    if app == "lab":
        args += ["--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={dirs['settings']}",
                 f"--LabApp.workspaces_dir={dirs['workspaces']}"]
    args += extra_args or []
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    server = LabServer(f"http://127.0.0.1:{port}", token, root, store, home, process, log_path, env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter {app} exited {process.returncode}:\n{server.log()[-3000:]}")
        try:
            request = urllib.request.Request(f"{server.url}/api/status",
                                             headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"jupyter {app} did not answer within {timeout} s:\n{server.log()[-3000:]}")


def launch_chromium(playwright: Any, **options: Any) -> Any:
    """Debian's Chromium, headless (playwright cannot download browsers here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options)


def screenshot(page: Any, name: str) -> Path:
    """Save a PNG under test-output/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
