"""Alert rules: read from the config, evaluated on a run. Pure: their actions live in automation/.

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

Webhooks go only to the hosts in `allow`, over https (automation/actions.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrack.analyze.conditions import Condition, RunValues, parse_condition
from nbtrack.config import find_config
from nbtrack.errors import AlertConfigError


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


def evaluate_rules(run: Any, config: AlertConfig) -> list[tuple[Rule, dict[str, Any]]]:
    """Each rule that applies to the run, with its entry: whether it holds and what it observed.

    Nothing runs and nothing is recorded: automation/alerts.py acts on the rules that hold.
    """
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
        results.append((rule, entry))
    return results
