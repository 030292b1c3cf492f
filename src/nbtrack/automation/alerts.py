"""A run's end: its alert rules evaluated (analyze/alerts.py), the ones that hold acted on and recorded.

act_on_run_end is the one place a run's end fires them: Run.finish calls it through the
"run_ended" hook (hooks.py), for runs ended by hand and by the engine alike.
`nbtrack alerts RUN` calls evaluate_alerts, the same function, by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from nbtrack.analyze.alerts import AlertConfig, evaluate_rules, load_config
from nbtrack.automation.actions import run_actions
from nbtrack.config import RUN_ID_ENV, child_environment, find_config
from nbtrack.errors import NbtrackError

RECORD_KIND = "alert"


def evaluate_alerts(store: Any, run_ref: str, *, config: AlertConfig | None = None,
                    act: bool = True) -> list[dict[str, Any]]:
    """Evaluate every rule on a run; for each that holds, run its actions and record the firing.

    Returns one entry per rule that applies to the run: its name, whether it
    fired, what it observed, and each action's outcome. act=False only evaluates.
    """
    config = config if config is not None else load_config()
    run = store.run(run_ref)
    results = []
    for rule, entry in evaluate_rules(run, config):
        if entry["fired"] and act:
            entry["fired_at"] = time.time()
            entry["actions"] = run_actions(store, run, rule, entry, config)
            store.add_record(run.id, RECORD_KIND, f"{rule.name}@{entry['fired_at']:.3f}", entry, after_end=True)
        results.append(entry)
    return results


def act_on_run_end(store: Any, run_id: str, *, rules_from: str | os.PathLike[str] | None = None,
                   wait: bool = False) -> subprocess.Popen[bytes] | None:
    """Fire a just-ended run's alert rules; never fail the run.

    The rules are looked for from rules_from (the folder an execution was started from),
    else the working directory. wait: act in this process, as the engine does (its caller
    waits for the execution anyway); else `nbtrack alerts RUN` runs in a process of its
    own, since a rule's action may retrain for minutes and a kernel must not wait for it.
    Returns that process (tests wait on it); None when nothing started.
    """
    try:
        path = find_config(Path(rules_from) if rules_from else None)
        if path is None:
            return None
        if not wait:
            return _in_background(store, run_id, path)
        config = load_config(path)
        if config.rules:
            for entry in evaluate_alerts(store, run_id, config=config):
                if entry["fired"]:
                    outcomes = "; ".join(a["summary"] for a in entry["actions"])
                    print(f"nbtrack: alert {entry['rule']} fired on run {run_id}: {outcomes}", file=sys.stderr)
    except NbtrackError as exc:
        print(f"nbtrack: alert rules not evaluated for run {run_id}: {exc}", file=sys.stderr)
    return None


def _in_background(store: Any, run_id: str, path: Path) -> subprocess.Popen[bytes]:
    env = child_environment(store.location, dict(os.environ))
    env.pop(RUN_ID_ENV, None)
    return subprocess.Popen(
        [sys.executable, "-m", "nbtrack", "alerts", run_id, "--config", str(path), "--format", "json"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
