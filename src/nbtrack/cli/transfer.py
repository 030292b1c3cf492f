"""`nbtrack import` and `nbtrack export`: merge another store in, write open tables out."""

from __future__ import annotations

from pathlib import Path

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, store_option


@cli.command("import")
@click.argument("source", metavar="OTHER_STORE")
@click.option("--artifacts", "source_artifacts", metavar="URL",
              help="Where OTHER_STORE keeps its bytes, when it is a database URL.")
@store_option
def import_command(source: str, source_artifacts: str | None, store: str | None) -> None:
    """Copy the runs (and their bytes) of OTHER_STORE that this store lacks.

    OTHER_STORE is a store folder (say, rsynced from a cluster), a database URL,
    or a .tar/.zip archive of a store folder. Importing twice changes nothing.
    A run whose rows or bytes break the store's rules is refused (one line on
    stderr each, exit 1) and the others are imported. mlflow://PATH-OR-URI reads
    an MLflow store (mlruns/ folder, sqlite:///mlflow.db, a database or a server)
    through MLflow's client: pip install 'nbtrack[mlflow]'.
    """
    if source.startswith("mlflow://"):
        _import_mlflow(source, store)
        return
    from nbtrack.config import mask_password
    from nbtrack.store import open_store
    from nbtrack.store.transfer import import_store

    report = import_store(store, source, artifacts=source_artifacts)
    output.echo(f"imported {len(report.imported)} runs ({report.blobs_copied} artifact blobs) into "
               f"{open_store(store).location.display}; {len(report.skipped)} already there")
    if report.running:
        output.echo(f"{len(report.running)} runs still running in {mask_password(source)} were left out; "
                   "import again once they have ended", err=True)
    for run_id, reason in report.refused.items():
        output.echo(f"nbtrack: refused run {run_id}: {reason}; nothing of it was imported", err=True)
    if report.refused:
        raise SystemExit(1)  # the other runs are in; a script must still notice the ones left out


def _import_mlflow(source: str, store: str | None) -> None:
    from nbtrack.mlflow import import_mlflow

    report = import_mlflow(source, store)
    output.echo(f"imported {len(report.imported)} MLflow runs and {len(report.models)} model versions; "
               f"{len(report.already)} already there, {len(report.skipped)} skipped")
    for mlflow_id, reason in report.skipped.items():
        output.echo(f"skipped MLflow run {mlflow_id}: {reason}", err=True)
    for note in report.notes:
        output.echo(f"left out: {note}", err=True)


@cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet"]), default="parquet", show_default=True,
              help="File format of the tables.")
@store_option
def export_command(folder: Path, fmt: str, store: str | None) -> None:
    """Write runs, params, tags, metrics and the artifacts index as tables in FOLDER."""
    from nbtrack.store import open_store
    from nbtrack.store.transfer import export_parquet

    written = export_parquet(open_store(store, create=False, read_only=True), folder)  # reads, never writes
    output.echo(output.table(["table", "file", "size"],
                            [(name, str(path), output.size(path.stat().st_size)) for name, path in written.items()]))
