"""What a firing alert does: call a command, POST a webhook, run a notebook.

Webhooks are https only. The one exception is a loopback host (127.0.0.1,
::1, localhost) listed in `allow` by name, which may use http: such a request
never leaves the machine, and a test or a local relay needs no certificate.
Redirects are not followed (they could leave the allowlist).
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from nbtrack.analyze.alerts import AlertConfig, Rule
from nbtrack.config import mask_password
from nbtrack.errors import AlertConfigError, NbtrackError
from nbtrack.records import RunStatus

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
COMMAND_TIMEOUT = 600.0
WEBHOOK_TIMEOUT = 10.0
MAX_DEPTH = 1  # a run an alert started is checked too, but its firings start nothing more (no loops)
ALERT_RULE_ENV = "NBTRACK_ALERT_RULE"  # a command action reads which rule fired from here
ALERT_RUN_ID_ENV = "NBTRACK_ALERT_RUN_ID"  # and on which run
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("nbtrack_alert_depth", default=0)


def run_actions(store: Any, run: Any, rule: Rule, entry: dict[str, Any], config: AlertConfig
                ) -> list[dict[str, Any]]:
    """Run the actions of a rule that holds (command, webhook, notebook); returns their outcomes."""
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
    env = {**os.environ, ALERT_RULE_ENV: payload["rule"], ALERT_RUN_ID_ENV: payload["run_id"]}
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
    # Imported here: papermill and the engine load only when a rule runs a notebook, not at every run's end.
    from nbtrack.execution.headless import execute

    assert rule.notebook is not None
    try:
        triggered = execute(rule.notebook, dict(rule.params), store=store, raise_errors=False,
                            tags={"alert.rule": rule.name, "alert.run": run.id}, autolog=rule.autolog)
    except NbtrackError as exc:
        return {"kind": "notebook", "notebook": str(rule.notebook), "ok": False,
                "summary": f"notebook {rule.notebook.name} did not start: {exc}"}
    return {"kind": "notebook", "notebook": str(rule.notebook), "params": dict(rule.params),
            "run_id": triggered.id, "status": str(triggered.status),
            "ok": triggered.status == RunStatus.FINISHED,
            "summary": f"notebook {rule.notebook.name} ran as {triggered.id} ({triggered.status})"}
