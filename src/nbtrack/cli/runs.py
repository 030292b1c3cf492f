"""Commands for runs: run a notebook, list runs, show one, compare several."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from nbtrack import formatting
from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option
from nbtrack.errors import UsageError
from nbtrack.records import RunStatus

ARCHIVED = ("hide", "include", "only")
MAX_IDS = 10_000  # runs per store action

DEFAULT_TABLE_LIMIT = 50
MAX_METRIC_COLUMNS = 8


class _RunCommand(click.Command):
    """`nbtrack run`, refusing `-p name=value` (sweeps write `--grid name=values`, so it is an easy slip)
    before click reads it as the name `name=value` whose value is the next word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for flag, word in zip(args, args[1:]):
            if flag in ("-p", "--param") and re.match(r"[A-Za-z_]\w*=", word):
                name, _, value = word.partition("=")
                raise UsageError(f"-p takes a name and a value as two words, as papermill's does: "
                                 f"-p {name} {shlex.quote(value)}")
        return super().parse_args(ctx, args)


@cli.command("run", cls=_RunCommand)
@click.argument("notebook", type=click.Path(path_type=Path))
@click.option("-p", "--param", "param_pairs", nargs=2, multiple=True, metavar="NAME VALUE",
              help="A parameter; VALUE is read as YAML (200 is a number, rf is text).")
@click.option("-f", "--params-file", type=click.Path(path_type=Path), help="A YAML file of parameters.")
@click.option("-o", "--output", "output_path", type=click.Path(path_type=Path),
              help="Also write the executed notebook here (atomically).")
@click.option("--experiment", help="Experiment name [default: the notebook's file stem].")
@click.option("--name", help="A name for this run.")
@click.option("--tag", "tag_pairs", multiple=True, metavar="KEY=VALUE", help="A tag (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop a cell that runs longer than this (the run ends as timeout).")
@click.option("--kernel", help="Kernel name [default: the notebook's kernelspec].")
@click.option("--cwd", type=click.Path(file_okay=False, path_type=Path),
              help="Working directory of the kernel [default: the notebook's folder].")
@click.option("--no-autolog", "no_autolog", is_flag=True,
              help="Do not record scikit-learn fits, metrics and figures automatically.")
@store_option
@format_option("table", "json")
def run_command(notebook: Path, param_pairs: tuple[tuple[str, str], ...], params_file: Path | None,
                output_path: Path | None, experiment: str | None, name: str | None,
                tag_pairs: tuple[str, ...], timeout: float | None, kernel: str | None,
                cwd: Path | None, no_autolog: bool, store: str | None, fmt: str) -> None:
    """Execute NOTEBOOK headlessly as a tracked run; exit 0 if it finished, else 1."""
    from nbtrack.execution import execute
    from nbtrack.execution.params import load_params_file, parse_value

    params: dict[str, Any] = load_params_file(params_file) if params_file else {}
    for key, raw in param_pairs:
        params[key] = parse_value(key, raw)
    try:
        run = execute(
            notebook, params, output=output_path, store=store, experiment=experiment, name=name,
            tags=_pairs(tag_pairs, "--tag"), timeout=timeout, kernel=kernel, cwd=cwd,
            progress=sys.stderr.isatty(), raise_errors=False, autolog=not no_autolog,
        )
    except KeyboardInterrupt:
        output.echo("nbtrack: interrupted; the run ended as killed", err=True)
        raise click.exceptions.Exit(130) from None
    if fmt == "json":
        click.echo(output.dumps(run.to_dict()))
    else:
        output.echo(f"run {run.id} {run.status} in {output.seconds(run.duration)} "
                   f"(experiment {run.experiment})")
        metrics = _headline_metrics(run.metrics)
        if metrics:
            output.echo(output.table(["metric", "value"], [(k, run.metrics[k]) for k in metrics],
                                    right=[False, True]))
    if run.error is not None and run.status != RunStatus.FINISHED:
        error = run.error
        where = f" in code cell {error.cell}" if error.cell is not None else ""  # RunError.cell's numbering
        output.echo(f"nbtrack: run {run.id} {run.status}{where}: {error.ename}: {error.evalue}", err=True)
    raise click.exceptions.Exit(0 if run.status == RunStatus.FINISHED else 1)


