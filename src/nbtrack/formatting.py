"""One way to show a param, metric or tag value as text, for every surface that shows one.

The CLI's tables, the widgets, the HTML report and gate messages call value(); the Lab
mirrors it in extension/src/format.ts, and tests/views/formatting_cases.json pins both
to one table of cases. The rules, in order:

    None                 -          a value that is not there
    bool                 true, false
    int                  its digits: 42, 1234567
    float, no fraction   its digits below 1e15: 3.0 -> 3, 12345.0 -> 12345 (JSON, so the Lab,
                         cannot tell 3.0 from 3; shown alike everywhere)
    NaN, +inf, -inf      nan, inf, -inf
    other numbers        4 significant digits without padding zeros, in exponent form below
                         1e-4 and from 1e4: 0.25, 0.00014, 3.142, 1.235e+04, 1e-05
                         (format(x, ".4g"): an exact tie rounds to even, 1234.5 -> 1234)
    text                 as it is (a terminal escapes control characters on its own)
    list, tuple, dict    JSON-like, inner values by these rules: [1, 0.25, "a", null],
                         {"a": 1, "b": 0.1235} with keys sorted
    anything else        str(value)

Standard library only: the base layer, importable from every other.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

MISSING = "-"
PRECISION = 4  # significant digits of a number that is not whole
WHOLE_BELOW = 1e15  # a float with no fraction shows its digits below this size (exact up to 2**53)


def value(item: Any) -> str:
    """A param, metric or tag value as short text, by the rules above."""
    if item is None:
        return MISSING
    if isinstance(item, str):
        return item
    return _inner(item)


def number(x: float) -> str:
    """A number by the rules above (bools are numbers in Python: pass them to value())."""
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x.is_integer() and abs(x) < WHOLE_BELOW:
        return str(int(x))
    return f"{x:.{PRECISION}g}"


def _inner(item: Any) -> str:
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, numbers.Real):
        return number(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, Mapping):
        pairs = sorted(((str(k), v) for k, v in item.items()), key=lambda pair: pair[0])
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_inner(v)}" for k, v in pairs) + "}"
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(_inner(v) for v in item) + "]"
    return str(item)


# --- Runs as people see them: one short id rule and one colour per run, mirrored in format.ts. ---

SHORT_ID_MIN = 6  # characters; ULIDs share their time prefix within a sweep, so the suffix is shown
# Tableau 10, made to be told apart (and readable on white and on Lab's dark background).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)


def short_ids(ids: list[str]) -> dict[str, str]:
    """Each id's last N characters, N the same for all: the least N >= SHORT_ID_MIN that tells them apart.

    Run ids are time-sorted (ULIDs): runs of one sweep share their first 10 characters, so the
    random suffix is what distinguishes them. Unique within the ids given, which are what one
    view shows; an id shorter than N is shown whole. A run reference (nbtrack show, the API)
    takes such a suffix as well as a prefix.
    """
    distinct = list(dict.fromkeys(ids))
    length = SHORT_ID_MIN
    longest = max((len(i) for i in distinct), default=0)
    while length < longest and len({i[-length:] for i in distinct}) < len(distinct):
        length += 1
    return {i: i[-length:] for i in distinct}


def palette_colour(index: int) -> str:
    """The palette's colour number index, cycling past its end.

    A run's colour is palette_colour(its row number in the store), so runs created one after
    another, as a sweep's are, differ, and a run keeps its colour in every row, chart, panel and
    widget; past ten, colours repeat (as in W&B) and names and short ids tell those runs apart.
    """
    return PALETTE[index % len(PALETTE)]
