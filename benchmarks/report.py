"""RESULTS.md: the machine, every figure, ratios against the peers of the same run, targets met or not."""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import statistics
import subprocess
import time
from collections import OrderedDict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from benchmarks import peers
from benchmarks.timing import Row, fmt

REPO = Path(__file__).resolve().parents[1]
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
NOTES_START = "<!-- bench:figures:start (written by make bench from its own run; do not edit) -->"
NOTES_END = "<!-- bench:figures:end -->"
EXTRAPOLATED = re.compile(r"scaled|extrapolat|taken as constant", re.IGNORECASE)


@dataclass(frozen=True)
class RunInfo:
    """One whole run of the suite: which commit it measured, when, and how loaded the machine was."""

    index: int
    commit: str
    started: float
    minutes: float
    load_start: float
    load_end: float

    @property
    def stamp(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.started))


def commit() -> str:
    """The commit measured, with "+uncommitted" when the tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "benchmarks", "pyproject.toml")
    return f"{head}+uncommitted" if dirty else head


def merge(per_run: list[list[Row]]) -> list[Row]:
    """One row per (measure, who): the median of the runs' figures, each run's figure kept in order."""
    order: OrderedDict[tuple[str, str], list[Row]] = OrderedDict()
    for rows in per_run:
        for row in rows:
            order.setdefault((row.measure, row.who), []).append(row)
    merged = []
    for group in order.values():
        values = [r.value for r in group if r.value is not None]
        last = group[-1]
        if len(per_run) == 1:
            merged.append(dataclasses.replace(last, per_run=values))
            continue
        cpus = [r.cpu for r in group if r.cpu is not None]
        merged.append(dataclasses.replace(
            last, value=statistics.median(values) if values else None, per_run=values,
            cpu=statistics.median(cpus) if cpus else None,
            samples=[s for r in group for s in r.samples]))
    return merged


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = ", ".join(f"{name} {_version(name)}" for name in ("sqlalchemy", "pandas", "papermill", "nbclient"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory:.0f} GiB; {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}",
        "- Peers, each pinned in its own venv under benchmarks/.venvs/: "
        + ", ".join(f"{p.label} {p.version}" for p in peers.ALL),
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def render(rows: list[Row], notes: list[str], header: list[str], profiles: dict[str, str], runs: int = 1) -> str:
    by_measure: OrderedDict[str, list[Row]] = OrderedDict()
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    out = ["# nbtrack benchmark results", "", "Written by `make bench` (benchmarks/runner.py); do not edit by hand.", ""]
    out += header + [""]
    out += ["## Targets", "",
            "Every figure is the median of its repetitions" + (f", then the median of {runs} whole runs" if runs > 1 else "")
            + ". Ratios compare with peers measured in the same run, at the same size (a row that is not says so).", "",
            "| measure | nbtrack | target | met | peers (nbtrack's advantage) |", "|---|---|---|---|---|"]
    for measure, group in by_measure.items():
        for ours in (r for r in group if r.is_nbtrack and r.target is not None):
            others = "; ".join(f"{r.who}: {fmt(r.value)} {r.unit} ({_advantage(ours, r)})"
                               for r in group if not r.is_nbtrack) or "-"
            met = "yes" if ours.target.met(ours.value) else "**no**"  # type: ignore[union-attr]
            name = measure if ours.who == "nbtrack" else f"{measure} [{ours.who}]"
            out.append(f"| {name} | {fmt(ours.value)} {ours.unit} | {ours.target} {ours.unit} | {met} | {others} |")
    out += ["", "## Every figure", "",
            "| measure | who | median | CPU s (median) | repetitions | "
            + ("each run | " if runs > 1 else "") + "note |",
            "|---|---|---|---|---|" + ("---|" if runs > 1 else "") + "---|"]
    for measure, group in by_measure.items():
        for row in group:
            samples = ", ".join(fmt(s) for s in row.samples) if row.samples else "-"
            each = (", ".join(fmt(v) for v in row.per_run) + " | ") if runs > 1 else ""
            out.append(f"| {measure} | {row.who} | {fmt(row.value)} {row.unit} | {fmt(row.cpu)} | {samples} | "
                       f"{each}{row.note} |")
    if notes:
        out += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    out += ["", "## Reading this run", "", *reading(rows)]
    notes_file = Path(__file__).with_name("NOTES.md")
    if notes_file.exists():  # how each row is taken: hand-written, without figures
        out += ["", hand_written(notes_file.read_text()).strip()]
    if profiles:
        out += ["", "## Profiles of missed targets", "",
                "One repetition of each missed measure under pyinstrument (wall time; the top of the call tree)."]
        for measure, text in profiles.items():
            out += ["", f"### {measure}", "", "```", text.rstrip(), "```"]
    return "\n".join(out) + "\n"


def _advantage(ours: Row, peer: Row) -> str:
    if not ours.value or not peer.value:
        return "-"
    ratio = ours.value / peer.value if ours.higher_is_better else peer.value / ours.value
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"


def reading(rows: list[Row]) -> list[str]:
    """What the run says, in sentences built from its own figures: targets met and missed, every ratio's
    two sides, and anything not measured at the size its row names."""
    targeted = [r for r in rows if r.target is not None and r.value is not None]
    missed = [r for r in targeted if not r.target.met(r.value)]  # type: ignore[union-attr]
    out = [f"- {len(targeted) - len(missed)} of {len(targeted)} targets met."]
    for row in missed:
        out.append(f"- Missed: {row.measure} ({row.who}): {fmt(row.value)} {row.unit}, target {row.target} {row.unit}.")
    scaled = [r for r in rows if EXTRAPOLATED.search(r.note)]
    if scaled:
        out += [f"- Extrapolated: {r.measure} ({r.who}): {r.note}." for r in scaled]
    else:
        out.append("- No figure is scaled or extrapolated: each row was measured at the size it names, and each "
                   "ratio row's two sides at the same size.")
    unchecked = [r for r in rows if "observed, not" in r.note]
    if unchecked:
        out.append(f"- {len(unchecked)} durability row(s) did not run at the setting they name (see their notes).")
    return out


def hand_written(text: str) -> str:
    """NOTES.md without its generated block."""
    if NOTES_START in text and NOTES_END in text:
        head, rest = text.split(NOTES_START, 1)
        return head + rest.split(NOTES_END, 1)[1]
    return text


def _block(path: Path, start: str, end: str, lines: list[str]) -> bool:
    """Rewrite what lies between the start and end markers of path; False when it has no markers."""
    if not path.exists():
        return False
    text = path.read_text()
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)
    return True


def _runs_line(runs: list[RunInfo]) -> str:
    shown = "; ".join(f"{r.stamp} at commit {r.commit}, load {r.load_start:.1f} -> {r.load_end:.1f}" for r in runs)
    how = f"the median of {len(runs)} whole runs" if len(runs) > 1 else "one whole run"
    return f"{how} of `make bench` ({shown})"


def write_notes(path: Path, rows: list[Row], runs: list[RunInfo], results: Path) -> bool:
    lines = ["## This run's figures (generated)", "",
             f"Written by `make bench` from {_runs_line(runs)}. Every figure is in {results.name}.", "",
             *reading(rows), "", "| measure | who | figure | target | met |", "|---|---|---|---|---|"]
    for row in rows:
        if row.target is not None:
            met = "yes" if row.target.met(row.value or 0.0) else "**no**"
            lines.append(f"| {row.measure} | {row.who} | {fmt(row.value)} {row.unit} | {row.target} {row.unit} | {met} |")
    return _block(path, NOTES_START, NOTES_END, lines)


def readme_table(rows: list[Row], runs: list[RunInfo]) -> list[str]:
    """README's benchmark table: every target row, beside MLflow measured in the same run at the same size."""
    by_measure: OrderedDict[str, list[Row]] = OrderedDict()
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    lines = [(f"Figures from {_runs_line(runs)} ({os.cpu_count()} cores; every figure the median of its "
              "repetitions; benchmarks/RESULTS.md has them all, with W&B and Aim). Each ratio compares the same "
              "size on both sides; `durability` is the store setting each figure ran at."), "",
             "| measure | nbtrack | MLflow (sqlite), same run and size | target | met |", "|---|---|---|---|---|"]
    for measure, group in by_measure.items():
        for ours in (r for r in group if r.is_nbtrack and r.target is not None):
            mlflow = [r for r in group if r.who.startswith(peers.MLFLOW.label)]
            theirs = "; ".join(f"{fmt(r.value)} {r.unit}" + (" (autolog)" if "autolog" in r.who else "")
                               for r in mlflow)
            if not theirs:  # a ratio row: its note names both sides
                theirs = ours.note if peers.MLFLOW.label in ours.note else "-"
            setting = re.search(r"durability=\w+", ours.who)
            name = measure + (f" ({setting.group(0)})" if setting and setting.group(0) not in measure else "")
            if EXTRAPOLATED.search(ours.note):
                name += f" (extrapolated: {ours.note})"
            met = "yes" if ours.target.met(ours.value or 0.0) else "**no**"  # type: ignore[union-attr]
            lines.append(f"| {name} | {fmt(ours.value)} {ours.unit} | {theirs} | {ours.target} {ours.unit} | {met} |")
    return lines


def write_readme(path: Path, rows: list[Row], runs: list[RunInfo], results: Path,
                 skipped: tuple[str, ...] = ()) -> bool:
    lines = readme_table(rows, runs)
    if skipped:
        lines += ["", f"Not measured in this run (`--skip`): {', '.join(skipped)}."]
    return _block(path, README_START, README_END, lines)
