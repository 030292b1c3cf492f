"""One value formatter: nbtrack.formatting and the Lab's format.ts keep the same rules, pinned by one table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nbtrack import formatting
from nbtrack.cli import output
from nbtrack.views.html import escape, format_value

CASES_FILE = Path(__file__).with_name("formatting_cases.json")
EXTENSION = Path(__file__).resolve().parents[2] / "extension"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def _python_value(raw: Any) -> Any:
    if isinstance(raw, dict) and set(raw) == {"float"}:
        return float(raw["float"])  # nan, inf, -inf: numbers JSON cannot hold
    return raw


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_each_case_reads_as_the_table_says(raw: Any, expected: str) -> None:
    assert formatting.value(_python_value(raw)) == expected


def test_the_cli_and_the_widgets_share_the_rules() -> None:
    for raw, expected in CASES:
        value = _python_value(raw)
        assert output.text(value) == format_value(value) == expected
    assert escape(None) == ""  # an empty element, not a missing value
    assert escape(True) == "true"


def test_numpy_numbers_follow_the_python_ones() -> None:
    np = pytest.importorskip("numpy")
    assert formatting.value(np.float64(0.123456)) == "0.1235"
    assert formatting.value(np.float32(0.25)) == "0.25"
    assert formatting.value(np.int64(12345)) == "12345"
    assert formatting.value([np.float64(2.0), np.int32(3)]) == "[2, 3]"


def _typescript_compiler(tmp_path: Path) -> Path:
    """The extension's own tsc, else the same TypeScript version installed from npm for this test."""
    tsc = EXTENSION / "node_modules" / ".bin" / "tsc"
    if tsc.exists():
        return tsc
    npm = shutil.which("npm")
    assert npm is not None, "npm (Node.js) is needed to check the Lab's format.ts"
    version = json.loads((EXTENSION / "package.json").read_text())["devDependencies"]["typescript"]
    subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(tmp_path),
                    f"typescript@{version}"], check=True, capture_output=True, timeout=300)
    return tmp_path / "node_modules" / ".bin" / "tsc"


def _compiled_format_js(tmp_path: Path) -> str:
    """format.ts as JavaScript, compiled by TypeScript as the extension pins it."""
    tsc = _typescript_compiler(tmp_path / "typescript")
    out = tmp_path / "out"
    subprocess.run([str(tsc), "--target", "ES2022", "--module", "esnext", "--strict", "--lib", "ES2022",
                    "--outDir", str(out), str(EXTENSION / "src" / "format.ts")], check=True, capture_output=True)
    return (out / "format.js").read_text(encoding="utf-8")


