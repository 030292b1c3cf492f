"""What a process costs: CPU time and resident memory, sampled with psutil."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from nbtrack.records import CellTiming


@dataclass(frozen=True)
class Sample:
    """One reading of a process: CPU seconds so far, resident bytes now, peak bytes."""

    cpu_s: float
    rss: int
    peak: int


class ProcessProbe:
    """Samples one process (a kernel, or this process) and resets its peak between cells."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self._clear_refs = Path(f"/proc/{pid}/clear_refs")
        self._status = Path(f"/proc/{pid}/status")

    def sample(self) -> Sample | None:
        """A reading, or None once the process is gone."""
        try:
            with self.process.oneshot():
                times = self.process.cpu_times()
                rss = self.process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None
        return Sample(times.user + times.system, rss, max(rss, self._peak() or 0))

    def reset_peak(self) -> None:
        """Start a new peak window (Linux: writing 5 to clear_refs resets VmHWM)."""
        try:
            self._clear_refs.write_text("5")
        except OSError:
            pass  # elsewhere the peak is the largest sample taken

    def _peak(self) -> int | None:
        try:
            for line in self._status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return None
        return None


def summarize_cells(cells: Iterable[CellTiming], sampling_s: float = 0.0) -> dict[str, Any]:
    """The run's cost from its cells' (record kind "telemetry", name "run").

    Body: {"cells", "wall_s", "cpu_s", "rss_peak", "sampling_s", "sampling_share"}; cpu_s and
    rss_peak are null when the process could not be measured.
    """
    cells = list(cells)
    wall = sum(c.wall_s for c in cells)
    cpu = [c.cpu_s for c in cells if c.cpu_s is not None]
    peaks = [c.rss_peak for c in cells if c.rss_peak is not None]
    return {
        "cells": len(cells),
        "wall_s": wall,
        "cpu_s": sum(cpu) if cpu else None,
        "rss_peak": max(peaks) if peaks else None,
        "sampling_s": sampling_s,
        "sampling_share": sampling_s / wall if wall > 0 else 0.0,
    }


class CellMonitor:
    """Interactive telemetry: IPython's pre/post_run_cell events measure each cell of this kernel.

    `record` receives one CellTiming per executed cell, indexed by its execution count.
    """

    def __init__(self, record: Callable[[CellTiming], None], pid: int | None = None) -> None:
        self.record = record
        self.probe = ProcessProbe(pid if pid is not None else os.getpid())
        self._started: float | None = None
        self._before: Sample | None = None

    def register(self, shell: Any) -> None:
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)

    def unregister(self, shell: Any) -> None:
        for event, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                shell.events.unregister(event, callback)
            except ValueError:
                pass

    def pre_run_cell(self, info: Any = None) -> None:
        self.probe.reset_peak()
        self._before = self.probe.sample()
        self._started = time.perf_counter()

    def post_run_cell(self, result: Any = None) -> None:
        if self._started is None:
            return
        wall = time.perf_counter() - self._started
        after, before = self.probe.sample(), self._before
        self._started = None
        count = getattr(result, "execution_count", None)
        failed = getattr(result, "error_in_exec", None) is not None or getattr(result, "error_before_exec", None)
        self.record(CellTiming(
            index=int(count) if count is not None else 0,
            wall_s=wall,
            cpu_s=after.cpu_s - before.cpu_s if after and before else None,
            rss_peak=after.peak if after else None,
            rss_delta=after.rss - before.rss if after and before else None,
            status="error" if failed else "ok",
        ))
