"""The kernel pool of a local sweep: what its Ctrl-C path leaves behind in the caller's thread."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from nbtrack.execution.kernels import KernelPool


@pytest.mark.slow
def test_kill_all_kills_every_live_kernel_and_leaves_the_calling_thread_no_event_loop(tmp_path):
    """A sweep calls kill_all from its main thread on Ctrl-C; a loop left there lived until the process
    exited, and collected then it printed "Exception ignored in: BaseEventLoop.__del__" on stderr."""
    pool = KernelPool(starters=2, cwd=str(tmp_path))
    try:
        kernels = [pool.start("python3", env=dict(os.environ), cwd=str(tmp_path)) for _ in range(2)]
        started = [future.result(timeout=120) for future in kernels]
        assert all(asyncio.run(km.is_alive()) for km in started)
        seen: dict[str, object] = {}

        def interrupted() -> None:  # a thread of its own: no loop of pytest's, and none made for it
            pool.kill_all()
            try:
                seen["loop"] = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                seen["loop"] = None

        caller = threading.Thread(target=interrupted)
        caller.start()
        caller.join(timeout=60)
        assert "loop" in seen, "kill_all did not return"
        assert seen["loop"] is None, "kill_all left an event loop in the thread that called it"
        deadline = time.monotonic() + 30
        while any(asyncio.run(km.is_alive()) for km in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(asyncio.run(km.is_alive()) for km in started), "a kernel survived kill_all"
    finally:
        pool.close()
