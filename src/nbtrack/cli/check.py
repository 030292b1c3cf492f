"""nbtrack check: a release gate for CI; exit 0 when every rule passes, 1 when one does not."""

from __future__ import annotations

from pathlib import Path

import click

from nbtrack.cli import output
from nbtrack.cli.app import cli, format_option, store_option
from nbtrack.errors import UsageError


@cli.command("check")
@click.argument("run_ref", metavar="RUN")
@click.option("--require", "conditions", multiple=True, metavar="CONDITION",
              help="A rule that must hold, e.g. \"metrics.test.f1 >= 0.9\" or \"data.train.rows >= 1000\".")
@click.option("--baseline", metavar="RUN|NAME@ALIAS", help="The run to compare with, e.g. churn@champion.")
@click.option("--max-drop", "drops", multiple=True, metavar="METRIC=AMOUNT",
              help="Fail if METRIC is more than AMOUNT below the baseline's, e.g. test.f1=0.01.")
@click.option("--max-rise", "rises", multiple=True, metavar="METRIC=AMOUNT",
              help="Fail if METRIC is more than AMOUNT above the baseline's (losses, costs).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write JUnit XML here: one test case per rule.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append the Markdown verdict to this file, e.g. \"$GITHUB_STEP_SUMMARY\".")
@store_option
@format_option("table", "json", "markdown")
def check_command(run_ref: str, conditions: tuple[str, ...], baseline: str | None, drops: tuple[str, ...],
                  rises: tuple[str, ...], junit_path: Path | None, summary_path: Path | None, store: str | None,
                  fmt: str) -> None:
    """Check RUN against rules and a baseline; exit 0 if all pass, 1 if any fails."""
    from nbtrack.analyze.gates import RECORD_KIND, check_gates
    from nbtrack.execution.launch import write_atomically
    from nbtrack.records import iso_time
    from nbtrack.store import open_store

    opened = open_store(store, create=False)
    run = opened.run(run_ref)
    report = check_gates(run, conditions, champion=baseline, max_drop=_limits(drops, "--max-drop"),
                         max_rise=_limits(rises, "--max-rise"))
    # Kept with the run, so the report and later readers see how it fared.
    opened.add_record(run.id, RECORD_KIND, iso_time(report.checked_at) or "check", report.to_dict(), after_end=True)
    if junit_path is not None:
        write_atomically(junit_path, report.junit())
    if summary_path is not None:
        # Appended, as CI step summaries are: earlier steps keep their sections.
        try:
            with summary_path.open("a", encoding="utf-8") as summary:
                summary.write(report.markdown() + "\n")
        except OSError as exc:
            raise UsageError(f"cannot append the summary to {summary_path}: {exc.strerror}; "
                             "give --summary a writable file") from exc
    if fmt == "json":
        click.echo(output.dumps(report.to_dict()))
    elif fmt == "markdown":
        click.echo(report.markdown(), nl=False)
    else:
        against = f" against {report.baseline} ({report.baseline_run_id})" if report.baseline_run_id else ""
        output.echo(f"check of run {run.id}{against}")
        rows = [(r.status.upper(), r.rule, r.detail) for r in report.results]
        output.echo(output.table(["result", "rule", "observed"], rows))
        failed = sum(not r.passed for r in report.results)
        output.echo(f"{'PASSED' if report.passed else 'FAILED'}: {len(report.results) - failed} of "
                   f"{len(report.results)} rules passed")
    raise click.exceptions.Exit(0 if report.passed else 1)


def _limits(pairs: tuple[str, ...], option: str) -> dict[str, float]:
    limits = {}
    for pair in pairs:
        key, sep, amount = pair.partition("=")
        try:
            limits[key.strip().removeprefix("metrics.")] = float(amount)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise UsageError(f"{option} takes METRIC=AMOUNT, such as test.f1=0.01. Got {pair!r} instead.")
    return limits
