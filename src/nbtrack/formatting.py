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
