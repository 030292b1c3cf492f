"""nbtrack report: write the static HTML dashboard, one self-contained file (a CI artifact)."""

from __future__ import annotations

from pathlib import Path

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, store_option
from nbtrack.errors import UsageError


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

    opened = open_store(store, create=False)
    if experiment is not None:  # a misspelt name would give an empty report that looks like a real one
        known = sorted(e["name"] for e in opened.experiments())
        if experiment not in known:
            listed = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
            raise UsageError(f"no experiment {output.printable(experiment)!r} in this store; "
                             f"its experiments: {listed or 'none yet'}")
    html = render_report(opened, experiment=experiment, title=title)
    write_atomically(out_path, html.encode("utf-8"))
    output.echo(f"wrote {out_path} ({len(html) / 1000:.0f} kB)")
