"""Conditions over one run's values, such as `metrics.test.f1 >= 0.9 and drift.share < 0.3`.

Gates and alert rules share this language. It reads like the run filter
language but is evaluated in Python over one run, so both sides of a
comparison may be fields (`data.scoring.schema == data.train.schema`). The
text is parsed by Python's `ast` module and only comparisons, `and`, `or`,
`not`, field names and literal values are accepted: nothing is ever executed.
Length and nesting are bounded before and after `ast.parse`, whose parser and
this module's walkers recurse.

Fields: metrics.<key> (last value), params.<key>, tags.<key>, status,
experiment, name, duration; data.<name>.<path> (a data profile: rows,
missing_share, schema, numeric.<column>.mean, ...); drift.share (the largest
share of drifted columns on the run), drift.<name>.<path>; and, when a
baseline run is given, baseline.<any of these>.
"""

from __future__ import annotations

import ast
import io
import math
import operator
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbtrack.errors import ConditionError

_ROOTS = ("metrics", "params", "tags", "data", "drift", "baseline", "status", "experiment", "name", "duration")
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
MAX_CONDITION_CHARS = 10_000
MAX_NESTING = 32  # brackets and runs of not, -, + and ~ in the text, before ast.parse
MAX_TREE_DEPTH = 100  # the parsed tree, fields' a.b.c chains included
_PREFIX_OPERATORS = {"not", "-", "+", "~"}
_HINT = "write conditions like metrics.test.f1 >= 0.9 or data.scoring.schema == data.train.schema"


class _Missing:
    """A field the run does not have: every comparison with it is false."""

    def __repr__(self) -> str:
        return "missing"


MISSING = _Missing()


@dataclass
class Outcome:
    """A condition's value and what it saw: each field's value, and which fields were missing."""

    passed: bool
    observed: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Condition:
    """A parsed condition, ready to evaluate against any number of runs."""

    source: str
    tree: ast.expr

    def evaluate(self, values: Callable[[str], Any]) -> Outcome:
        """Evaluate with values(field name) -> value or MISSING."""
        outcome = Outcome(False)
        try:
            outcome.passed = bool(_eval(self.tree, values, outcome))
        except TypeError as exc:
            outcome.error = f"cannot compare: {exc}"
        return outcome


def parse_condition(source: str) -> Condition:
    """Parse a condition; a mistake raises ConditionError naming the column."""
    if not isinstance(source, str) or not source.strip():
        raise ConditionError(f"a condition is text such as \"metrics.test.f1 >= 0.9\". Got {source!r} instead.")
    if len(source) > MAX_CONDITION_CHARS:
        raise ConditionError(f"the condition {_shown(source)} is longer than {MAX_CONDITION_CHARS} characters; "
                             "split it into several gates or rules")
    tokens = _tokens(source.strip())
    nesting = _nesting(tokens) if tokens is not None else 0
    if nesting > MAX_NESTING:
        raise _too_deep(source, f"brackets and not, -, + nest {nesting} levels deep, more than {MAX_NESTING}")
    text = _single_equals_as_double(source.strip(), tokens)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ConditionError(f"invalid condition {_shown(source)} at column {exc.offset or 1}: {exc.msg}; "
                             f"{_HINT}") from None
    except (RecursionError, MemoryError):  # the parser's own depth guards: "too complex"
        raise _too_deep(source, "it nests too deeply for Python's parser") from None
    depth = _depth(tree)
    if depth > MAX_TREE_DEPTH:
        raise _too_deep(source, f"it parses {depth} levels deep, more than {MAX_TREE_DEPTH}")
    _check(tree, source)
    return Condition(source.strip(), tree)


def _shown(source: str) -> str:
    """The condition as messages quote it: a long one is cut, so an error stays one readable line."""
    return repr(source) if len(source) <= 100 else repr(source[:80]) + f"... ({len(source)} characters)"


def _too_deep(source: str, problem: str) -> ConditionError:
    return ConditionError(f"invalid condition {_shown(source)}: {problem}; write it with fewer levels of "
                          "brackets and not, or split it into several gates or rules")


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None  # ast.parse reports it with a column


def _nesting(tokens: list[tokenize.TokenInfo]) -> int:
    """How deep brackets and runs of prefix operators (not not - x) nest, read from the text.

    Cheap and clear for the usual shapes; the parse and _depth catch whatever this misses.
    """
    depth = deepest = run = 0
    for token in tokens:
        if token.string in _PREFIX_OPERATORS and token.type in (tokenize.NAME, tokenize.OP):
            run += 1
        else:
            run = 0
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
        deepest = max(deepest, depth + run)
    return deepest


