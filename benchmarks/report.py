"""RESULTS.md: the machine, every figure, ratios against the peers of the same run, targets met or not."""

from __future__ import annotations

import os
import platform
import subprocess
from collections import OrderedDict
from importlib import metadata
from pathlib import Path

from benchmarks import peers
from benchmarks.timing import Row, fmt

REPO = Path(__file__).resolve().parents[1]


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
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=REPO).stdout.strip() or "unknown"
    versions = ", ".join(f"{name} {_version(name)}" for name in ("sqlalchemy", "pandas", "papermill", "nbclient"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory:.0f} GiB; {platform.platform()}",
        f"- Python {platform.python_version()}; nbtrack at commit {commit}; {versions}",
        "- Peers, each pinned in its own venv under benchmarks/.venvs/: "
        + ", ".join(f"{p.label} {p.version}" for p in peers.ALL),
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def render(rows: list[Row], notes: list[str], header: list[str], profiles: dict[str, str]) -> str:
    by_measure: OrderedDict[str, list[Row]] = OrderedDict()
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    out = ["# nbtrack benchmark results", "", "Written by `make bench` (benchmarks/runner.py); do not edit by hand.", ""]
    out += header + [""]
    out += ["## Targets", "",
            "Every figure is the median of its repetitions. Ratios compare with peers measured in the same run.", "",
            "| measure | nbtrack | target | met | peers (nbtrack's advantage) |", "|---|---|---|---|---|"]
    for measure, group in by_measure.items():
        for ours in (r for r in group if r.who == "nbtrack" and r.target is not None):
            others = "; ".join(f"{r.who}: {fmt(r.value)} {r.unit} ({_advantage(ours, r)})"
                               for r in group if not r.is_nbtrack) or "-"
            met = "yes" if ours.target.met(ours.value) else "**no**"  # type: ignore[union-attr]
            out.append(f"| {measure} | {fmt(ours.value)} {ours.unit} | {ours.target} {ours.unit} | {met} | {others} |")
    out += ["", "## Every figure", "",
            "| measure | who | median | CPU s (median) | repetitions | note |", "|---|---|---|---|---|---|"]
    for measure, group in by_measure.items():
        for row in group:
            samples = ", ".join(fmt(s) for s in row.samples) if row.samples else "-"
            out.append(f"| {measure} | {row.who} | {fmt(row.value)} {row.unit} | {fmt(row.cpu)} | {samples} | "
                       f"{row.note} |")
    if notes:
        out += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    notes_file = Path(__file__).with_name("NOTES.md")
    if notes_file.exists():  # the hand-written reading of the misses, kept with the code
        out += ["", notes_file.read_text().strip()]
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