@cli.group("runs", invoke_without_command=True)
@click.option("--where", "where", metavar="FILTER",
              help="Filter, e.g. \"params.model = 'rf' and metrics.test.f1 > 0.9\".")
@click.option("--experiment", help="Only runs of this experiment.")
@click.option("--order-by", "order_by", multiple=True, metavar="FIELD",
              help="Sort key, - for descending, e.g. -metrics.test.f1 [default: -started].")
@click.option("--limit", type=click.IntRange(min=0), help=f"At most this many runs [table default: {DEFAULT_TABLE_LIMIT}].")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many runs first.")
@click.option("--columns", metavar="A,B,...", help="Table columns, e.g. params.model,metrics.test.f1.")
@click.option("--archived", type=click.Choice(ARCHIVED), default="hide", show_default=True,
              help="Archived runs: hidden, listed too, or listed alone.")
@store_option
@format_option("table", "json", "csv")
@click.pass_context
def runs_command(ctx: click.Context, where: str | None, experiment: str | None, order_by: tuple[str, ...],
                 limit: int | None, offset: int, columns: str | None, archived: str, store: str | None,
                 fmt: str) -> None:
    """List runs, newest first, filtered and sorted; or rename, annotate, archive, restore or delete them."""
    if ctx.invoked_subcommand is not None:
        return
    from nbtrack.store import open_store

    opened = open_store(store, create=False)
    if limit is None and fmt == "table":
        limit = DEFAULT_TABLE_LIMIT
    # a misspelt sort or column key is refused as a filter's is, not shown as an unsorted list or "-"
    opened.check_fields(list(order_by), [c.strip() for c in (columns or "").split(",") if c.strip()])
    runs = opened.runs(where, experiment=experiment, order_by=list(order_by) or None, limit=limit, offset=offset,
                       archived=archived)
    if fmt == "json":
        click.echo(output.dumps([r.to_dict() for r in runs]))
    elif fmt == "csv":
        from nbtrack.analyze import compare

        click.echo(compare(runs).to_csv(), nl=False)
    else:
        output.echo(_runs_table(runs, columns))
        total = opened.count(where, experiment=experiment, archived=archived)
        if total > len(runs):
            output.echo(f"{len(runs)} of {total} runs shown; use --limit and --offset for more")


@runs_command.command("rename")
@click.argument("run_ref", metavar="RUN")
@click.argument("name")
@store_option
def rename_command(run_ref: str, name: str, store: str | None) -> None:
    """Give RUN another NAME (one line, at most 200 characters)."""
    from nbtrack.store import open_store

    opened = open_store(store, create=False)
    run_id = opened.resolve(run_ref)
    opened.rename(run_id, name)
    output.echo(f"run {run_id} is now named {opened.run(run_id).name}")


@runs_command.command("note")
@click.argument("run_ref", metavar="RUN")
@click.argument("text", metavar="TEXT|-")
@store_option
def note_command(run_ref: str, text: str, store: str | None) -> None:
    """Set RUN's Markdown note to TEXT, or to standard input with -; an empty TEXT clears it."""
    from nbtrack.store import open_store

    if text == "-":
        text = click.get_text_stream("stdin").read()
    opened = open_store(store, create=False)
    run_id = opened.resolve(run_ref)
    opened.set_note(run_id, text)
    output.echo(f"run {run_id}: note {'set' if text else 'cleared'} ({len(text)} characters)")


