"""Fresh IPython kernels forked from a process that has already imported ipykernel.

Starting a kernel is mostly importing IPython and ipykernel: about a second of
CPU each time. A sweep starts one kernel per execution, so it asks a template
process, which imported them once, to fork a new kernel instead. Each child is
a new process that has run no user code, in a session of its own; the
executions still never share a kernel.

A sweep's template also imports what its notebook imports at top level (pandas,
scikit-learn, matplotlib: seconds per execution otherwise), import only, never
computing, so no BLAS or OpenMP work has started before the fork. An import that
fails in the template is skipped: the notebook imports it itself. Each child
reseeds numpy's global RNG with fresh entropy (Python reseeds `random` itself),
and matplotlib's backend is the one the kernel would set (inline). Modules that
look at the running kernel when imported (tqdm.auto, ipywidgets...) or that are
not safe to fork after import (torch, tensorflow, jax) are never preloaded.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

# The template: import what a kernel imports (and what the notebook imports), then fork
# one child per request line. argv[1]: JSON list of [module, name or null] to preload.
_TEMPLATE = r"""
import importlib, json, os, signal, sys
from ipykernel import kernelapp, ipkernel, zmqshell  # noqa: F401  (the expensive imports, once)
import IPython.core.interactiveshell  # noqa: F401
INLINE = "module://matplotlib_inline.backend_inline"
os.environ.setdefault("MPLBACKEND", INLINE)  # as ipykernel sets it, before matplotlib reads it
for module, name in json.loads(sys.argv[1]) if len(sys.argv) > 1 else []:
    try:
        imported = importlib.import_module(module)
        if name is not None and not hasattr(imported, name):
            importlib.import_module(f"{module}.{name}")  # from package import submodule
    except BaseException:  # best effort: the notebook imports it itself
        pass
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
out = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            os.environ["JPY_PARENT_PID"] = str(os.getppid())
            if "numpy" in sys.modules:
                sys.modules["numpy"].random.seed()  # fresh entropy: no two children share a stream
            if "matplotlib" in sys.modules:
                sys.modules["matplotlib"].rcParams["backend"] = os.environ.get("MPLBACKEND") or INLINE
            sys.argv = ["ipykernel_launcher", *request["argv"]]
            kernelapp.launch_new_instance()
        finally:
            os._exit(0)
    out.write(f"{pid}\n")
    out.flush()