def test_the_lab_formats_each_case_the_same(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to check the Lab's format.ts"
    compiled = _compiled_format_js(tmp_path)
    harness = """
const cases = JSON.parse(process.env.NBTRACK_FORMAT_CASES);
const special = { nan: NaN, inf: Infinity, '-inf': -Infinity };
const input = raw => raw !== null && typeof raw === 'object' && !Array.isArray(raw)
  && Object.keys(raw).length === 1 && 'float' in raw ? special[raw.float] : raw;
process.stdout.write(JSON.stringify(cases.map(([raw]) => formatValue(input(raw)))));
"""
    done = subprocess.run([node, "--input-type=module"], input=compiled + harness, text=True,
                          capture_output=True, check=True, timeout=60,
                          env={"NBTRACK_FORMAT_CASES": json.dumps(CASES), "PATH": ""})
    shown = json.loads(done.stdout)
    mismatches = [(raw, got, expected) for (raw, expected), got in zip(CASES, shown, strict=True) if got != expected]
    assert mismatches == []


RUN_SETS = json.loads(CASES_FILE.read_text(encoding="utf-8"))["runs"]
PALETTE_CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["palette"]


@pytest.mark.parametrize("case", RUN_SETS, ids=[f"{len(c['ids'])} ids" for c in RUN_SETS])
def test_short_ids_read_as_the_table_says(case: dict[str, Any]) -> None:
    assert formatting.short_ids(case["ids"]) == case["short"]
    assert [formatting.palette_colour(i) for i, _ in PALETTE_CASES] == [c for _, c in PALETTE_CASES]


def test_short_ids_are_unique_and_a_sweeps_runs_get_different_colours(tmp_path: Path) -> None:
    sweep = [f"01KBX9Q2M4A7ZK3VQ8W1T2{i:04d}" for i in range(12)]
    short = formatting.short_ids(sweep)
    assert len(set(short.values())) == len(sweep) and all(len(s) >= formatting.SHORT_ID_MIN for s in short.values())
    from nbtrack.store import open_store

    store = open_store(tmp_path / "store")
    ids = [store.create_run("sweep", params={"seed": seed}) for seed in range(len(formatting.PALETTE))]
    colours = {run.id: run.colour for run in store.runs(limit=None)}
    assert len(set(colours.values())) == len(ids)  # created one after another: all different
    assert {store.run(i).to_dict()["colour"] for i in ids} == set(colours.values())  # the same colour everywhere


def test_a_run_is_named_by_its_short_id_as_well_as_by_a_prefix(tmp_path: Path) -> None:
    from nbtrack.errors import RunNotFound
    from nbtrack.store import open_store

    store = open_store(tmp_path / "store")
    first, second = "01KBX9Q2M4A7ZK3VQ8WXAAAAAA", "01KBX9Q2M4A7ZK3VQ8WYAAAAAA"
    for run_id in (first, second):
        store.create_run("e", run_id=run_id)
    short = formatting.short_ids([first, second])
    assert short == {first: "XAAAAAA", second: "YAAAAAA"}  # 6 would not tell them apart
    assert store.resolve(short[first]) == first and store.resolve(short[second].lower()) == second
    assert store.resolve(first) == first
    with pytest.raises(RunNotFound, match="ambiguous"):
        store.resolve("AAAAAA")
    with pytest.raises(RunNotFound, match="ambiguous"):
        store.resolve("01KBX9Q2")  # a prefix both share


def test_the_lab_shortens_ids_and_picks_palette_colours_the_same(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to check the Lab's format.ts"
    harness = """
const sets = JSON.parse(process.env.NBTRACK_RUN_SETS);
const palette = JSON.parse(process.env.NBTRACK_PALETTE);
process.stdout.write(JSON.stringify({short: sets.map(s => Object.fromEntries(shortIds(s.ids))),
  palette: palette.map(([i]) => paletteColour(i))}));
"""
    done = subprocess.run([node, "--input-type=module"], input=_compiled_format_js(tmp_path) + harness, text=True,
                          capture_output=True, check=True, timeout=60,
                          env={"NBTRACK_RUN_SETS": json.dumps(RUN_SETS), "NBTRACK_PALETTE": json.dumps(PALETTE_CASES),
                               "PATH": ""})
    assert json.loads(done.stdout) == {"short": [c["short"] for c in RUN_SETS], "palette": [c for _, c in PALETTE_CASES]}


LOWER_CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["lower_is_better"]


def test_which_metrics_are_better_smaller_reads_as_the_table_says() -> None:
    from nbtrack.analyze.differences import is_lower_better

    assert [(key, is_lower_better(key)) for key, _ in LOWER_CASES] == [tuple(case) for case in LOWER_CASES]


def test_the_lab_finds_the_same_metrics_better_smaller(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to check the Lab's format.ts"
    harness = """
const cases = JSON.parse(process.env.NBTRACK_LOWER_CASES);
process.stdout.write(JSON.stringify(cases.map(([key]) => [key, isLowerBetter(key)])));
"""
    done = subprocess.run([node, "--input-type=module"], input=_compiled_format_js(tmp_path) + harness, text=True,
                          capture_output=True, check=True, timeout=60,
                          env={"NBTRACK_LOWER_CASES": json.dumps(LOWER_CASES), "PATH": ""})
    assert json.loads(done.stdout) == LOWER_CASES
