"""Frozen value types shared by every layer: run status, runs, metrics, artifacts."""

from __future__ import annotations

import enum
import hashlib
import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MIN_PREFIX = 6  # the fewest characters of a run id (its start or its end) that may name it
ID_LENGTH = 26  # a run id is a ULID: 26 Crockford base32 characters


def new_run_id(now: float | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 Crockford base32 chars.

    Sorting ids sorts runs by start time; the random part keeps ids from two
    machines apart, so stores can be merged without renumbering.
    """
    ms = int((time.time() if now is None else now) * 1000)
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


_ADJECTIVES = (
    "agile", "amber", "ample", "azure", "bold", "brave", "bright", "brisk", "calm", "clever", "coral",
    "crisp", "dapper", "eager", "early", "fair", "fancy", "fleet", "fresh", "gentle", "glad", "golden",
    "grand", "happy", "hardy", "jolly", "keen", "kind", "lively", "lucid", "lucky", "merry", "mellow",
    "mighty", "misty", "noble", "nimble", "olive", "plucky", "polar", "proud", "quick", "quiet", "rapid",
    "ready", "royal", "rustic", "sage", "shiny", "silent", "silver", "sleek", "smart", "snowy", "solar",
    "spry", "steady", "sunny", "swift", "tidy", "vivid", "warm", "wise", "zesty",
)
_ANIMALS = (
    "badger", "beaver", "bison", "bobcat", "crane", "cricket", "dingo", "dolphin", "eagle", "egret",
    "falcon", "ferret", "finch", "fox", "gecko", "gibbon", "heron", "hornet", "ibis", "jackal", "jaguar",
    "koala", "lemur", "lion", "llama", "lynx", "magpie", "marmot", "marten", "mink", "moose", "newt",
    "ocelot", "orca", "osprey", "otter", "owl", "panda", "pelican", "puffin", "quail", "rabbit", "raven",
    "robin", "salmon", "seal", "shark", "sparrow", "spider", "squid", "stork", "swan", "tapir", "tiger",
    "toucan", "trout", "turtle", "viper", "walrus", "weasel", "whale", "wolf", "wombat", "yak",
)


def memorable_name(run_id: str) -> str:
    """A run's name when none is given, from its id alone (one id, one name): brisk-otter-42."""
    digest = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:8], "big")
    adjective = _ADJECTIVES[digest % len(_ADJECTIVES)]
    animal = _ANIMALS[(digest // len(_ADJECTIVES)) % len(_ANIMALS)]
    number = (digest // (len(_ADJECTIVES) * len(_ANIMALS))) % 100
    return f"{adjective}-{animal}-{number}"


def iso_time(epoch: float | None) -> str | None:
    """An epoch time as ISO 8601 in UTC, or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="milliseconds")


def to_json_value(value: Any) -> Any:
    """A value as plain JSON: NumPy scalars unwrapped, tuples as lists, the rest as text.

    Non-finite floats become the strings "nan", "inf" and "-inf", which JSON can hold.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "item") and hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0:
        return to_json_value(value.item())  # a NumPy scalar
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_json_value(v) for v in items]
    if hasattr(value, "tolist"):
        return to_json_value(value.tolist())  # a NumPy array
    return str(value)


class RunStatus(enum.StrEnum):
    """How a run stands; every value but RUNNING and LOST is final."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    TIMEOUT = "timeout"
    KILLED = "killed"
    LOST = "lost"  # running, but its heartbeat stopped: derived when read, stored by fsck --mark-lost

    @property
    def is_ended(self) -> bool:
        return self not in (RunStatus.RUNNING, RunStatus.LOST)


@dataclass(frozen=True)
class MetricSummary:
    """The last, smallest and largest value of one metric key, for fast listing."""

    last: float
    min: float
    max: float
    step: int  # the step of the last value
    count: int


@dataclass(frozen=True)
class Artifact:
    """Named bytes kept with a run, stored once under their sha256."""

    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class NotebookRef:
    """The source notebook a run executed."""

    path: str
    sha256: str


@dataclass(frozen=True)
class RunError:
    """Where and how execution stopped: the cell, error name and value.

    `cell` is the one cell number everything shows (CLI, run detail, Lab's progress): the cell's
    1-based place among the code cells of the notebook as written, so "cell 3" is the third code
    cell you see in your notebook (markdown cells, and the parameters and autolog cells papermill
    and nbtrack insert, are not counted). None: not in a cell of the notebook as written.
    """

    cell: int | None
    ename: str
    evalue: str


@dataclass(frozen=True)
class Record:
    """A structured capture kept with a run: a data profile, a model, an evaluation..."""

    kind: str
    name: str
    body: dict[str, Any]


@dataclass(frozen=True)
class CellTiming:
    """What one executed cell cost."""

    index: int
    wall_s: float
    cpu_s: float | None = None
    rss_peak: int | None = None
    rss_delta: int | None = None
    status: str = "ok"


@dataclass(frozen=True)
class RunRecord:
    """One run as stored: what it was given, what it measured, how it ended."""

    id: str
    experiment: str
    status: RunStatus
    started_at: float
    name: str | None = None
    ended_at: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    summaries: dict[str, MetricSummary] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    notebook: NotebookRef | None = None
    error: RunError | None = None

    note: str = ""  # Markdown
    archived: bool = False
    colour: str = ""  # a stored run's: formatting.palette_colour(its row number); "" for one not read from a store

    @property
    def metrics(self) -> dict[str, float]:
        """The last value of every metric key."""
        return {key: s.last for key, s in self.summaries.items()}

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, or None while running."""
        return None if self.ended_at is None else self.ended_at - self.started_at

    @property
    def is_ended(self) -> bool:
        return self.status.is_ended

    def compare_row(self) -> tuple[Any, ...]:
        """(id, experiment, name, status, started_at, duration, params, last metric values): the
        run's row in compare(). A metric value may be None for NaN; treat the dicts as read-only."""
        return (self.id, self.experiment, self.name, str(self.status), self.started_at, self.duration,
                self.params, self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-safe values; the field names of the CLI and the server API."""
        return {
            "id": self.id,
            "experiment": self.experiment,
            "name": self.name or memorable_name(self.id),
            "note": self.note or "",
            "archived": self.archived,
            "colour": self.colour,
            "status": str(self.status),
            "params": self.params,
            "metrics": self.metrics,
            "summaries": {k: vars(s) for k, s in self.summaries.items()},
            "tags": self.tags,
            "started_at": iso_time(self.started_at),
            "ended_at": iso_time(self.ended_at),
            "duration": self.duration,
            "notebook": vars(self.notebook) if self.notebook else None,
            "artifacts": self.artifacts,
            "error": vars(self.error) if self.error else None,
        }