"""

# Top-level packages never preloaded as written: they inspect the running kernel when imported (a
# template has none), start threads or devices that a fork does not carry, or are nbtrack, whose
# own import is lazy: what a run needs is NBTRACK_PRELOAD instead.
NOT_PRELOADED = frozenset({
    "nbtrack", "IPython", "ipykernel", "ipywidgets", "tqdm", "plotly", "bokeh", "panel", "holoviews",
    "altair", "torch", "tensorflow", "keras", "jax", "multiprocessing", "threading", "asyncio",
})


# What a notebook importing nbtrack pays at start_run() (the store, sqlalchemy: ~0.5 s of CPU) and
# at log_model() (skops: ~1.2 s), preloaded when it imports nbtrack (and calls log_model).
NBTRACK_PRELOAD: list[tuple[str, str | None]] = [("nbtrack.track.session", None)]
MODEL_PRELOAD: list[tuple[str, str | None]] = [("skops.io", None)]


def notebook_imports(sources: Iterable[str]) -> list[tuple[str, str | None]]:
    """The plain top-level imports of code cells, as (module, name from it or None), in order.

    `import a.b` -> ("a.b", None); `from a import b` -> ("a", "b"). Relative imports, imports
    inside blocks, and cells that do not parse (magics aside) are ignored; so are NOT_PRELOADED,
    except that importing nbtrack adds what a run of it imports (NBTRACK_PRELOAD, MODEL_PRELOAD).
    """
    found: list[tuple[str, str | None]] = []
    sources = list(sources)
    uses_nbtrack = False
    for source in sources:
        tree = _parse(source)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.Import):
                pairs = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                pairs = [(node.module, alias.name) for alias in node.names if alias.name != "*"]
                pairs = pairs or [(node.module, None)]
            else:
                continue
            for pair in pairs:
                uses_nbtrack = uses_nbtrack or pair[0].partition(".")[0] == "nbtrack"
                if pair[0].partition(".")[0] not in NOT_PRELOADED and pair[0] != "__future__" and pair not in found:
                    found.append(pair)
    if uses_nbtrack:
        found += NBTRACK_PRELOAD
        if any(".log_model(" in source for source in sources):
            found += MODEL_PRELOAD
    return found


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    # IPython syntax: magics and shell commands on lines of their own become blank lines.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


class KernelForker:
    """The template process; launch() returns the pid of a new kernel.

    preload: (module, name) pairs the template imports before its first fork (notebook_imports);
    cwd: where it imports them from, the notebook's folder as for its kernels.
    """

    def __init__(self, preload: Sequence[tuple[str, str | None]] = (), cwd: str | None = None) -> None:
        self.preload = list(preload)
        self._process = subprocess.Popen(
            [sys.executable, "-c", _TEMPLATE, json.dumps(self.preload)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True, cwd=cwd,
        )
        self._lock = threading.Lock()

    def launch(self, argv: list[str], env: Mapping[str, str], cwd: str) -> int:
        request = json.dumps({"argv": argv, "env": dict(env), "cwd": cwd})
        with self._lock:
            if self._process.poll() is not None or self._process.stdin is None or self._process.stdout is None:
                raise RuntimeError("the kernel template process has exited")
            self._process.stdin.write(request + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line.strip():
            raise RuntimeError("the kernel template process has exited")
        return int(line)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


class ForkedProcess:
    """As much of subprocess.Popen as jupyter_client's LocalProvisioner uses, for a pid we did not fork.

    The kernel is the template's child, not ours, so it cannot be waited for. A pidfd,
    opened while the kernel is alive, names that process and no other: once it exits,
    its pid may be given to an unrelated process, which poll() and signals then never
    mistake for the kernel (os.kill(pid, 0) would).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._pidfd, self.returncode = None, 0  # exited already
        except (AttributeError, OSError):
            self._pidfd = None  # no pidfd (not Linux >= 5.3): fall back to the pid

    def poll(self) -> int | None:
        if self.returncode is None:
            if self._pidfd is not None:
                readable, _, _ = select.select([self._pidfd], [], [], 0)
                exited = bool(readable)  # a pidfd turns readable when its process exits
            else:
                try:
                    os.kill(self.pid, 0)
                    exited = False
                except ProcessLookupError:
                    exited = True
            if exited:
                self.returncode = 0  # reaped by the template (its exit status is not ours to read)
                self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is not None:
            return
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signum)
            else:
                os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _close(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def __del__(self) -> None:
        self._close()


class ForkingKernelManager(AsyncKernelManager):
    """A kernel manager whose ipykernel kernels are forked from the template (jupyter_client's launch hook)."""

    forker: KernelForker | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        argv = _ipykernel_arguments(kernel_cmd)
        if self.forker is None or argv is None or not isinstance(self.provisioner, LocalProvisioner):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        env = kw.get("env") or dict(os.environ)
        cwd = str(kw.get("cwd") or os.getcwd())
        pid = await asyncio.get_running_loop().run_in_executor(None, self.forker.launch, argv, env, cwd)
        provisioner = self.provisioner
        provisioner.process = ForkedProcess(pid)  # type: ignore[assignment]
        provisioner.pid, provisioner.pgid, provisioner.cwd = pid, pid, cwd  # own session: pgid is pid
        self._reconcile_connection_info(provisioner.connection_info)


def _ipykernel_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments after `python -m ipykernel_launcher`, when cmd runs this Python's ipykernel."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        same = False
    return cmd[3:] if same else None
