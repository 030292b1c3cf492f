"""The environment a run executed in: Python, platform, machine, packages, git state; no secrets.

Record kind "environment", name "environment". Body shape:

    {
      "python": {"version", "implementation", "executable"},
      "platform": {"system", "release", "machine", "platform"},
      "hostname": str, "cpu_count": int | null, "memory_bytes": int | null,
      "packages": {distribution name: version},
      "git": {"commit", "branch", "dirty": bool, "remote", "diff", "diff_bytes", "diff_truncated"} | null,
      "env": {name: value},          # only the names in ENV_ALLOWLIST that are set
    }

Secrets are never stored: environment variables are left out unless allowlisted, any captured
value whose name looks secret (token, secret, password, key, credential...) is replaced by
"[redacted]", user:password@ and credential query values leave URLs, and the git diff goes
through capture/redaction.py (detect-secrets' plugins, secret names, private-key blocks).
"""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from nbtrack.capture.redaction import REDACTED, SECRET_NAME, remove_userinfo, scrub_text
from nbtrack.config import STORE_ENV, mask_password

MAX_DIFF_BYTES = 1_000_000
GIT_TIMEOUT = 10.0
ENV_ALLOWLIST = (
    "CONDA_DEFAULT_ENV", "CUDA_VISIBLE_DEVICES", "LANG", "LC_ALL", "MKL_NUM_THREADS", "MPLBACKEND",
    STORE_ENV, "NUMEXPR_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PYTHONHASHSEED",
    "TZ", "VIRTUAL_ENV",
)


def capture_environment(path: str | os.PathLike[str] | None = None, *,
                        allowlist: tuple[str, ...] = ENV_ALLOWLIST) -> dict[str, Any]:
    """The environment record body; git state is that of the repository holding path (or cwd)."""
    import psutil

    return {
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "platform": {"system": platform.system(), "release": platform.release(),
                     "machine": platform.machine(), "platform": platform.platform()},
        "hostname": socket.gethostname(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": int(psutil.virtual_memory().total),
        "packages": installed_packages(),
        "git": git_state(Path(path) if path is not None else Path.cwd()),
        "env": allowed_env(os.environ, allowlist),
    }


_DIST_INFO = re.compile(r"^(?P<name>[A-Za-z0-9_.]+?)-(?P<version>[^-]+)\.dist-info$")


def installed_packages() -> dict[str, str]:
    """Every installed distribution and its version, by normalized name.

    Name and version come from the `<name>-<version>.dist-info` folder the installer wrote (the
    wheel spec's form) when there is one: parsing each METADATA file instead cost 0.1 s of 224
    distributions, 1 ms this way, every value the same (tests/capture compares both).
    """
    from importlib.metadata import distributions

    found: dict[str, str] = {}
    for dist in distributions():
        folder = getattr(dist, "_path", None)  # PathDistribution's; others read their metadata
        named = _DIST_INFO.match(getattr(folder, "name", ""))
        name, version = (named["name"], named["version"]) if named else (dist.metadata.get("Name"), dist.version)
        if name:
            found.setdefault(re.sub(r"[-_.]+", "-", name).lower(), version)
    return dict(sorted(found.items()))


def allowed_env(environ: Any, allowlist: tuple[str, ...]) -> dict[str, str]:
    """The allowlisted variables that are set, each redacted by its name and scrubbed of URL passwords."""
    return {name: redact(name, environ[name]) for name in allowlist if name in environ}


def redact(name: str, value: str) -> str:
    """REDACTED when the name looks secret, else the value with URL passwords and ?token=... masked."""
    if SECRET_NAME.search(name):
        return REDACTED
    return mask_password(remove_userinfo(value))


def git_state(path: Path) -> dict[str, Any] | None:
    """Commit, branch, dirty flag, remote and diff of tracked files, or None outside a repository."""
    folder = path if path.is_dir() else path.parent
    if not folder.exists():
        return None
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    remote = _git(folder, "config", "--get", "remote.origin.url")
    diff = _git(folder, "diff", "HEAD", "--no-color", "--no-ext-diff", strip=False) or ""
    raw = diff.encode("utf-8", "replace")
    truncated = len(raw) > MAX_DIFF_BYTES
    if truncated:
        diff = raw[:MAX_DIFF_BYTES].decode("utf-8", "ignore")
    return {
        "commit": commit,
        "branch": branch,
        "dirty": bool(raw),
        "remote": redact("remote", remote) if remote else None,
        "diff": scrub_text(diff),
        "diff_bytes": len(raw),
        "diff_truncated": truncated,
    }


def _git(folder: Path, *args: str, strip: bool = True) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=GIT_TIMEOUT,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None  # no git, or it hangs: the run goes on without git state
    if done.returncode != 0:
        return None
    text = done.stdout.decode("utf-8", "replace")
    return text.strip() if strip else text
