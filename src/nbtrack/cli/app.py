"""The click group, shared options, and the one place user errors become an exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from nbtrack.cli import output
from nbtrack.config import DEFAULT_STORE, STORE_ENV
from nbtrack.errors import NbtrackError

USER_ERROR = 2  # bad input; 1 means a run, a gate or a check did not pass


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="nbtrack")
def cli() -> None:
    """nbtrack: every notebook execution a tracked, reproducible run.

    The store is --store, else NBTRACK_STORE, else ./.nbtrack.
    """


def store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--store", metavar="PATH|URL", default=None,
        help=f"Store folder or database URL [default: {STORE_ENV}, else ./{DEFAULT_STORE}].",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; user errors print one line and exit 2."""
    # jsonschema (under nbformat) imports this optional IRI-syntax checker, which compiles a
    # grammar at import: about 1.8 s per command. Notebook validation never uses IRI formats.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="nbtrack")
    except NbtrackError as exc:
        output.echo(f"nbtrack: error: {exc}", err=True)
        sys.exit(USER_ERROR)


def _terminate(_signum: int, _frame: Any) -> None:
    # SIGTERM ends a run as killed, the same way Ctrl-C does.
    raise KeyboardInterrupt
