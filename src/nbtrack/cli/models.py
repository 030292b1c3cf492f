"""Commands for the model registry: register a run as a version, promote an alias, list, show."""

from __future__ import annotations

from typing import Any

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option


@cli.group("models")
def models_group() -> None:
    """Registered models: versions that point at runs, and aliases such as champion."""


@models_group.command("register")
@click.argument("name")
@click.option("--run", "run_ref", required=True, metavar="RUN", help="The run (id, prefix or NAME@ALIAS).")
@click.option("--artifact", help="The run's artifact that holds the model, e.g. model.skops.")
@store_option
@format_option("table", "json")
def register_command(name: str, run_ref: str, artifact: str | None, store: str | None, fmt: str) -> None:
    """Register RUN as the next version of model NAME."""
    from nbtrack.store import open_store

    version = open_store(store, create=False).models.register(name, run_ref, artifact=artifact)
    if fmt == "json":
        click.echo(output.dumps(version.to_dict()))
    else:
        output.echo(f"registered {version.ref} (run {version.run_id})")


@models_group.command("promote")
@click.argument("name")
@click.argument("version")
@click.option("--alias", default="champion", show_default=True, help="The alias to move.")
@click.option("--expect", type=click.IntRange(min=0), metavar="VERSION",
              help="Move only if the alias still names this version (0: not set yet); else exit 1.")
@store_option
@format_option("table", "json")
def promote_command(name: str, version: str, alias: str, expect: int | None, store: str | None, fmt: str) -> None:
    """Point NAME@ALIAS at VERSION, atomically; the move is kept in the history."""
    from nbtrack.errors import AliasConflict
    from nbtrack.store import open_store

    try:
        move = open_store(store, create=False).models.promote(name, version, alias, expect=expect, by=_login())
    except AliasConflict as exc:
        output.echo(f"nbtrack: {exc}", err=True)
        raise click.exceptions.Exit(1) from None
    if fmt == "json":
        click.echo(output.dumps(move.to_dict()))
    else:
        was = f" (was {name}@{move.previous})" if move.previous else ""
        output.echo(f"{name}@{alias} -> {name}@{move.version}{was}")


@models_group.command("list")
@store_option
@format_option("table", "json")
def list_command(store: str | None, fmt: str) -> None:
    """Every registered model with its latest version and aliases."""
    from nbtrack.store import open_store

    models = open_store(store, create=False).models.names()
    if fmt == "json":
        click.echo(output.dumps(models))
        return
    if not models:
        output.echo("no registered models; register one with nbtrack models register NAME --run RUN")
        return
    rows = [(m["name"], m["versions"], m["latest"],
             ", ".join(f"{a}={v}" for a, v in m["aliases"].items()) or "-") for m in models]
    output.echo(output.table(["model", "versions", "latest", "aliases"], rows,
                             right=[False, True, True, False]))


@models_group.command("show")
@click.argument("name")
@store_option
@format_option("table", "json")
def show_command(name: str, store: str | None, fmt: str) -> None:
    """One model: its versions, their runs and test metrics, and every alias move."""
    from nbtrack.store import open_store

    opened = open_store(store, create=False)
    registry = opened.models
    versions = registry.versions(name.partition("@")[0])
    history = registry.history(name.partition("@")[0])
    aliases = registry.aliases(name.partition("@")[0])
    if fmt == "json":
        click.echo(output.dumps({
            "name": name, "versions": [v.to_dict() for v in versions],
            "aliases": {a: {"version": v, "since": s} for a, (v, s) in aliases.items()},
            "history": [m.to_dict() for m in history],
        }))
        return
    runs = _runs_of(opened, [v.run_id for v in versions])
    rows = []
    for v in versions:
        run = runs.get(v.run_id)
        f1 = run.metrics.get("test.f1") if run else None
        rows.append((v.version, ", ".join(v.aliases) or "-", v.run_id, v.artifact or "-", f1, output.when(v.created_at)))
    output.echo(f"model {name}")
    for alias, (version, since) in aliases.items():
        output.echo(f"  {alias} = version {version} since {output.when(since)} UTC")
    output.echo(output.table(["version", "aliases", "run", "artifact", "test.f1", "registered"], rows,
                            right=[True, False, False, False, True, False]))
    if history:
        output.echo("")
        output.echo(output.table(
            ["moved", "alias", "from", "to", "by"],
            [(output.when(m.moved_at), m.alias, m.previous or "-", m.version, m.moved_by or "-") for m in history],
            right=[False, False, True, True, False]))


def _runs_of(opened: Any, run_ids: list[str]) -> dict[str, Any]:
    """The runs of a model's versions, read in filters within the query bounds (a model may have many)."""
    from nbtrack.store.query import MAX_VALUES

    runs: dict[str, Any] = {}
    for start in range(0, len(run_ids), MAX_VALUES):
        listed = ", ".join(f"'{run_id}'" for run_id in run_ids[start:start + MAX_VALUES])
        runs.update((r.id, r) for r in opened.runs(where=f"id in ({listed})", archived="include"))
    return runs


def _login() -> str | None:
    """Who runs the command, for the alias history; None when the system cannot say."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name and no USER/LOGNAME variable
        return None
