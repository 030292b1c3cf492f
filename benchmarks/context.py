"""What a measure is handed: sizes (full or tiny), repetitions, a scratch folder, which peers run."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import peers
from benchmarks.timing import Row

T = TypeVar("T")


@dataclass
class Context:
    """tiny shrinks every size so the smoke test runs each measure in seconds."""

    workdir: Path
    tiny: bool = False
    reps: int = 3
    with_peers: bool = True
    profile: bool = False  # profile one more repetition of each missed target, when it is missed
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)

    def size(self, full: T, tiny: T) -> T:
        return tiny if self.tiny else full

    @property
    def peers(self) -> tuple[peers.Peer, ...]:
        return peers.ALL if self.with_peers else ()

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        missed = row.target is not None and not row.target.met(row.value or 0.0)
        if self.profile and missed and row.probe is not None:
            self.profiles[row.measure] = profiled(row.probe)
        return row

    @contextmanager
    def scratch(self, name: str) -> Iterator[Path]:
        """A fresh folder for one measure, removed afterwards (stores can be large)."""
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def in_scratch(self, name: str, action: Callable[[Path], Any]) -> Callable[[], Any]:
        """action(folder) in a fresh scratch folder, as a probe a profiler can call later."""
        def probe() -> Any:
            with self.scratch(name) as where:
                return action(where)
        return probe

    def peer(self, peer: peers.Peer, measure: str, timeout: float = 600, **options: Any) -> dict[str, Any] | None:
        """A peer's figures, or None with the reason kept as a note for RESULTS.md."""
        with self.scratch(f"{peer.name}-{measure}") as where:
            try:
                return peers.run(peer, measure, where, timeout=timeout, **options)
            except peers.PeerUnavailable as exc:
                self.note(f"{peer.title}, {measure}: {exc}")
                return None

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


LEVELS = ("normal", "full")  # NBTRACK_DURABILITY: WAL + synchronous=NORMAL, or every commit fsynced


@contextmanager
def durability(level: str) -> Iterator[None]:
    """Stores opened inside run at this durability (NBTRACK_DURABILITY), the previous setting restored after."""
    before = os.environ.get("NBTRACK_DURABILITY")
    os.environ["NBTRACK_DURABILITY"] = level
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("NBTRACK_DURABILITY", None)
        else:
            os.environ["NBTRACK_DURABILITY"] = before


def synchronous(store: Any) -> str:
    """SQLite's synchronous setting as the store's own connections have it: what a durability row measured."""
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    try:
        with store.engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                return conn.dialect.name
            return names.get(conn.exec_driver_sql("PRAGMA synchronous").scalar(), "unknown")
    except Exception as exc:  # a store without an engine: say so rather than fail the measure
        return f"unknown ({type(exc).__name__})"


def who(level: str) -> str:
    return f"nbtrack (durability={level})"


def checked(ctx: Context, level: str, observed: str) -> str:
    """The row note for a durability figure; a setting that did not take effect is said in the Notes too."""
    wanted = {"normal": "NORMAL", "full": "FULL"}[level]
    if observed == wanted:
        return f"SQLite synchronous={observed}, checked on the store's connection"
    ctx.note(f"NBTRACK_DURABILITY={level} asked for synchronous={wanted}, but the store's connections had "
             f"synchronous={observed}: the durability={level} rows of this run measured that setting")
    return f"**synchronous={observed} observed, not {wanted}**"


def nbtrack_env(store: Path | str) -> dict[str, str]:
    """The environment of a child process that writes to `store` and nowhere else."""
    env = {**os.environ, "NBTRACK_STORE": str(store), "MPLBACKEND": "Agg"}
    env.pop("NBTRACK_RUN_ID", None)
    return env


def profiled(action: Callable[[], Any], lines: int = 45) -> str:
    """The top of the call tree of one call of action, as pyinstrument prints it."""
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    try:
        action()
    finally:
        profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return "\n".join(text.splitlines()[:lines])


TESTS = Path(__file__).resolve().parents[1] / "tests"


def from_tests(module: str) -> Any:
    """A helper module of the test suite (tests/browser/lab.py, tests/local_servers.py), imported with
    tests/ on sys.path only while it loads: the measures start Lab and PostgreSQL as the tests do."""
    import importlib

    sys.path.insert(0, str(TESTS))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(TESTS))
