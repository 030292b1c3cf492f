"""A registered model's life in one read: versions and the runs they came from, alias moves, gate
verdicts, the monitoring runs that scored it (their drift, the alerts that fired and what those launched).

A monitoring run is a run with a "drift" record (Run.log_data(..., reference="churn@champion"))
whose reference resolved to a version's run: the record keeps that run id, so a monitoring
run belongs to the version that was champion when it ran, however the alias moved since.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nbtrack.records import iso_time

MAX_METRICS = 50  # summaries per version's run
MAX_DRIFT_RECORDS = 2000  # the newest drift records read to find monitoring runs
MAX_MONITORING = 200  # monitoring runs listed per version, newest first
MAX_GATE_RECORDS = 2000  # the newest gate verdicts read to find candidates
MAX_CANDIDATES = 100
DATA_FACTS = ("rows", "columns", "missing_share", "fingerprint", "rows_fingerprint")


def model_life(store: Any, name: str) -> dict[str, Any]:
    """{"name", "aliases": {alias: {"version", "since"}}, "history": [move...], "versions": [...] newest first,
    "candidates": [runs gated against this model that are no version of it]}.

    Each version: its ref, created_at, aliases, artifact, and "run" (id, name, status, metrics
    summaries, params), "data" (each data record's size and fingerprints), "gates" (every
    `nbtrack check` verdict kept on the run), "alerts" (rules that fired on the training run itself),
    "monitoring" (runs that scored it, with drift, the alerts that fired and what they launched).
    """
    from nbtrack.store.reads import records_of

    versions = store.models.versions(name)
    aliases = store.models.aliases(name)
    history = [_move(m) for m in store.models.history(name)]
    run_ids = list(dict.fromkeys(v.run_id for v in versions))
    runs = _runs(store, run_ids)
    records = records_of(store, run_ids, ["data", "gate", "alert"])
    monitoring = monitoring_runs(store, run_ids)
    return {
        "candidates": candidates(store, name, set(run_ids)),
        "name": name,
        "aliases": {alias: {"version": version, "since": since, "since_iso": iso_time(since)}
                    for alias, (version, since) in aliases.items()},
        "history": history,
        "versions": [{
            **v.to_dict(), "created_iso": iso_time(v.created_at),
            "run": _run_summary(runs.get(v.run_id)),
            "data": [_data(name_, body) for name_, body in records["data"].get(v.run_id, {}).items()],
            "gates": sorted((_gate(body) for body in records["gate"].get(v.run_id, {}).values()),
                            key=lambda g: g["checked_at"] or 0, reverse=True),
            "alerts": [_alert(body) for body in records["alert"].get(v.run_id, {}).values()],
            "monitoring": monitoring.get(v.run_id, []),
        } for v in versions],
    }


def lineage(store: Any, name: str, version: int | str) -> dict[str, Any]:
    """One version's chain: data profiles -> training run -> the version -> its alias moves -> monitoring runs."""
    ref = f"{name}@{version}"
    found = store.models.get(ref)
    life = model_life(store, name)
    entry = next(v for v in life["versions"] if v["version"] == found.version)
    moves = [m for m in life["history"] if found.version in (m["version"], m["previous"])]
    return {"ref": found.ref, "name": name, "version": found.version, "data": entry["data"],
            "run": entry["run"], "gates": entry["gates"], "aliases": entry["aliases"], "alias_moves": moves,
            "alerts": entry["alerts"], "monitoring": entry["monitoring"]}


def candidates(store: Any, name: str, versions: set[str]) -> list[dict[str, Any]]:
    """Runs checked against this model (`nbtrack check RUN --baseline NAME@ALIAS`) that are no version of it,
    newest check first: the candidates a gate stopped, or that wait to be registered."""
    from nbtrack.store.reads import newest_records

    found = []
    for record in newest_records(store, "gate", limit=MAX_GATE_RECORDS):
        body = record["body"] if isinstance(record["body"], dict) else {}
        baseline = body.get("baseline")
        if isinstance(baseline, str) and baseline.partition("@")[0] == name and record["run_id"] not in versions:
            found.append({"run_id": record["run_id"], **_gate(body)})
        if len(found) >= MAX_CANDIDATES:
            break
    runs = _runs(store, list(dict.fromkeys(c["run_id"] for c in found)))
    for entry in found:
        run = runs.get(entry["run_id"])
        entry["name"] = run.name if run else None
        entry["status"] = str(run.status) if run else None
    return found


