"""Alert rules: when a run's condition holds, run a notebook, call a command, or POST a webhook.

Rules live in `nbtrack.toml` (top level) or in `[tool.nbtrack]` of
`pyproject.toml`, found in the working directory or a parent, or named by
NBTRACK_CONFIG:

    [tool.nbtrack.webhooks]
    allow = ["hooks.example.com"]          # the only hosts a webhook may reach

    [[tool.nbtrack.alerts]]
    name = "drift"
    when = "drift.share > 0.3 or metrics.scoring.f1 < 0.85"
    experiment = "monitor_batch"           # optional: only runs of this experiment
    notebook = "notebooks/train_classifier.ipynb"   # the retraining trigger
    params = { model = "gb" }
    autolog = false                        # optional: the notebook runs without nbtrack.autolog()
    command = ["python", "notify.py"]      # argv, never a shell; the firing as JSON on stdin
    webhook = "https://hooks.example.com/nbtrack"

Webhooks are https only. The one exception is a loopback host (127.0.0.1,
::1, localhost) listed in `allow` by name, which may use http: such a request
never leaves the machine, and a test or a local relay needs no certificate.
Redirects are not followed (they could leave the allowlist). Every firing is
recorded on the run as a record of kind "alert", actions and outcomes included.
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nbtrack.analyze.conditions import Condition, RunValues, parse_condition
from nbtrack.config import find_config, mask_password
from nbtrack.errors import ConfigError, NbtrackError

RECORD_KIND = "alert"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
COMMAND_TIMEOUT = 600.0
WEBHOOK_TIMEOUT = 10.0
MAX_DEPTH = 1  # a run an alert started is checked too, but its firings start nothing more (no loops)
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("nbtrack_alert_depth", default=0)


class AlertConfigError(ConfigError):
    """An alert rule or the alert configuration is not valid."""


@dataclass(frozen=True)
class Rule:
    """One alert rule: a condition, an optional experiment, and what to do when it holds."""

    name: str
    condition: Condition
    experiment: str | None = None
    notebook: Path | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    autolog: bool = True
    command: tuple[str, ...] | None = None
    webhook: str | None = None


@dataclass(frozen=True)
class AlertConfig:
    """The rules, the webhook host allowlist, and the file they came from."""

    rules: list[Rule]
    allow: frozenset[str]
    source: Path | None


def load_config(path: Path | None = None) -> AlertConfig:
    """Read and check the alert rules; a mistake names the file, the rule and the fix."""
    path = path if path is not None else find_config()
    if path is None:
        return AlertConfig([], frozenset(), None)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AlertConfigError(f"cannot read alert rules from {path}: {exc}; fix the TOML") from None
    # pyproject.toml keeps them under [tool.nbtrack]; nbtrack.toml at the top level (or under [tool.nbtrack]).
    section = document.get("tool", {}).get("nbtrack")
    if section is None:
        section = {} if path.name == "pyproject.toml" else document
    allow = section.get("webhooks", {}).get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(h, str) for h in allow):
        raise AlertConfigError(f"{path}: webhooks.allow must be a list of host names, such as [\"hooks.example.com\"]")
    raw_rules = section.get("alerts", [])
    if not isinstance(raw_rules, list):
        raise AlertConfigError(f"{path}: alerts must be an array of tables: write [[tool.nbtrack.alerts]]")
    rules = [_rule(raw, index, path) for index, raw in enumerate(raw_rules)]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise AlertConfigError(f"{path}: alert names must be unique; got {names}")
    return AlertConfig(rules, frozenset(h.lower() for h in allow), path)


def _rule(raw: Any, index: int, path: Path) -> Rule:
    where = f"{path}, alert {index + 1}"
    if not isinstance(raw, dict):
        raise AlertConfigError(f"{where}: an alert is a table with name, when and actions")
    unknown = set(raw) - {"name", "when", "experiment", "notebook", "params", "autolog", "command", "webhook"}
    if unknown:
        raise AlertConfigError(f"{where}: unknown keys {sorted(unknown)}; use name, when, experiment, "
                               "notebook, params, autolog, command, webhook")
    name = raw.get("name") or f"alert-{index + 1}"
    if "when" not in raw:
        raise AlertConfigError(f"{where}: add when = \"drift.share > 0.3\" (the condition that fires it)")
    command = raw.get("command")
    if command is not None and (not isinstance(command, list) or not command
                                or not all(isinstance(a, str) for a in command)):
        raise AlertConfigError(f"{where}: command is a list of arguments, such as [\"python\", \"notify.py\"] "
                               "(it never runs in a shell)")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise AlertConfigError(f"{where}: params is a table, such as params = {{ model = \"gb\" }}")
    notebook = raw.get("notebook")
    webhook = raw.get("webhook")
    if webhook is not None and not isinstance(webhook, str):
        raise AlertConfigError(f"{where}: webhook is a URL, such as \"https://hooks.example.com/nbtrack\"")
    if not isinstance(raw.get("autolog", True), bool):
        raise AlertConfigError(f"{where}: autolog is true or false")
    if notebook is None and command is None and webhook is None:
        raise AlertConfigError(f"{where}: give at least one action: notebook, command or webhook")
    return Rule(
        name=str(name), condition=parse_condition(raw["when"]), experiment=raw.get("experiment"),
        notebook=(path.parent / notebook) if isinstance(notebook, str) else None, params=params,
        autolog=raw.get("autolog", True),
        command=tuple(command) if command else None, webhook=webhook,
    )


def evaluate_alerts(store: Any, run_ref: str, *, config: AlertConfig | None = None,
                    act: bool = True) -> list[dict[str, Any]]:
    """Evaluate every rule on a run; for each that holds, run its actions and record the firing.

    Returns one entry per rule that applies to the run: its name, whether it
    fired, what it observed, and each action's outcome. act=False only evaluates.
    """
    config = config if config is not None else load_config()
    run = store.run(run_ref)
    values = RunValues(run)
    results = []
    for rule in config.rules:
        if rule.experiment is not None and rule.experiment != run.experiment:
            continue
        outcome = rule.condition.evaluate(values)
        entry: dict[str, Any] = {"rule": rule.name, "when": rule.condition.source, "fired": outcome.passed,
                                 "observed": outcome.observed, "missing": outcome.missing, "actions": []}
        if outcome.error:
            entry["error"] = outcome.error
        if outcome.passed and act:
            entry["fired_at"] = time.time()
            entry["actions"] = _act(store, run, rule, entry, config)
            store.add_record(run.id, RECORD_KIND, f"{rule.name}@{entry['fired_at']:.3f}", entry, after_end=True)
        results.append(entry)
    return results


def evaluate_on_end(store: Any, run_id: str, *, start: str | os.PathLike[str] | None = None) -> None:
    """The hook the engine calls when a run ends: fire matching rules, never fail the run.

    start is the folder the execution was started from (the config is looked for there and up).
    """
    try:
        path = find_config(Path(start) if start else None)
        config = load_config(path) if path is not None else AlertConfig([], frozenset(), None)
        if config.rules:
            for entry in evaluate_alerts(store, run_id, config=config):
                if entry["fired"]:
                    outcomes = "; ".join(a["summary"] for a in entry["actions"])
                    print(f"nbtrack: alert {entry['rule']} fired on run {run_id}: {outcomes}", file=sys.stderr)
    except NbtrackError as exc:
        print(f"nbtrack: alert rules not evaluated for run {run_id}: {exc}", file=sys.stderr)


def evaluate_in_background(store: Any, run_id: str) -> subprocess.Popen[bytes] | None:
    """The hook an interactive run calls when it ends: `nbtrack alerts RUN` in a process of its own.

    A rule's action may retrain for minutes; the user's kernel must not wait for it.
    Nothing starts when no rules file is found. Returns the process (tests wait on it).
    """
    from nbtrack.config import child_environment

    try:
        path = find_config()
    except NbtrackError as exc:
        print(f"nbtrack: alert rules not evaluated for run {run_id}: {exc}", file=sys.stderr)
        return None
    if path is None:
        return None
    env = child_environment(store.location, dict(os.environ))
    env.pop("NBTRACK_RUN_ID", None)
    return subprocess.Popen(
        [sys.executable, "-m", "nbtrack", "alerts", run_id, "--config", str(path), "--format", "json"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _act(store: Any, run: Any, rule: Rule, entry: dict[str, Any], config: AlertConfig) -> list[dict[str, Any]]:
    depth = _depth.get()
    if depth >= MAX_DEPTH:
        return [{"kind": "skipped", "ok": False,
                 "summary": f"actions skipped: run {run.id} was itself started by an alert {depth} levels deep"}]
    payload = {"rule": rule.name, "when": rule.condition.source, "run_id": run.id,
               "experiment": run.experiment, "observed": entry["observed"],
               "store": store.location.display}  # sent to other programs: never a password
    actions = []
    token = _depth.set(depth + 1)
    try:
        if rule.command is not None:
            actions.append(_run_command(rule.command, payload))
        if rule.webhook is not None:
            actions.append(post_webhook(rule.webhook, payload, config.allow))
        if rule.notebook is not None:
            actions.append(_run_notebook(store, run, rule))
    finally:
        _depth.reset(token)
    return actions


def _run_command(argv: tuple[str, ...], payload: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "NBTRACK_ALERT_RULE": payload["rule"], "NBTRACK_ALERT_RUN_ID": payload["run_id"]}
    try:
        done = subprocess.run(list(argv), input=json.dumps(payload, default=str), capture_output=True, text=True,
                              env=env, timeout=COMMAND_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"kind": "command", "argv": list(argv), "ok": False, "summary": f"command {argv[0]} failed: {exc}"}
    return {"kind": "command", "argv": list(argv), "ok": done.returncode == 0, "exit_code": done.returncode,
            "output": (done.stdout + done.stderr)[-2000:],
            "summary": f"command {argv[0]} exited {done.returncode}"}


def check_webhook_url(url: str, allow: frozenset[str]) -> str:
    """Refuse a webhook URL unless it is https (or http to an allowlisted loopback host) to an allowed host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise AlertConfigError(f"webhook {mask_password(url)!r} has no host; write https://host/path")
    if host not in allow:
        raise AlertConfigError(f"webhook host {host!r} is not allowed; add it to webhooks.allow in the "
                               "nbtrack config if you trust it")
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK):
        return host
    raise AlertConfigError(f"webhook {mask_password(url)!r} must use https (http is accepted only for an "
                           "allowlisted loopback host such as 127.0.0.1)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead off the allowlist


def post_webhook(url: str, payload: Mapping[str, Any], allow: frozenset[str]) -> dict[str, Any]:
    """POST the firing as JSON; refused (and recorded as refused) unless the URL passes the allowlist."""
    shown = mask_password(url)  # recorded on the run and printed: a ?token= in it stays out
    try:
        check_webhook_url(url, allow)
    except AlertConfigError as exc:
        return {"kind": "webhook", "url": shown, "ok": False, "refused": True,
                "summary": f"webhook refused: {exc}"}
    body = json.dumps(payload, default=str).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "nbtrack"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        return {"kind": "webhook", "url": shown, "ok": False, "summary": f"webhook {shown} failed: {exc}"}
    return {"kind": "webhook", "url": shown, "ok": 200 <= status < 300, "status": status,
            "summary": f"webhook {shown} answered {status}"}


def _run_notebook(store: Any, run: Any, rule: Rule) -> dict[str, Any]:
    from nbtrack.execution.headless import execute

    assert rule.notebook is not None
    try:
        triggered = execute(rule.notebook, dict(rule.params), store=store, raise_errors=False,
                            tags={"alert.rule": rule.name, "alert.run": run.id}, autolog=rule.autolog)
    except NbtrackError as exc:
        return {"kind": "notebook", "notebook": str(rule.notebook), "ok": False,
                "summary": f"notebook {rule.notebook.name} did not start: {exc}"}
    return {"kind": "notebook", "notebook": str(rule.notebook), "params": dict(rule.params),
            "run_id": triggered.id, "status": str(triggered.status), "ok": str(triggered.status) == "finished",
            "summary": f"notebook {rule.notebook.name} ran as {triggered.id} ({triggered.status})"}
