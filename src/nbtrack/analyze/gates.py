"""Quality gates: a run's metrics and data checked against thresholds and against a baseline run.

A gate is either a condition (`metrics.test.f1 >= 0.9`, `data.train.rows >= 1000`,
`data.scoring.schema == data.train.schema`) or a regression limit against a
baseline such as the champion (`max_drop={"test.f1": 0.01}`). The report says
for every rule what was observed, so a CI log explains a failure by itself,
and renders as JUnit XML, one test case per rule, or as Markdown for a pull request.
"""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbtrack import formatting
from nbtrack.analyze.conditions import MISSING, RunValues, parse_condition
from nbtrack.errors import UsageError

RECORD_KIND = "gate"
MAX_DELTA_ROWS = 50  # a pull-request comment stays readable; the rest is counted


@dataclass(frozen=True)
class GateResult:
    """One rule's verdict: pass, fail (the rule is false or a value is missing) or error."""

    rule: str
    status: str  # pass | fail | error
    detail: str
    observed: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "status": self.status, "detail": self.detail, "observed": self.observed}


@dataclass(frozen=True)
class GateReport:
    """Every rule checked on one run, against an optional baseline run."""

    run_id: str
    baseline: str | None  # the reference as given (churn@champion), else None
    baseline_run_id: str | None
    results: list[GateResult]
    checked_at: float = field(default_factory=time.time)
    deltas: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # metric, run, baseline

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "baseline": self.baseline, "baseline_run_id": self.baseline_run_id,
                "passed": self.passed, "checked_at": self.checked_at,
                "results": [r.to_dict() for r in self.results],
                "deltas": [{"metric": k, "run": v, "baseline": b} for k, v, b in self.deltas]}

    def markdown(self) -> str:
        """The verdict, one row per rule and the metric deltas against the baseline, as GitHub Markdown."""
        failed = sum(not r.passed for r in self.results)
        against = f" against {_md(self.baseline)} (`{self.baseline_run_id}`)" if self.baseline_run_id else ""
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [f"### nbtrack check {verdict.lower()}: run `{self.run_id}`{against}", "",
                 f"**{verdict}**: {len(self.results) - failed} of {len(self.results)} rules passed.", "",
                 "| result | rule | observed | baseline |", "| --- | --- | --- | --- |"]
        for r in self.results:
            mark = {"pass": "✅ pass", "fail": "❌ fail"}.get(r.status, "⚠️ error")
            own = {k: v for k, v in r.observed.items() if not k.startswith("baseline.")}
            base = {k.removeprefix("baseline."): v for k, v in r.observed.items() if k.startswith("baseline.")}
            seen = _fields(own) if r.status != "error" else r.detail
            if r.status != "pass" and r.detail.startswith("missing"):
                seen = r.detail
            lines.append(f"| {mark} | {_md(r.rule)} | {_md(seen)} | {_md(_fields(base))} |")
        if self.deltas:
            lines += ["", f"#### Metrics against {_md(self.baseline or self.baseline_run_id or '')}", "",
                      "| metric | run | baseline | change |", "| --- | ---: | ---: | ---: |"]
            for key, value, base in self.deltas[:MAX_DELTA_ROWS]:
                change = f"{value - base:+.4g}" if value is not None and base is not None else ""
                lines.append(f"| {_md(key)} | {_md(_text(value) if value is not None else '')} | "
                             f"{_md(_text(base) if base is not None else '')} | {_md(change)} |")
            if len(self.deltas) > MAX_DELTA_ROWS:
                more = len(self.deltas) - MAX_DELTA_ROWS
                lines += ["", f"... and {more} more metrics (`nbtrack check --format json` lists them all)."]
        return "\n".join(lines) + "\n"

    def junit(self) -> bytes:
        """JUnit XML: one test suite for the run, one test case per rule."""
        failures = sum(r.status == "fail" for r in self.results)
        errors = sum(r.status == "error" for r in self.results)
        suites = ET.Element("testsuites", name="nbtrack check", tests=str(len(self.results)),
                            failures=str(failures), errors=str(errors))
        suite = ET.SubElement(suites, "testsuite", name=f"nbtrack check {self.run_id}",
                              tests=str(len(self.results)), failures=str(failures), errors=str(errors),
                              skipped="0", time="0",
                              timestamp=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.checked_at)))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="run", value=self.run_id)
        if self.baseline_run_id:
            ET.SubElement(props, "property", name="baseline", value=f"{self.baseline} ({self.baseline_run_id})")
        for result in self.results:
            case = ET.SubElement(suite, "testcase", classname=f"nbtrack.gates.{self.run_id}",
                                 name=result.rule, time="0")
            if result.status == "fail":
                ET.SubElement(case, "failure", message=result.detail, type="GateFailed").text = result.detail
            elif result.status == "error":
                ET.SubElement(case, "error", message=result.detail, type="GateError").text = result.detail
            else:
                ET.SubElement(case, "system-out").text = result.detail
        ET.indent(suites)
        return ET.tostring(suites, encoding="utf-8", xml_declaration=True)