def monitoring_runs(store: Any, run_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Version run id -> the runs whose drift records name it as reference, newest first, with their alerts."""
    from nbtrack.store.reads import newest_records, records_of

    wanted = set(run_ids)
    by_reference: dict[str, dict[str, dict[str, Any]]] = {}
    for record in newest_records(store, "drift", limit=MAX_DRIFT_RECORDS):
        reference = record["body"].get("reference") if isinstance(record["body"], dict) else None
        target = reference.get("run_id") if isinstance(reference, dict) else None
        if not isinstance(target, str) or target not in wanted:
            continue
        runs_of = by_reference.setdefault(target, {})
        entry = runs_of.setdefault(record["run_id"], {"run_id": record["run_id"], "drift": []})
        if len(runs_of) > MAX_MONITORING:
            runs_of.pop(record["run_id"])
            continue
        entry["drift"].append(_drift(record["name"], record["body"]))
    monitors = [run_id for found in by_reference.values() for run_id in found]
    alerts = records_of(store, monitors, ["alert"])["alert"]
    runs = _runs(store, monitors)
    result: dict[str, list[dict[str, Any]]] = {}
    for target, found in by_reference.items():
        listed = []
        for run_id, entry in found.items():
            run = runs.get(run_id)
            listed.append({**entry, "name": run.name if run else None, "status": str(run.status) if run else None,
                           "started_at": run.started_at if run else None,
                           "alerts": [_alert(body) for body in alerts.get(run_id, {}).values()]})
        listed.sort(key=lambda e: e["started_at"] or 0, reverse=True)
        result[target] = listed
    return result


def _runs(store: Any, run_ids: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    ids = list(run_ids)
    for start in range(0, len(ids), 900):
        batch = ids[start:start + 900]
        listed = "id in (" + ", ".join(f"'{i}'" for i in batch) + ")"
        found.update({run.id: run for run in store.runs(listed, archived="include")})
    return found


def _run_summary(run: Any) -> dict[str, Any] | None:
    if run is None:
        return None  # deleted since: a version keeps its number
    summaries = sorted(run.summaries.items(), key=lambda item: (not item[0].startswith("test."), item[0]))
    return {"id": run.id, "name": run.name, "status": str(run.status), "experiment": run.experiment,
            "started_at": run.started_at, "ended_at": run.ended_at, "params": run.params,
            "metrics": {key: {"last": _finite(s.last), "min": _finite(s.min), "max": _finite(s.max),
                              "step": s.step, "count": s.count} for key, s in summaries[:MAX_METRICS]},
            "metrics_left_out": max(0, len(summaries) - MAX_METRICS)}


def _data(name: str, body: Any) -> dict[str, Any]:
    body = body if isinstance(body, dict) else {}
    return {"name": name, **{fact: body.get(fact) for fact in DATA_FACTS}}


def _gate(body: Any) -> dict[str, Any]:
    body = body if isinstance(body, dict) else {}
    results = body.get("results") if isinstance(body.get("results"), list) else []
    return {"passed": body.get("passed"), "checked_at": body.get("checked_at"),
            "checked_iso": iso_time(body["checked_at"]) if isinstance(body.get("checked_at"), (int, float)) else None,
            "baseline": body.get("baseline"), "baseline_run_id": body.get("baseline_run_id"),
            "results": [{k: r.get(k) for k in ("rule", "status", "detail", "observed")}
                        for r in results if isinstance(r, dict)]}


def _drift(name: str, body: Any) -> dict[str, Any]:
    body = body if isinstance(body, dict) else {}
    drifted = body.get("drifted") if isinstance(body.get("drifted"), list) else []
    return {"data": name, "share": body.get("share"), "drifted_columns": [str(c) for c in drifted][:100],
            "compared": body.get("compared"), "schema_changed": body.get("schema_changed"),
            "reference": body.get("reference")}


def _alert(body: Any) -> dict[str, Any]:
    body = body if isinstance(body, dict) else {}
    actions = body.get("actions") if isinstance(body.get("actions"), list) else []
    return {"rule": body.get("rule"), "when": body.get("when"), "fired": body.get("fired"),
            "fired_at": body.get("fired_at"), "observed": body.get("observed"),
            "actions": [{k: a.get(k) for k in ("kind", "ok", "summary", "run_id", "status") if k in a}
                        for a in actions if isinstance(a, dict)]}


def _move(move: Any) -> dict[str, Any]:
    return {**move.to_dict(), "moved_iso": iso_time(move.moved_at)}


def _finite(value: float) -> float | None:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
