"""The README's "Use in CI" job is valid YAML whose nbtrack command lines parse with today's options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import yaml

from nbtrack.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def ci_job() -> dict:
    section = README.split("## Use in CI", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None, "the Use in CI section has a yaml block"
    return yaml.safe_load(block.group(1))


def test_the_ci_job_executes_checks_reports_and_publishes():
    steps = ci_job()["jobs"]["train-and-gate"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    for command in ("nbtrack run ", "nbtrack check ", "nbtrack report ", "nbtrack models promote "):
        assert command in scripts
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and "report/" in uploads[0]["with"]["path"] and "gate.xml" in uploads[0]["with"]["path"]


def test_every_nbtrack_command_line_in_the_ci_job_parses():
    scripts = "\n".join(step.get("run", "") for step in ci_job()["jobs"]["train-and-gate"]["steps"])
    scripts = scripts.replace("\\\n", " ")
    lines = [line.strip() for line in scripts.splitlines() if line.strip().startswith("nbtrack ")]
    assert len(lines) >= 5
    for line in lines:
        line = re.sub(r"\$\{\{[^}]*\}\}", "x", line)  # a GitHub expression stands for a value
        line = re.sub(r"\$\((?:[^()]|\([^()]*\))*\)", "1", line)  # a command substitution stands for a value
        words = shlex.split(line)[1:]
        words = words[:words.index(">")] if ">" in words else words  # drop a redirection
        group, name, rest = cli, words[0], words[1:]
        if isinstance(group.commands[name], click.Group):
            group, name, rest = group.commands[name], rest[0], rest[1:]
        command = group.commands[name]
        command.make_context(name, list(rest))  # raises on an unknown option or a missing argument
