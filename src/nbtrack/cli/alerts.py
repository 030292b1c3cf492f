"""nbtrack alerts: evaluate the configured alert rules on a run and fire the ones that hold."""

from __future__ import annotations

from pathlib import Path

import click

from nbtrack.config import CONFIG_ENV
from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option


@cli.command("alerts")
@click.argument("run_ref", metavar="RUN")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help=f"The rules file [default: {CONFIG_ENV}, else the nearest nbtrack.toml or pyproject.toml].")
@click.option("--dry-run", is_flag=True, help="Only say which rules hold; run no action, record nothing.")
@store_option
@format_option("table", "json")
def alerts_command(run_ref: str, config_path: Path | None, dry_run: bool, store: str | None, fmt: str) -> None:
    """Evaluate alert rules on RUN; each that holds runs its actions and is recorded on the run.

    Exit 0 when every action that ran succeeded, 1 when one failed or was refused.
    """
    from nbtrack.analyze.alerts import load_config
    from nbtrack.automation.alerts import evaluate_alerts
    from nbtrack.errors import AlertConfigError
    from nbtrack.store import open_store

    if config_path is not None and not config_path.is_file():
        raise AlertConfigError(f"alert rules file {config_path} does not exist; pass an nbtrack.toml")
    config = load_config(config_path)
    if not config.rules:
        raise AlertConfigError("no alert rules found; add [[tool.nbtrack.alerts]] to pyproject.toml "
                               "or [[alerts]] to nbtrack.toml, or pass --config")
    results = evaluate_alerts(open_store(store, create=False), run_ref, config=config, act=not dry_run)
    failed = any(not a.get("ok", False) for entry in results for a in entry["actions"])
    if fmt == "json":
        click.echo(output.dumps(results))
    else:
        rows = []
        for entry in results:
            seen = ", ".join(f"{k} = {output.text(v)}" for k, v in entry["observed"].items())
            if entry["missing"]:
                seen += (", " if seen else "") + "missing " + ", ".join(entry["missing"])
            rows.append(("FIRED" if entry["fired"] else "quiet", entry["rule"], entry["when"], seen or "-"))
        output.echo(output.table(["state", "rule", "when", "observed"], rows) if rows
                   else f"no rule applies to run {run_ref}")
        for entry in results:
            for action in entry["actions"]:
                output.echo(f"  {entry['rule']}: {action['summary']}")
    raise click.exceptions.Exit(1 if failed else 0)
