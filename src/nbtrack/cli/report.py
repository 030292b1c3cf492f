"""nbtrack report: write the static HTML dashboard, one self-contained file (a CI artifact)."""

from __future__ import annotations

from pathlib import Path

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, store_option


@cli.command("report")
@click.option("--experiment", help="Only runs of this experiment.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="Where to write the HTML file (atomically).")
@click.option("--title", help="The report's title.")
@store_option
def report_command(experiment: str | None, out_path: Path, title: str | None, store: str | None) -> None:
    """Write a self-contained HTML report: runs, best runs, trends, registry, gates, drift, alerts."""
    from nbtrack.execution.launch import write_atomically
    from nbtrack.store import open_store
    from nbtrack.views.report import render_report

    html = render_report(open_store(store, create=False), experiment=experiment, title=title)
    write_atomically(out_path, html.encode("utf-8"))
    output.echo(f"wrote {out_path} ({len(html) / 1000:.0f} kB)")
