"""Kernels started ahead of the executions that will use them, one fresh kernel per execution.

A kernel takes a second or more to start and become ready; a sweep starts the
next executions' kernels while the current ones run, so a worker never waits
for one. Each kernel serves one execution and is then shut down in the
background: no state passes from one run to the next.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from concurrent.futures import Future, ThreadPoolExecutor
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from nbtrack.errors import KernelStartFailed
from nbtrack.execution.forking import ForkingKernelManager, KernelForker

START_ATTEMPTS = 5
READY_TIMEOUT = 120.0


def start_kernel(kernel_name: str, *, env: Mapping[str, str], cwd: str,
                 attempts: int = START_ATTEMPTS, forker: KernelForker | None = None) -> AsyncKernelManager:
    """Start a kernel on Unix sockets of its own and wait until it answers.

    A kernel that dies while starting is started again: kernels started
    together can collide on an address (ZMQError: Address already in use).
    """
    failures = []
    for attempt in range(attempts):
        km = _new_manager(kernel_name, forker)
        try:
            run_sync(_start_and_wait)(km, dict(env), cwd)
            return km
        except Exception as exc:  # noqa: BLE001  (any start failure is retried, then reported)
            failures.append(f"{type(exc).__name__}: {exc}")
            shutdown_kernel(km, now=True)
            time.sleep(0.2 * (attempt + 1))
    raise KernelStartFailed(f"kernel {kernel_name!r} did not start after {attempts} attempts: {failures[-1]}")


def shutdown_kernel(km: AsyncKernelManager, *, now: bool = False) -> None:
    """Stop a kernel (now: kill it) and remove its socket folder; safe to call twice."""
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=now)
    except Exception:  # noqa: BLE001  (a kernel that is already gone is stopped)
        pass
    finally:
        run_sync(km.cleanup_resources)()
        shutil.rmtree(getattr(km, "nbtrack_socket_dir", ""), ignore_errors=True)


def kill_kernel(km: AsyncKernelManager) -> None:
    """Kill a running kernel at once (its execution then ends as killed)."""
    try:
        if km.has_kernel:
            run_sync(km.signal_kernel)(signal.SIGKILL)
    except Exception:  # noqa: BLE001  (already gone)
        pass


class KernelPool:
    """Starts kernels in the background and shuts them down in the background."""

    def __init__(self, starters: int, preload: Sequence[tuple[str, str | None]] = (),
                 cwd: str | None = None) -> None:
        self._forker: KernelForker | None = None
        try:
            # fresh kernels forked, not started from scratch, from a template that has imported
            # what the notebook imports (preload, from cwd); one template per pool, so per sweep
            self._forker = KernelForker(preload, cwd=cwd)
        except OSError:
            self._forker = None
        self._starting = ThreadPoolExecutor(max(1, starters), thread_name_prefix="nbtrack-kernel-start")
        self._stopping = ThreadPoolExecutor(2, thread_name_prefix="nbtrack-kernel-stop")
        self._live: set[AsyncKernelManager] = set()
        self._lock = threading.Lock()

    def start(self, kernel_name: str, *, env: Mapping[str, str], cwd: str) -> Future[AsyncKernelManager]:
        def started() -> AsyncKernelManager:
            km = start_kernel(kernel_name, env=env, cwd=cwd, forker=self._forker)
            with self._lock:
                self._live.add(km)
            return km

        return self._starting.submit(started)

    def release(self, km: AsyncKernelManager) -> None:
        """The execution is over: shut its kernel down without making anyone wait."""
        with self._lock:
            self._live.discard(km)
        self._stopping.submit(shutdown_kernel, km)

    def kill_all(self) -> None:
        """Kill every kernel started and not yet released (Ctrl-C), at once, each from a thread of its own.

        Not from the caller's thread, the sweep's main thread: run_sync would leave it an event loop
        until the process exits, and a loop collected during the exit, after its own socket, prints
        "Exception ignored in: BaseEventLoop.__del__" with a traceback on the interrupted sweep's stderr.
        Not behind the stop threads either, which may be busy shutting kernels down gracefully.
        """
        with self._lock:
            live = list(self._live)
        if live:
            with ThreadPoolExecutor(len(live), thread_name_prefix="nbtrack-kernel-kill") as killers:
                list(killers.map(kill_kernel, live))

    def close(self) -> None:
        """Wait for pending starts, then stop every kernel still alive."""
        self._starting.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            live, self._live = list(self._live), set()
        for km in live:
            self._stopping.submit(shutdown_kernel, km, now=True)
        self._stopping.shutdown(wait=True)
        if self._forker is not None:
            self._forker.close()


def _new_manager(kernel_name: str, forker: KernelForker | None) -> AsyncKernelManager:
    km = ForkingKernelManager(kernel_name=kernel_name)
    km.forker = forker
    km.nbtrack_socket_dir = use_private_sockets(km) or ""  # type: ignore[attr-defined]
    return km


def use_private_sockets(km: Any) -> str | None:
    """Give a kernel manager Unix sockets in a new private folder, returned for removal after.

    Not TCP ports: no port collisions between parallel kernels, no plaintext TCP
    (ipykernel warns about it), and a path short enough for AF_UNIX. None off POSIX.
    """
    if os.name != "posix":
        return None
    folder = tempfile.mkdtemp(prefix="nbtrack-")
    km.transport = "ipc"
    km.ip = os.path.join(folder, "kernel")
    return folder


async def _start_and_wait(km: AsyncKernelManager, env: dict[str, str], cwd: str) -> None:
    await km.start_kernel(env=env, cwd=cwd)
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=READY_TIMEOUT)
    finally:
        client.stop_channels()
