"""nbtrack reproduce: execute a run's notebook again and say whether, and why not, it gives the same metrics."""

from __future__ import annotations

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option


@cli.command("reproduce")
@click.argument("run_ref", metavar="RUN")
@click.option("--tolerance", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Largest absolute difference for a metric to count as the same.")
@click.option("--source", type=click.Choice(["stored", "current"]), default="stored", show_default=True,
              help="stored: the exact notebook the run executed, every stored param; current: the notebook "
                   "file at the run's path now, with the params the run was given.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop a cell that runs longer than this.")
@store_option
@format_option("table", "json")
def reproduce_command(run_ref: str, tolerance: float, source: str, timeout: float | None, store: str | None,
                      fmt: str) -> None:
    """Re-execute RUN's notebook with its params; exit 0 if the metrics match, else 1 and the likely causes."""
    from nbtrack.execution.reproduce import reproduce
    from nbtrack.store import open_store

    result = reproduce(open_store(store, create=False), run_ref, tolerance=tolerance, source=source,
                       timeout=timeout)
    if fmt == "json":
        click.echo(output.dumps(result.to_dict()))
    else:
        verdict = "reproduced" if result.same else "NOT reproduced"
        output.echo(f"run {result.original.id} {verdict} by run {result.replay.id} "
                   f"({result.replay.status}, tolerance {tolerance:g})")
        rows = [(m["metric"], m["original"], m["replay"], m["difference"], "" if m["same"] else "differs")
                for m in result.metrics]
        if rows:
            output.echo(output.table(["metric", "original", "replay", "difference", ""], rows,
                                    right=[False, True, True, True, False]))
        if result.causes:
            output.echo("\nwhat differs (likely causes):")
            for cause in result.causes:
                output.echo(f"  - {cause}")
    raise click.exceptions.Exit(0 if result.same else 1)