def _depth(tree: ast.AST) -> int:
    """How deep a parsed tree is, walked without recursion (the walkers below recurse)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _single_equals_as_double(text: str, tokens: list[tokenize.TokenInfo] | None) -> str:
    # `params.model = 'rf'` as in the filter language means ==.
    if tokens is None or not any(t.type == tokenize.OP and t.string == "=" for t in tokens):
        return text
    out = [(t.type, "==" if t.type == tokenize.OP and t.string == "=" else t.string) for t in tokens]
    return tokenize.untokenize(out).strip()


def _check(node: ast.AST, source: str) -> None:
    column = getattr(node, "col_offset", 0) + 1
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, source)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        _check(node.operand, source)
    elif isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise ConditionError(f"invalid condition {_shown(source)} at column {column}: use == != < <= > >= in; "
                                 f"{_HINT}")
        for part in [node.left, *node.comparators]:
            _check(part, source)
    elif _is_field(node):
        name = _field_name(node)
        root = name.split(".", 1)[0]
        if root not in _ROOTS:
            known = ", ".join(_ROOTS)
            raise ConditionError(f"invalid condition {_shown(source)} at column {column}: unknown field {name!r} "
                                 f"(fields start with {known})")
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)) or (
            isinstance(node, ast.Constant) and node.value is None):
        pass
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _check(element, source)
    else:
        raise ConditionError(f"invalid condition {_shown(source)} at column {column}: only fields, numbers, quoted "
                             f"text, comparisons, and, or, not are allowed; {_HINT}")


def _is_field(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _field_name(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    assert isinstance(node, ast.Name)
    parts.append(node.id)
    return ".".join(reversed(parts))


def _eval(node: ast.AST, values: Callable[[str], Any], outcome: Outcome) -> Any:
    if isinstance(node, ast.BoolOp):
        results = [bool(_eval(v, values, outcome)) for v in node.values]  # every field observed
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, outcome)
        if isinstance(node.op, ast.USub):
            return MISSING if operand is MISSING else -operand
        return not operand
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, outcome)
        result = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, values, outcome)
            if left is MISSING or right is MISSING or _is_nan(left) or _is_nan(right):
                result = False
            elif not _COMPARE[type(op)](left, right):
                result = False
            left = right
        return result
    if _is_field(node):
        name = _field_name(node)
        value = values(name)
        if value is MISSING:
            if name not in outcome.missing:
                outcome.missing.append(name)
        else:
            outcome.observed[name] = value
        return value
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_eval(e, values, outcome) for e in node.elts]
    raise ConditionError(f"unsupported expression {ast.dump(node)}")  # _check refused it already


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


class RunValues:
    """The values a condition may name for one run (and, optionally, its baseline run)."""

    def __init__(self, run: Any, baseline: Any | None = None) -> None:
        self.run = run
        self.baseline = RunValues(baseline) if baseline is not None else None
        self._records: dict[str, dict[str, Any]] | None = None

    def __call__(self, name: str) -> Any:
        root, _, rest = name.partition(".")
        if root == "baseline":
            return self.baseline(rest) if self.baseline is not None else MISSING
        run = self.run
        if root in ("metrics", "params", "tags"):
            source: Mapping[str, Any] = getattr(run, root)
            return source.get(rest, MISSING) if rest else MISSING
        if root in ("status", "experiment", "name", "duration") and not rest:
            value = getattr(run, root)
            return MISSING if value is None else str(value) if root == "status" else value
        if root == "data":
            return _path(self.records("data"), rest)
        if root == "drift":
            drifts = self.records("drift")
            if rest == "share":
                shares = [d.get("share") for d in drifts.values() if isinstance(d.get("share"), (int, float))]
                return max(shares) if shares else MISSING
            return _path(drifts, rest)
        return MISSING

    def records(self, kind: str) -> dict[str, dict[str, Any]]:
        if self._records is None:
            self._records = {}
            for record in self.run.records():
                self._records.setdefault(record.kind, {})[record.name] = record.body
        return self._records.get(kind, {})


def _path(tree: Mapping[str, Any], dotted: str) -> Any:
    value: Any = tree
    for part in dotted.split(".") if dotted else []:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return MISSING
    return MISSING if value is tree else value
