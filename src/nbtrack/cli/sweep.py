"""`nbtrack sweep`: one notebook over a grid or a random sample of parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from nbtrack import formatting
from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option
from nbtrack.records import RunStatus


@cli.command("sweep")
@click.argument("notebook", type=click.Path(path_type=Path))
@click.option("--grid", "axes", multiple=True, metavar="NAME=VALUES",
              help="Values of a parameter, crossed with the others: model=rf,gb. With --random also "
                   "ranges: x=0..1, C=log:0.01..10, n=int:1..10.")
@click.option("--random", "draws", type=click.IntRange(min=1), metavar="N",
              help="Draw N combinations at random instead of the full grid.")
@click.option("--seed", type=int, help="Seed of --random, to draw the same combinations again.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Executions at once (local processes, or Dask workers with --dask local).")
@click.option("--resume", is_flag=True,
              help="Skip combinations already finished with the same notebook and params.")
@click.option("--dask", "cluster", metavar="local|ADDRESS",
              help="Run each execution as a task on a Dask cluster: a new LocalCluster, or tcp://host:8786.")
@click.option("--experiment", help="Experiment name [default: the notebook's file stem].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop a cell that runs longer than this (its run ends as timeout).")
@store_option
@format_option("table", "json")
def sweep_command(notebook: Path, axes: tuple[str, ...], draws: int | None, seed: int | None, workers: int,
                  resume: bool, cluster: str | None, experiment: str | None, timeout: float | None,
                  store: str | None, fmt: str) -> None:
    """Execute NOTEBOOK once per parameter combination; exit 0 if every run finished, else 1.

    Every run is tagged sweep=<id>: nbtrack runs --where "tags.sweep = '<id>'".
    """
    from nbtrack.errors import SweepInterrupted, UsageError
    from nbtrack.execution.sweep import parse_axis, sweep

    if not axes:
        raise UsageError("a sweep needs at least one --grid NAME=VALUES, such as --grid model=rf,gb")
    if seed is not None and draws is None:
        raise UsageError("--seed only applies to --random N; add --random or drop --seed")
    grid = dict(parse_axis(text) for text in axes)
    try:
        runs = sweep(notebook, grid, random=draws, seed=seed, workers=workers, cluster=cluster, resume=resume,
                     store=store, experiment=experiment, timeout=timeout, progress=True)
    except SweepInterrupted as stopped:
        killed = sum(1 for r in stopped.runs if r.status == RunStatus.KILLED)
        output.echo(f"nbtrack: sweep interrupted; {killed} running executions ended as killed, "
                   f"{len(stopped.runs)} runs stored", err=True)
        raise click.exceptions.Exit(130) from None
    if fmt == "json":
        click.echo(output.dumps([r.to_dict() for r in runs]))
    else:
        output.echo(_summary(runs, list(grid)))
        sweep_id = runs[0].tags.get("sweep", "") if runs else ""
        output.echo(f"sweep {sweep_id}: {len(runs)} runs")
    raise click.exceptions.Exit(0 if all(r.status == RunStatus.FINISHED for r in runs) else 1)


def _summary(runs: list[Any], names: list[str]) -> str:
    """The sweep's runs: their params of the grid and the metrics that vary among them (the runs
    table's rule: test.* first), best first by the first of those metrics (lowest for a loss,
    cost or error, else highest), runs without it last."""
    from nbtrack.analyze.differences import is_lower_better
    from nbtrack.store.table import default_columns_of

    metrics = [c.removeprefix("metrics.") for c in default_columns_of(runs) if c.startswith("metrics.")]
    if metrics:
        first = metrics[0]
        sign = 1 if is_lower_better(first) else -1
        runs = sorted(runs, key=lambda r: (r.metrics.get(first) is None, sign * (r.metrics.get(first) or 0)))
    ids = formatting.short_ids([r.id for r in runs])
    rows = [(ids[r.id], str(r.status), *(r.params.get(n) for n in names), *(r.metrics.get(m) for m in metrics),
             output.seconds(r.duration)) for r in runs]
    right = [False, False, *(False for _ in names), *(True for _ in metrics), True]
    return output.table(["run", "status", *names, *metrics, "duration"], rows, right=right)
