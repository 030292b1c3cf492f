"""Every command the CLI offers is documented in the README."""

from __future__ import annotations

from pathlib import Path

from nbtrack.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_cli_command_is_documented_in_the_readme():
    undocumented = [name for name in cli.commands if f"`nbtrack {name}" not in README]
    assert undocumented == []


def test_readme_leads_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block