def check_gates(run: Any, gates: Iterable[str] = (), *, champion: Any = None,
                max_drop: Mapping[str, float] | None = None,
                max_rise: Mapping[str, float] | None = None) -> GateReport:
    """Check a run against conditions and, given a champion (a run or NAME@ALIAS), regression limits.

    max_drop={"test.f1": 0.01} fails when the run's test.f1 is more than 0.01 below the
    champion's; max_rise does the same for metrics where lower is better (loss, cost).

    >>> report = check_gates(store.run("01JD3F"), ["metrics.test.f1 >= 0.9"],
    ...                      champion="churn@champion", max_drop={"test.f1": 0.01})  # doctest: +SKIP
    >>> report.passed                                                                   # doctest: +SKIP
    """
    baseline_ref = champion if isinstance(champion, str) else None
    baseline = run._store.run(champion) if isinstance(champion, str) else champion
    conditions = [parse_condition(g) for g in gates]
    limits = [(k, float(v), -1) for k, v in (max_drop or {}).items()] + \
             [(k, float(v), 1) for k, v in (max_rise or {}).items()]
    if not conditions and not limits:
        raise UsageError("no gates to check; give --require CONDITION or --max-drop METRIC=AMOUNT")
    if limits and baseline is None:
        raise UsageError("--max-drop and --max-rise compare with a baseline; add --baseline NAME@champion or RUN")
    for key, amount, _ in limits:
        if not math.isfinite(amount) or amount < 0:
            raise UsageError(f"a regression limit is a number >= 0, such as test.f1=0.01. Got {key}={amount} instead.")
    values = RunValues(run, baseline)
    results = [_condition_result(c.source, c.evaluate(values)) for c in conditions]
    results += [_limit_result(key, amount, sign, values) for key, amount, sign in limits]
    if baseline is not None and baseline_ref is None:
        baseline_ref = baseline.id
    return GateReport(run.id, baseline_ref, baseline.id if baseline is not None else None, results,
                      deltas=_deltas(run, baseline, [key for key, _, _ in limits]) if baseline is not None else [])


def _deltas(run: Any, baseline: Any, first: list[str]) -> list[tuple[str, float | None, float | None]]:
    """Every metric of either run, the gated ones first, then by name."""
    mine, theirs = run.metrics, baseline.metrics
    keys = sorted(set(mine) | set(theirs), key=lambda k: (k not in first, k))
    return [(k, mine.get(k), theirs.get(k)) for k in keys]


def _condition_result(rule: str, outcome: Any) -> GateResult:
    shown = ", ".join(f"{k} = {_text(v)}" for k, v in outcome.observed.items())
    if outcome.error:
        return GateResult(rule, "error", outcome.error, outcome.observed)
    if outcome.missing:
        names = ", ".join(outcome.missing)
        return GateResult(rule, "fail", f"missing {names}" + (f" ({shown})" if shown else ""), outcome.observed)
    return GateResult(rule, "pass" if outcome.passed else "fail", shown or "no fields", outcome.observed)


def _limit_result(key: str, amount: float, sign: int, values: RunValues) -> GateResult:
    verb = "drop" if sign < 0 else "rise"
    rule = f"metrics.{key} max {verb} {amount:g} vs baseline"
    current, base = values(f"metrics.{key}"), values(f"baseline.metrics.{key}")
    observed = {f"metrics.{key}": current, f"baseline.metrics.{key}": base}
    missing = [name for name, v in observed.items() if v is MISSING]
    if missing:
        return GateResult(rule, "fail", f"missing {', '.join(missing)}",
                          {k: v for k, v in observed.items() if v is not MISSING})
    change = (current - base) * sign  # positive: moved the wrong way
    detail = f"{key} {_text(current)} vs baseline {_text(base)}: {verb} {_text(max(change, 0.0))} (allowed {amount:g})"
    ok = not (math.isnan(current) or math.isnan(base)) and change <= amount + 1e-12
    return GateResult(rule, "pass" if ok else "fail", detail, observed)


def _fields(observed: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {_text(v)}" for k, v in observed.items())


def _md(text: str) -> str:
    """Text safe in a Markdown table cell: punctuation escaped, so a tag value cannot add markup."""
    text = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


_MD_SPECIAL = set("\\`*_[]<>|~&")  # enough mid-cell: a cell never starts a line


def _text(value: Any) -> str:
    if isinstance(value, float):
        return formatting.number(value)
    if isinstance(value, dict):
        shown = ", ".join(f"{k}: {v}" for k, v in list(value.items())[:2])
        return "{" + shown + (f", ... {len(value)} in all" if len(value) > 2 else "") + "}"
    return repr(value) if isinstance(value, str) else str(value)
