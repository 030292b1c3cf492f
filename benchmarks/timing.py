"""Figures and how they are taken: median of repetitions, wall and CPU time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    """What a figure must reach: `value` at least (higher is better) or at most."""

    value: float
    higher_is_better: bool

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.higher_is_better else figure <= self.value

    def __str__(self) -> str:
        return f"{'>=' if self.higher_is_better else '<='} {fmt(self.value)}"


@dataclass
class Row:
    """One figure of one subject (nbtrack or a peer) for one measure."""

    measure: str
    who: str
    value: float | None
    unit: str
    higher_is_better: bool
    target: Target | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    cpu: float | None = None  # median CPU seconds of the measured process, where taken
    probe: Callable[[], Any] | None = None  # one repetition, profiled when the target is missed
    per_run: list[float] = field(default_factory=list)  # this figure in each whole run (--runs N), in order

    @property
    def is_nbtrack(self) -> bool:
        return self.who.startswith("nbtrack")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    walls: list[float]


def repeat(action: Callable[[], Any], reps: int, *, setup: Callable[[], Any] | None = None) -> Timing:
    """Median wall and CPU seconds of `reps` calls; setup runs before each and is not timed."""
    walls, cpus = [], []
    for _ in range(reps):
        if setup is not None:
            setup()
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), walls)


def fmt(value: float | None) -> str:
    """A figure in 3-4 significant digits, with thousands grouped."""
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"
