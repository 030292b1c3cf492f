"""Commands for saved views of the runs table: list them, show one, delete one (Lab saves them)."""

from __future__ import annotations

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option


@cli.group("views")
def views_group() -> None:
    """Saved views of the runs table: a filter, columns, sort and grouping under a name."""


@views_group.command("list")
@store_option
@format_option("table", "json")
def list_command(store: str | None, fmt: str) -> None:
    """Every saved view, by name."""
    from nbtrack.store import open_store

    views = open_store(store, create=False).views()
    if fmt == "json":
        click.echo(output.dumps(views))
        return
    if not views:
        output.echo("no saved views; save one from the runs table in JupyterLab")
        return
    rows = [(v["name"], v["where"] or "-", v["experiment"], len(v["columns"]), ", ".join(v["order"]) or "-",
             v["group"], v["updated_at"]) for v in views]
    output.echo(output.table(["view", "where", "experiment", "columns", "order", "group", "updated"], rows,
                             right=[False, False, False, True, False, False, False]))


@views_group.command("show")
@click.argument("name")
@store_option
@format_option("table", "json")
def show_command(name: str, store: str | None, fmt: str) -> None:
    """One saved view: its filter, columns, sort, grouping and archived choice."""
    from nbtrack.store import open_store

    view = open_store(store, create=False).view(name)
    if fmt == "json":
        click.echo(output.dumps(view))
        return
    for part in ("name", "where", "experiment", "columns", "order", "group", "archived", "updated_at"):
        value = view[part]
        shown = ", ".join(value) if isinstance(value, list) else value
        output.echo(f"{part:<11} {output.text(shown or None)}")


@views_group.command("delete")
@click.argument("name")
@store_option
def delete_command(name: str, store: str | None) -> None:
    """Delete the saved view NAME."""
    from nbtrack.store import open_store

    open_store(store, create=False).delete_view(name)
    output.echo(f"deleted view {name}")
