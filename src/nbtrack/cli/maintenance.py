"""Commands that look after a store: gc frees unreferenced bytes, fsck proves the rest intact."""

from __future__ import annotations

import sys

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option
from nbtrack.errors import StoreUriError


@cli.command("gc")
@click.option("--grace", type=click.FloatRange(min=0), default=3600, show_default=True, metavar="SECONDS",
              help="Keep unreferenced blobs younger than this (a write may be about to reference them).")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@click.option("--force", is_flag=True,
              help="Run even when the database references none of the stored blobs (all would go).")
@store_option
def gc_command(grace: float, dry_run: bool, force: bool, store: str | None) -> None:
    """Remove artifact bytes no run references and temp files of interrupted writes."""
    from nbtrack.store import open_store
    from nbtrack.store.maintenance import gc

    report = gc(open_store(store, create=False), grace_seconds=grace, dry_run=dry_run, force=force)
    verb = "would remove" if dry_run else "removed"
    output.echo(f"{verb} {len(report.deleted_blobs)} unreferenced blobs ({output.size(report.freed_bytes)}) "
               f"and {len(report.removed_temp_files)} temp files; kept {report.kept_recent} "
               f"unreferenced blobs younger than {grace:g} s")


@cli.command("fsck")
@click.option("--mark-lost", is_flag=True,
              help="First store `lost` on running runs whose writer missed 3 heartbeats "
                   "(import then takes them).")
@store_option
@format_option("table", "json")
def fsck_command(mark_lost: bool, store: str | None, fmt: str) -> None:
    """Check the database and re-hash every artifact; exit 1 naming each damaged run and artifact."""
    from nbtrack.config import locate_store
    from nbtrack.store import open_store
    from nbtrack.store.maintenance import fsck
    from nbtrack.store.maintenance import mark_lost as mark_lost_runs

    location = locate_store(store)
    try:
        opened = open_store(store, create=False)
    except StoreUriError as exc:
        if location.folder is None or not location.folder.exists():
            raise
        output.echo(f"nbtrack: {exc}", err=True)
        opened = None
    lost = mark_lost_runs(opened) if mark_lost and opened is not None else []
    report = fsck(location, opened)
    if fmt == "json":
        click.echo(output.dumps({
            "ok": report.ok, "marked_lost": lost, "artifacts_checked": report.artifacts_checked,
            "blobs_checked": report.blobs_checked,
            "problems": [{"kind": p.kind, "run_id": p.run_id, "artifact": p.artifact, "detail": p.detail}
                         for p in report.problems],
        }))
    else:
        if mark_lost:
            click.echo(f"marked {len(lost)} runs lost" + "".join(f"\n  {run_id}" for run_id in lost))
        for problem in report.problems:
            output.echo(str(problem))
        state = "ok" if report.ok else f"{len(report.problems)} problems"
        output.echo(f"fsck {location.display}: {state} "
                   f"({report.artifacts_checked} artifacts, {report.blobs_checked} blobs re-hashed)")
    sys.exit(0 if report.ok else 1)
