"""Reproduce a run: execute its notebook again with its params, compare metrics, and explain differences.

By default the stored source notebook (the exact bytes the run executed) runs
again with every stored param, in the current environment: a difference then
comes from the data, the packages or nondeterminism. With source="current" the
notebook file at the run's path runs with the params the run was given, so
changed defaults and edited cells count too: "does today's checkout still
produce this run?" Either way the new run is an ordinary run, tagged
`reproduces=<id>`, and the causes are read from what both runs recorded.
"""

from __future__ import annotations

import difflib
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from nbtrack.capture.notebook import declared_params
from nbtrack.errors import UsageError
from nbtrack.execution.engine import EXECUTED_ARTIFACT, SOURCE_ARTIFACT
from nbtrack.execution.headless import execute

DEFAULT_TOLERANCE = 1e-6
_AUTOLOG_TAG = "nbtrack-autolog"
_SKIPPED_TAGS = {"injected-parameters", _AUTOLOG_TAG}


@dataclass
class Reproduction:
    """The original run, its replay, each metric side by side, and the likely causes of differences."""

    original: Any
    replay: Any
    tolerance: float
    metrics: list[dict[str, Any]] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return str(self.replay.status) == str(self.original.status) and all(m["same"] for m in self.metrics)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.original.id, "replay_id": self.replay.id, "same": self.same,
                "tolerance": self.tolerance, "status": [str(self.original.status), str(self.replay.status)],
                "metrics": self.metrics, "causes": self.causes}


