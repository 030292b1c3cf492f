"""Run every measure (or some), then write RESULTS.md; `make bench` calls this."""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import importlib
import importlib.util
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import report
from benchmarks.context import Context
from benchmarks.timing import Row

HERE = Path(__file__).resolve().parent
# Cheapest first; peers and kernels last, so a slow peer cannot starve nbtrack's own figures.
MEASURES = ["imports", "logging", "series", "runs", "listing", "profile", "postgres", "lab", "runs_table_api",
            "lab_table", "lab_charts", "notebooks", "from_mlflow"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="every size shrunk: checks that each measure runs")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per figure (median reported)")
    parser.add_argument("--runs", type=int, default=1,
                        help="whole runs of the suite, one after another: each figure is their median, every "
                             "run's figure is listed, and each run's commit, time and load are in the header")
    parser.add_argument("--readme", type=Path, default=HERE.parent / "README.md",
                        help="README whose block between <!-- bench:start --> and <!-- bench:end --> is rewritten")
    parser.add_argument("--notes", type=Path, default=HERE / "NOTES.md",
                        help="NOTES.md whose generated block is rewritten from this run")
    parser.add_argument("--no-peers", action="store_true", help="measure nbtrack only")
    parser.add_argument("--only", nargs="*", choices=MEASURES, help="run only these measures")
    parser.add_argument("--skip", nargs="*", choices=MEASURES, default=[],
                        help="leave these measures out of a whole run; RESULTS.md and the README block say so")
    parser.add_argument("--strict", action="store_true", help="a measure that fails stops the run (tests)")
    parser.add_argument("--no-profile", action="store_true", help="do not profile missed targets")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--measure-into", type=Path, help=argparse.SUPPRESS)  # a child: one measure, pickled
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.pop("NBTRACK_RUN_ID", None)
    started = time.time()
    if args.measure_into is not None:
        return _child(args)
    compiled = compile_package("nbtrack")
    runs: list[report.RunInfo] = []
    per_run: list[list[Row]] = []
    notes: list[str] = []
    profiles: dict[str, str] = {}
    for index in range(max(1, args.runs)):
        began, load = time.time(), os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="nbtrack-bench-") as workdir:
            os.environ["NBTRACK_STORE"] = str(Path(workdir) / "default-store")
            ctx = Context(Path(workdir), tiny=args.tiny, reps=args.reps, with_peers=not args.no_peers,
                          profile=not (args.no_profile or args.tiny))
            for name in [m for m in args.only or MEASURES if m not in args.skip]:
                clock = time.perf_counter()
                _measure_in_child(name, ctx, args)
                print(f"bench: run {index + 1}, {name} done in {time.perf_counter() - clock:.0f} s", flush=True)
        runs.append(report.RunInfo(index + 1, report.commit(), began, (time.time() - began) / 60, load,
                                   os.getloadavg()[0]))
        per_run.append(ctx.rows)
        notes += [note for note in ctx.notes if note not in notes]
        notes += [f"measure {name} was not run (--skip): its rows are missing from this run" for name in args.skip
                  if f"measure {name} was not run (--skip): its rows are missing from this run" not in notes]
        profiles.update(ctx.profiles)
    rows = report.merge(per_run)
    minutes = (time.time() - started) / 60
    header = ["## Machine", "", *report.machine(),
              ("- The machine is shared, so wall times are noisy; CPU seconds and ratios of back-to-back pairs "
               "are steadier."),
              f"- {len(runs)} whole run(s) of the suite, {args.reps} repetitions per figure"
              + (", tiny sizes" if args.tiny else "") + f", {minutes:.1f} minutes in all:",
              *[f"  - run {r.index}: {r.stamp} at commit {r.commit}, {r.minutes:.1f} min, load average "
                f"(1 min) {r.load_start:.1f} at its start, {r.load_end:.1f} at its end" for r in runs],
              f"- nbtrack's {compiled} modules were compiled to bytecode before the first run, as pip does when it "
              "installs a wheel and as the peers' venvs were by pip: an editable install under "
              "PYTHONDONTWRITEBYTECODE would otherwise compile them in every fresh process."]
    args.out.write_text(report.render(rows, notes, header, profiles, len(runs)))
    print(f"bench: wrote {args.out} ({len(rows)} figures, {minutes:.1f} min)")
    if not args.tiny and not args.only:  # only a whole run at full size speaks for the project
        if report.write_notes(args.notes, rows, runs, args.out):
            print(f"bench: rewrote the generated block of {args.notes}")
        if report.write_readme(args.readme, rows, runs, args.out, tuple(args.skip)):
            print(f"bench: rewrote the generated block of {args.readme}")
    return 0


