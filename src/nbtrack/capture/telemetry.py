"""What a process costs: CPU time and resident memory, sampled with psutil."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psutil


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