def reproduce(store: Any, ref: str, *, tolerance: float = DEFAULT_TOLERANCE, source: str = "stored",
              timeout: float | None = None) -> Reproduction:
    """Execute a run's notebook again and compare; see the module docstring for the two sources."""
    if source not in ("stored", "current"):
        raise UsageError(f"source is 'stored' or 'current'. Got {source!r} instead.")
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise UsageError(f"tolerance is a number >= 0, such as 1e-6. Got {tolerance!r} instead.")
    original = store.run(ref)
    if not original.status.is_ended:
        raise UsageError(f"run {original.id} is {original.status}; reproduce a run that has ended")
    if SOURCE_ARTIFACT not in original.artifacts:
        raise UsageError(f"run {original.id} kept no source notebook; only runs executed by nbtrack "
                         "(nbtrack run, papermill --engine nbtrack) can be reproduced")
    stored_source = original.artifact(SOURCE_ARTIFACT)
    folder = _notebook_folder(original)
    executed = _executed(original)
    given = dict(executed.metadata.get("papermill", {}).get("parameters", {}) or {}) if executed else {}
    autolog = executed is not None and any(
        _AUTOLOG_TAG in c.get("metadata", {}).get("tags", []) for c in executed.cells)
    with tempfile.TemporaryDirectory(prefix="nbtrack-reproduce-") as scratch:
        if source == "current":
            path = Path(original.notebook.path) if original.notebook else None
            if path is None or not path.is_file():
                raise UsageError(f"the notebook of run {original.id} ({path}) is not there any more; "
                                 "reproduce from the stored copy with --source stored")
            params = given or dict(original.params)
        else:
            name = Path(original.notebook.path).name if original.notebook else "notebook.ipynb"
            path = Path(scratch) / name
            path.write_bytes(stored_source)
            params = dict(original.params)
        declared = declared_params(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        dropped = sorted(set(params) - set(declared))
        params = {k: v for k, v in params.items() if k in declared}
        replay = execute(path, params, store=store, experiment=original.experiment, raise_errors=False,
                         tags={"reproduces": original.id}, timeout=timeout, cwd=folder or scratch,
                         autolog=autolog)
    result = Reproduction(original, replay, float(tolerance))
    result.metrics = _compare_metrics(original.metrics, replay.metrics, tolerance)
    result.causes = [f"param {k} is no longer declared by the notebook" for k in dropped]
    result.causes += likely_causes(original, replay, given)
    if not result.same and not result.causes:
        result.causes.append("nothing recorded differs: the notebook is likely nondeterministic "
                             "(an unseeded random generator, threads, the clock, or a remote source)")
    return result


def _notebook_folder(run: Any) -> str | None:
    if run.notebook is None:
        return None
    folder = Path(run.notebook.path).parent
    return str(folder) if folder.is_dir() else None


def _executed(run: Any) -> Any:
    if EXECUTED_ARTIFACT not in run.artifacts:
        return None
    return nbformat.reads(run.artifact(EXECUTED_ARTIFACT).decode("utf-8"), as_version=4)


def _compare_metrics(before: dict[str, float], after: dict[str, float], tolerance: float) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            same = False
        elif math.isnan(a) or math.isnan(b):
            same = math.isnan(a) and math.isnan(b)
        else:
            same = abs(a - b) <= tolerance
        rows.append({"metric": key, "original": a, "replay": b,
                     "difference": None if a is None or b is None else b - a, "same": same})
    return rows


def likely_causes(original: Any, replay: Any, given: dict[str, Any]) -> list[str]:
    """What the two runs recorded differently: params, data, packages, notebook cells, git commit."""
    causes = []
    for key in sorted(set(original.params) | set(replay.params)):
        a, b = original.params.get(key, "(absent)"), replay.params.get(key, "(absent)")
        if a != b:
            why = "" if key in given else " (the run used the notebook's default, and the default changed)"
            causes.append(f"param {key}: {json.dumps(a)} -> {json.dumps(b)}{why}")
    causes += _data_causes(_bodies(original, "data"), _bodies(replay, "data"))
    env_a = _bodies(original, "environment").get("environment", {})
    env_b = _bodies(replay, "environment").get("environment", {})
    causes += _environment_causes(env_a, env_b)
    causes += _notebook_causes(original, replay)
    return causes


def _bodies(run: Any, kind: str) -> dict[str, Any]:
    return {record.name: record.body for record in run.records(kind)}


def _data_causes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    causes = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a is None or b is None:
            causes.append(f"data {name!r} was {'not ' if a is None else ''}profiled by the original run "
                          f"and {'not ' if b is None else ''}by the replay")
        elif a.get("fingerprint") != b.get("fingerprint"):
            rows = f", rows {a.get('rows')} -> {b.get('rows')}" if a.get("rows") != b.get("rows") else ""
            order = " (same rows, another order)" if a.get("rows_fingerprint") == b.get("rows_fingerprint") else ""
            causes.append(f"data {name!r} changed: fingerprint {str(a.get('fingerprint'))[:12]} -> "
                          f"{str(b.get('fingerprint'))[:12]}{rows}{order}")
    return causes


def _environment_causes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    causes = []
    python_a, python_b = before.get("python", {}).get("version"), after.get("python", {}).get("version")
    if python_a and python_b and python_a != python_b:
        causes.append(f"Python {python_a} -> {python_b}")
    packages_a, packages_b = before.get("packages") or {}, after.get("packages") or {}
    changed = [f"{name} {packages_a.get(name, '(absent)')} -> {packages_b.get(name, '(absent)')}"
               for name in sorted(set(packages_a) | set(packages_b))
               if packages_a.get(name) != packages_b.get(name)]
    if changed:
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
        causes.append(f"package versions changed: {shown}")
    git_a, git_b = before.get("git") or {}, after.get("git") or {}
    if git_a.get("commit") != git_b.get("commit") and (git_a or git_b):
        causes.append(f"git commit {str(git_a.get('commit'))[:10]} -> {str(git_b.get('commit'))[:10]}")
    elif git_a.get("diff") != git_b.get("diff") and (git_a.get("dirty") or git_b.get("dirty")):
        causes.append("uncommitted changes in the git working tree differ")
    return causes


def _notebook_causes(original: Any, replay: Any) -> list[str]:
    if not (original.notebook and replay.notebook) or original.notebook.sha256 == replay.notebook.sha256:
        return []
    cells_a = _code_cells(original.artifact(SOURCE_ARTIFACT))
    cells_b = _code_cells(replay.artifact(SOURCE_ARTIFACT))
    changed = []
    matcher = difflib.SequenceMatcher(a=cells_a, b=cells_b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        lines = [line for line in difflib.unified_diff("\n".join(cells_a[a0:a1]).splitlines(),
                                                       "\n".join(cells_b[b0:b1]).splitlines(), lineterm="", n=0)
                 if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        where = f"code cell {a0 + 1}" if a1 - a0 <= 1 else f"code cells {a0 + 1}-{a1}"  # 1-based
        verb = {"replace": "changed", "delete": "removed", "insert": "added"}[op]
        changed.append(f"{where} {verb}" + (f": {lines[0][:80]}" if lines else ""))
    if not changed:
        return ["the notebook changed outside its code cells (markdown or metadata)"]
    return ["notebook cells changed: " + "; ".join(changed[:5])]


def _code_cells(raw: bytes) -> list[str]:
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"
            and not _SKIPPED_TAGS & set(c.get("metadata", {}).get("tags", []))]
