"""Rendering for the command line: aligned tables, JSON and CSV, short run ids, text safe for a terminal."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import click

from nbtrack import formatting


def printable(value: object) -> str:
    """Text as a terminal may show it: control and invisible characters escaped (\\x1b, \\r, \\u202e).

    Stored names and values are user input; raw, an escape sequence could retitle the
    terminal or a carriage return hide what precedes it.
    """
    value = str(value)
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text meant for people, each line made printable: every CLI message goes through here."""
    click.echo("\n".join(printable(line) for line in str(message).split("\n")), err=err, nl=nl)


def text(value: Any) -> str:
    """A value as a table cell, by the one set of rules (nbtrack.formatting): 0.25, 1.235e+04, missing '-'."""
    return formatting.value(value)


def when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.1f}s"
    return f"{int(value // 60)}m{int(value % 60):02d}s"


def size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, right: Sequence[bool] | None = None) -> str:
    """An aligned plain-text table; numeric columns right-aligned."""
    cells = [[printable(text(v)) for v in row] for row in rows]
    headers = [printable(h) for h in headers]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    right = right or [False] * len(headers)
    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=False)]
        return "  ".join(parts).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def dumps(value: Any) -> str:
    """JSON for machines: NaN and infinities as null, which every parser reads."""
    return json.dumps(_finite(value), indent=2, sort_keys=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def natural_key(text: str) -> list[Any]:
    """Sorts numbers inside names by value: `SVC-2` before `SVC-10`."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]