def compile_package(name: str) -> int:
    """Compile the installed package `name` to bytecode, as pip does for a wheel; the number of its modules.

    An editable install keeps its source in the checkout, and when PYTHONDONTWRITEBYTECODE is set (this
    machine sets it) no import writes bytecode, so each fresh process compiled nbtrack again: 0.036 s of
    the first start_run() (0.250 -> 0.215 s, median of 12 pairs), a cost no user of a wheel pays and no
    peer paid. Bytecode checked by the source's mtime stays correct if the source changes afterwards.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not an installed package")
    folders = [Path(folder) for folder in spec.submodule_search_locations]
    for folder in folders:
        if not compileall.compile_dir(folder, quiet=1, workers=1):
            raise RuntimeError(f"{name}: a module in {folder} does not compile")
    return sum(1 for folder in folders for _ in folder.rglob("*.py"))


def _child(args: argparse.Namespace) -> int:
    """One measure in this process (the parent runs each in a fresh one), its rows pickled for the parent."""
    with tempfile.TemporaryDirectory(prefix="nbtrack-bench-") as workdir:
        os.environ["NBTRACK_STORE"] = str(Path(workdir) / "default-store")
        ctx = Context(Path(workdir), tiny=args.tiny, reps=args.reps, with_peers=not args.no_peers,
                      profile=not (args.no_profile or args.tiny))
        for name in args.only or MEASURES:
            _measure(name, ctx, args.strict)
        rows = [dataclasses.replace(row, probe=None) for row in ctx.rows]
        args.measure_into.write_bytes(pickle.dumps((rows, ctx.notes, ctx.profiles)))
    return 0


def _measure(name: str, ctx: Context, strict: bool) -> None:
    try:
        importlib.import_module(f"benchmarks.measures.{name}").run(ctx)
    except Exception as exc:
        if strict:
            raise
        last = traceback.format_exception_only(exc)[-1].strip()
        ctx.note(f"measure {name} failed: {last}")


def _measure_in_child(name: str, ctx: Context, args: argparse.Namespace) -> None:
    """One measure in a fresh process, its rows merged into ctx.

    Run in one process, a measure paid for what the earlier ones left behind (a heap
    grown by a million points, their stores and threads): 10,000 runs into a DataFrame
    took 0.78 CPU s after the other measures and 0.46 s alone.
    """
    with tempfile.TemporaryDirectory(prefix=f"nbtrack-bench-{name}-") as folder:
        into = Path(folder) / "rows.pickle"
        command = [sys.executable, "-m", "benchmarks", "--only", name, "--reps", str(args.reps),
                   "--measure-into", str(into)]
        command += [flag for flag, on in (("--tiny", args.tiny), ("--no-peers", args.no_peers),
                                          ("--strict", args.strict), ("--no-profile", args.no_profile)) if on]
        done = subprocess.run(command, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode != 0 or not into.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            if args.strict:
                raise RuntimeError(f"measure {name} failed: {last}")
            ctx.note(f"measure {name} failed: {last}")
            return
        rows, notes, profiles = pickle.loads(into.read_bytes())
    ctx.rows.extend(rows)
    for note in notes:  # two measures may say the same thing (e.g. a durability setting not in effect)
        ctx.note(note)
    ctx.profiles.update(profiles)