def _bulk(action: str, listed: str, past: str) -> Any:
    @runs_command.command(action)
    @click.argument("run_refs", metavar="RUN...", nargs=-1)
    @click.option("--where", "where", metavar="FILTER", help=f"Every {listed} run this filter matches.")
    @click.option("--experiment", help="With --where: only runs of this experiment.")
    @store_option
    def command(run_refs: tuple[str, ...], where: str | None, experiment: str | None, store: str | None,
                **confirm: bool) -> None:
        from nbtrack.store import open_store

        if bool(run_refs) == bool(where):
            raise UsageError(f"name the runs to {action} either as ids (nbtrack runs {action} 01JD3F 01JD3G) "
                             f"or by a filter (--where \"params.model = 'rf'\"), not both and not neither")
        opened = open_store(store, create=False)
        ids = list(run_refs) or [r.id for r in opened.runs(
            where, experiment=experiment, archived={"archive": "hide", "restore": "only"}.get(action, "include"))]
        if not ids:
            output.echo(f"no runs to {action}")
            return
        if action == "delete" and not confirm.get("yes"):
            click.confirm(f"Delete {len(ids)} runs for good (their rows now, their blobs at nbtrack gc)?",
                          abort=True, err=True)
        done: list[str] = []
        refused: list[dict[str, str]] = []
        for start in range(0, len(ids), MAX_IDS):
            report = opened.act(action, ids[start:start + MAX_IDS])
            done += report.done
            refused += report.refused
        output.echo(f"{past} {len(done)} runs" + (": " + " ".join(done) if 0 < len(done) <= 20 else ""))
        for refusal in refused:
            output.echo(f"nbtrack: refused {refusal['id']}: {refusal['reason']}", err=True)
        if refused:
            raise click.exceptions.Exit(1)

    if action == "delete":
        command = click.option("--yes", "-y", "yes", is_flag=True, help="Do not ask for confirmation.")(command)
    command.__doc__ = {
        "archive": "Archive runs (by id or --where): listings hide them unless --archived include|only.",
        "restore": "Bring archived runs (by id or --where) back into listings.",
        "delete": "Delete runs (by id or --where) for good, after confirmation; blobs go at nbtrack gc. "
                  "Running runs and runs a model version points to are refused. Exit 1 if any was refused.",
    }[action]
    command.help = command.__doc__
    return command


archive_command = _bulk("archive", "unarchived", "archived")
restore_command = _bulk("restore", "archived", "restored")
delete_command = _bulk("delete", "", "deleted")


@cli.command("show")
@click.argument("run_ref", metavar="RUN")
@store_option
@format_option("table", "json")
def show_command(run_ref: str, store: str | None, fmt: str) -> None:
    """Show one run: params, metrics, tags, artifacts, what was captured and what each cell cost."""
    from nbtrack.store import open_store

    opened = open_store(store, create=False)
    run = opened.run(run_ref)
    details = run.to_dict()
    records: dict[str, dict[str, Any]] = {}
    for record in run.records():
        records.setdefault(record.kind, {})[record.name] = record.body
    details["records"] = records
    details["cells"] = [vars(c) for c in run.cells()]
    if fmt == "json":
        click.echo(output.dumps(details))
        return
    output.echo(_show_text(run, opened.artifacts(run.id), records, run.cells()))


@cli.command("compare")
@click.argument("run_refs", metavar="RUN RUN...", nargs=-1, required=True)
@click.option("--differences", is_flag=True, help="Only rows where the runs differ.")
@click.option("--metrics", "summary", type=click.Choice(["last", "min", "max"]), default="last",
              show_default=True, help="Which value of each metric series.")
@store_option
@format_option("table", "json", "csv")
def compare_command(run_refs: tuple[str, ...], differences: bool, summary: str, store: str | None, fmt: str) -> None:
    """Compare runs side by side: params and metrics, differences marked."""
    from nbtrack.analyze import compare
    from nbtrack.store import open_store

    if len(run_refs) < 2:
        raise UsageError("compare needs at least two runs, such as nbtrack compare 01JD3F 01JD3G")
    opened = open_store(store, create=False)
    runs = [opened.run(ref) for ref in run_refs]
    frame = compare(runs, metrics=summary)  # type: ignore[arg-type]
    if fmt == "csv":
        click.echo(frame.to_csv(), nl=False)
        return
    if fmt == "json":
        click.echo(output.dumps([r.to_dict() for r in runs]))
        return
    names = formatting.short_ids([r.id for r in runs])
    rows = []
    for column in frame.columns:
        if column == "started_at":
            continue
        values = [_plain(v) for v in frame[column].tolist()]
        if column == "duration":  # as nbtrack runs and show write it
            values = [output.seconds(v) for v in values]
        differs = len({output.text(v) for v in values}) > 1
        if differences and not differs:
            continue
        rows.append([column, *values, "*" if differs else ""])
    headers = ["", *[names[r.id] for r in runs], "differs"]
    output.echo(output.table(headers, rows))


def _pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} takes KEY=VALUE. Got {pair!r} instead.")
        found[key] = value
    return found


def _plain(value: Any) -> Any:
    try:
        if value != value:  # NaN from pandas for a missing cell
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _headline_metrics(metrics: dict[str, float]) -> list[str]:
    """The metrics worth a column: test ones first, then the rest, at most a handful."""
    keys = sorted(metrics, key=lambda k: (not k.startswith("test."), k))
    return keys[:MAX_METRIC_COLUMNS]


def _runs_table(runs: list[Any], columns: str | None) -> str:
    from nbtrack.store.query import parse_field
    from nbtrack.store.table import default_columns_of, value_of

    if not runs:
        return "no runs"
    ids = formatting.short_ids([r.id for r in runs])
    if columns:
        chosen = [c.strip() for c in columns.split(",") if c.strip()]
    else:  # what varies among the runs listed: the rule of the Lab's runs table and RunTable
        chosen = default_columns_of(runs)
    chosen = [c for c in dict.fromkeys(chosen) if c != "id"]  # the id always leads, once
    # a run column asked for stands where it is asked, not twice (--columns name,notes)
    fixed = [c for c in ("name", "experiment", "status", "started", "duration") if c not in chosen]
    fields = [parse_field(column) for column in chosen]  # any field a filter takes: metrics.loss.min, data.train.rows
    shown = {"name": lambda run: run.name, "experiment": lambda run: run.experiment,
             "status": lambda run: str(run.status), "started": lambda run: output.when(run.started_at),
             "duration": lambda run: output.seconds(run.duration)}
    rows = []
    for run in runs:
        data = {r.name: r.body for r in run.records("data")} if any(f.kind == "data" for f in fields) else None
        row = [ids[run.id], *(shown[c](run) for c in fixed)]
        row += [shown[c](run) if c in shown else value_of(run, field, data) for c, field in zip(chosen, fields)]
        rows.append(row)
    right = [False] * (1 + len(fixed)) + [c.startswith("metrics.") for c in chosen]
    return output.table(["id", *fixed, *chosen], rows, right=right)


def _show_text(run: Any, artifacts: list[Any], records: dict[str, dict[str, Any]], cells: list[Any]) -> str:
    p = output.printable  # names, paths and error values are user text: one line each, escaped
    lines = [
        f"run         {run.id}",
        f"experiment  {p(run.experiment)}",
        f"name        {p(run.name or '-')}",
        f"status      {run.status}",
        f"started     {output.when(run.started_at)} UTC",
        f"duration    {output.seconds(run.duration)}",
    ]
    if run.notebook:
        lines.append(f"notebook    {p(run.notebook.path)} (sha256 {run.notebook.sha256[:12]})")
    if run.error:
        where = f"code cell {run.error.cell}: " if run.error.cell is not None else ""
        lines.append(f"stopped     {where}{p(run.error.ename)}: {p(run.error.evalue)}")
    if run.params:
        lines += ["", output.table(["param", "value"], sorted(run.params.items()))]
    if run.summaries:
        rows = [(k, s.last, s.min, s.max, s.count) for k, s in sorted(run.summaries.items())]
        lines += ["", output.table(["metric", "last", "min", "max", "points"], rows,
                                   right=[False, True, True, True, True])]
    if run.tags:
        lines += ["", output.table(["tag", "value"], sorted(run.tags.items()))]
    if artifacts:
        rows = [(a.name, output.size(a.size), a.media_type, a.sha256[:12]) for a in artifacts]
        lines += ["", output.table(["artifact", "size", "type", "sha256"], rows, right=[False, True, False, False])]
    if records:
        rows = [(kind, ", ".join(sorted(names, key=output.natural_key))) for kind, names in sorted(records.items())]
        lines += ["", output.table(["captured", "names"], rows)]
    if cells:  # numbered as the notebook's code cells are written
        rows = [(c.index, c.wall_s, c.cpu_s, output.size(c.rss_peak) if c.rss_peak is not None else "-", c.status)
                for c in cells]  # as the run detail in Lab shows them
        lines += ["", output.table(["cell", "wall (s)", "cpu (s)", "peak memory", "status"], rows,
                                   right=[True, True, True, True, False])]
    return "\n".join(lines)
