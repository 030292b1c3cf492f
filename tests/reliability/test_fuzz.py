"""Fuzzed filters, orders, conditions, parameters, request bodies and terminal text: a result or one line of UsageError."""

from __future__ import annotations

import json
import keyword
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nbtrack.analyze.conditions import MAX_CONDITION_CHARS, ConditionError, parse_condition
from nbtrack.capture.notebook import DeclaredParam
from nbtrack.errors import ParameterError, UsageError
from nbtrack.execution.params import check_params, parse_value
from nbtrack.store import Store, open_store
from nbtrack.store.query import MAX_DEPTH, MAX_FILTER_CHARS, MAX_ORDER_TERMS, MAX_TERMS, MAX_VALUES

FRAGMENTS = [
    "params.model", "metrics.test.f1", "tags.owner", "status", "experiment", "name", "started", "id",
    "params.`a.b`", "metrics.", "params", "=", "!=", "<", "<=", ">", ">=", "like", "in", "not", "and", "or",
    "(", ")", ",", "'rf'", "'", "\"x\"", "0.9", "-1e309", "1e-400", "nan", "inf", "null", "true", "9" * 40,
    "'%'", "`", "\\", ";", "--", "DROP TABLE runs", "\x00", "é", "🙂", "\n", " ",
]
filters = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def seeded(path: Path) -> Store:
    """Three finished runs with params, a metric and a tag: enough rows for every join to return some."""
    store = open_store(path)
    for n, model in enumerate(["rf", "gb", "logreg"]):
        run_id = store.create_run("fuzz", name=f"r{n}", params={"model": model, "C": n / 10, "a.b": [n]},
                                  tags={"owner": "ana"})
        store.log_metrics(run_id, [("test.f1", 0, 0.8 + n / 100, 0)])
        store.end_run(run_id, "finished")
    return store


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    return seeded(tmp_path_factory.mktemp("fuzz") / "store")


def one_line_usage_error(exc: BaseException) -> None:
    assert isinstance(exc, UsageError), f"{type(exc).__name__}: {exc}"
    assert str(exc) and "\n" not in str(exc).strip(), repr(str(exc))


@SETTINGS
@given(source=filters)
def test_any_filter_gives_runs_or_a_one_line_usage_error(fuzz_store, source):
    try:
        result = fuzz_store.runs(where=source)
    except Exception as exc:  # noqa: BLE001 - the property is about every exception
        one_line_usage_error(exc)
    else:
        assert len(result) <= 3


@SETTINGS
@given(order=st.one_of(st.text(max_size=30), st.sampled_from(FRAGMENTS).map(lambda f: "-" + f)))
def test_any_order_gives_runs_or_a_one_line_usage_error(fuzz_store, order):
    try:
        result = fuzz_store.runs(order_by=[order])
    except Exception as exc:  # noqa: BLE001
        one_line_usage_error(exc)
    else:
        assert len(result) == 3


@SETTINGS
@given(name=st.text(max_size=20), text=st.text(max_size=40))
def test_any_parameter_value_parses_or_is_a_one_line_parameter_error(name, text):
    try:
        parse_value(name, text)
    except Exception as exc:  # noqa: BLE001
        assert isinstance(exc, ParameterError)
        one_line_usage_error(exc)


DECLARED = {"C": DeclaredParam("C", "float", "1.0", ""), "model": DeclaredParam("model", "str", "'rf'", "")}


@SETTINGS
@given(name=st.one_of(st.text(max_size=30), st.sampled_from(["x = 0\nimport os\ny", "C; import os", "__import__"])),
       value=st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=10), st.none()))
def test_only_declared_identifiers_pass_as_parameter_names(name, value):
    try:
        checked = check_params({name: value}, DECLARED, "nb.ipynb")
    except Exception as exc:  # noqa: BLE001
        assert isinstance(exc, ParameterError)
        one_line_usage_error(exc)
    else:
        assert set(checked) == {name} and name in DECLARED
        assert name.isidentifier() and not keyword.iskeyword(name)


def hostile_nesting(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


def nested_list(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=20),
              st.integers(min_value=-(10**400), max_value=10**400)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=40,
)
bodies = st.one_of(
    st.text(max_size=80).map(str.encode),
    st.builds(hostile_nesting, st.integers(min_value=0, max_value=50_000), st.sampled_from(["1", "NaN", "", "{}"]))
    .map(str.encode),
    st.integers(min_value=1, max_value=6000).map(lambda n: b'{"p": ' + b"9" * n + b"}"),
    st.sampled_from([b"NaN", b"-Infinity", b"1e999", b'{"a": Infinity}', b"[" * 100_000]),
)


@SETTINGS
@given(value=st.one_of(json_values, st.integers(min_value=1, max_value=5000).map(nested_list)))
def test_any_param_value_is_stored_or_a_one_line_usage_error_from_every_writer(fuzz_store, value):
    from nbtrack.execution.params import check_value

    run_id = fuzz_store.create_run("fuzz-values")
    outcomes = []
    for write in (lambda: check_value("p", value), lambda: fuzz_store.log_params(run_id, {"p": value})):
        try:
            write()
        except Exception as exc:  # noqa: BLE001
            one_line_usage_error(exc)
            outcomes.append(False)
        else:
            outcomes.append(True)
    assert outcomes[0] <= outcomes[1]  # what an execution accepts, the store stores
    fuzz_store.end_run(run_id, "finished")


@SETTINGS
@given(body=bodies)
def test_any_request_body_parses_or_is_a_one_line_usage_error(body):
    from nbtrack.limits import load_json

    try:
        load_json(body)
    except ValueError as exc:  # not JSON, or not UTF-8: json_body answers these with its own 400
        assert type(exc).__name__ in {"JSONDecodeError", "UnicodeDecodeError"}, exc
    except Exception as exc:  # noqa: BLE001
        one_line_usage_error(exc)


@SETTINGS
@given(text=st.text())
def test_terminal_text_is_always_printable_and_printable_text_is_unchanged(text):
    from nbtrack.cli.output import printable, table

    shown = printable(text)
    assert shown.isprintable() and (shown == text) == text.isprintable()
    assert all(line.isprintable() for line in table([text], [[text]]).split("\n"))


# -- query bounds, driven in a separate process: a segfault there is a failure, not a dead pytest ----------

WORKER = Path(__file__).with_name("query_worker.py")


class QueryProcess:
    """tests/reliability/query_worker.py over a real SQLite store, restarted whenever it died."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.process: subprocess.Popen[str] | None = None

    def ask(self, where: str | None, order: list[str]) -> dict[str, Any]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, str(WORKER), str(self.store)],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"where": where, "order": order}) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            pass  # it died: readline below sees the end
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            code = process.wait()
            shown = f"where={where[:200] if where else where!r} ({len(where or '')} chars), {len(order)} order terms"
            raise AssertionError(f"the query process {'hung' if not ready else 'died'} (exit {code}) on {shown}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def query_process(tmp_path_factory):
    path = tmp_path_factory.mktemp("bounds") / "store"
    seeded(path).close()
    process = QueryProcess(path)
    yield process
    process.close()


COMPARISONS = ["params.model = 'rf'", "params.C >= 0.1", "metrics.test.f1 > 0.5", "tags.owner != 'bob'",
               "status = 'finished'", "name like 'r%'", "started > '2020-01-01'", "params.C in (0, 0.1, 'a')"]
ORDERS = ["params.C", "-params.C", "-metrics.test.f1", "tags.owner", "-params.model", "started", "-name", "status",
          "params.a.b", "metrics.none"]


def around(bound: int, far: int) -> st.SearchStrategy[int]:
    """Counts anywhere below a bound, at it, just past it, and far past it."""
    return st.one_of(st.integers(0, bound), st.integers(bound - 1, bound + 1), st.integers(bound + 1, 3 * bound),
                     st.just(far))


def values_in(comparison: str) -> int:
    return comparison.count(",") + 1 if " in (" in comparison else 1


def comparisons(count: int, offset: int) -> list[str]:
    return [COMPARISONS[(offset + n) % len(COMPARISONS)] for n in range(count)]


# A filter as (text, depth of parentheses and nots, comparisons, values): counted as the bounds count them.
leaves = st.sampled_from(COMPARISONS).map(lambda c: (c, 0, 1, values_in(c)))
trees = st.recursive(leaves, lambda children: st.one_of(
    st.tuples(st.sampled_from([" and ", " or "]), st.lists(children, min_size=2, max_size=6)).map(
        lambda j: (j[0].join(c[0] for c in j[1]), max(c[1] for c in j[1]), sum(c[2] for c in j[1]),
                   sum(c[3] for c in j[1]))),
    children.map(lambda c: (f"not ({c[0]})", c[1] + 2, c[2], c[3])),
    children.map(lambda c: (f"({c[0]})", c[1] + 1, c[2], c[3])),
), max_leaves=120)


@st.composite
def filters_near_bounds(draw: Any) -> tuple[str, int, int, int] | None:
    shape = draw(st.sampled_from(["none", "parentheses", "nots", "or", "and", "in", "tree"]))
    leaf = draw(st.sampled_from(COMPARISONS))
    if shape == "none":
        return None
    if shape in ("parentheses", "nots"):
        depth = draw(around(MAX_DEPTH, far=draw(st.sampled_from([2000, 3000]))))
        text = "(" * depth + leaf + ")" * depth if shape == "parentheses" else "not " * depth + leaf
        return text, depth, 1, values_in(leaf)
    if shape in ("or", "and"):
        terms = comparisons(max(1, draw(around(MAX_TERMS, far=1500))), draw(st.integers(0, 7)))
        return f" {shape} ".join(terms), 0, len(terms), sum(map(values_in, terms))
    if shape == "in":
        count = max(1, draw(around(MAX_VALUES, far=5000)))
        return f"params.C in ({', '.join(str(n / 10) for n in range(count))})", 0, 1, count
    tree: tuple[str, int, int, int] = draw(trees)
    return tree


@st.composite
def orders_near_bound(draw: Any) -> list[str]:
    count, offset = draw(around(MAX_ORDER_TERMS, far=64)), draw(st.integers(0, len(ORDERS) - 1))
    if draw(st.booleans()):
        return ["params.C"] * count  # the shape that segfaulted SQLite 3.40.1 at 32
    return [ORDERS[(offset + n) % len(ORDERS)] for n in range(count)]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(where=filters_near_bounds(), order=orders_near_bound())
def test_queries_near_and_past_every_bound_give_rows_or_a_query_error_and_never_crash(query_process, where, order):
    text = where[0] if where else None
    within = len(order) <= MAX_ORDER_TERMS and (where is None or (
        where[1] <= MAX_DEPTH and where[2] <= MAX_TERMS and where[3] <= MAX_VALUES
        and len(where[0]) <= MAX_FILTER_CHARS))
    event("within every bound" if within else "past a bound")
    answer = query_process.ask(text, order)
    if within:
        assert "rows" in answer and 0 <= answer["rows"] <= 3, answer
    else:
        assert "query_error" in answer, answer
        message = answer["query_error"]
        assert "\n" not in message and len(message) < 500, message
        assert "more than" in message or "longer than" in message, message


HOSTILE_RUNS_ARGS = {
    "2000 nested parentheses": ["--where", "(" * 2000 + "params.C > 0" + ")" * 2000],
    "3000 nots": ["--where", "not " * 3000 + "params.C > 0"],
    "1500 ors": ["--where", " or ".join(["params.C > 0"] * 1500)],
    "1500 ands": ["--where", " and ".join(["params.C > 0"] * 1500)],
    "2000 in values": ["--where", f"params.C in ({', '.join(map(str, range(2000)))})"],
    "32 order terms": ["--order-by", "params.C"] * 32,
    "40 distinct order terms": [arg for n in range(40) for arg in ("--order-by", f"-params.p{n}")],
}


@pytest.mark.slow
@pytest.mark.parametrize("args", HOSTILE_RUNS_ARGS.values(), ids=HOSTILE_RUNS_ARGS.keys())
def test_hostile_queries_on_the_command_line_are_one_line_errors(store_path, cli, args):
    seeded(store_path).close()  # NBTRACK_STORE names it
    done = cli("runs", *args)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stderr.startswith("nbtrack: error: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert len(done.stderr) < 500


HOSTILE_CONDITIONS = {
    "3000 nots": "not " * 3000 + "metrics.test.f1 > 0",
    "2400 nots within the length bound": "not " * 2400 + "metrics.test.f1 > 0",
    "2000 nested parentheses": "(" * 2000 + "metrics.test.f1 > 0" + ")" * 2000,
    "9000 minus signs": "-" * 9000 + "1 > 0",
    "4900 additions": "1+" * 4900 + "1 > 0",
    "150 nested lists": "[" * 150 + "1" + "]" * 150 + " == 1",
    "1500 ors": " or ".join(["metrics.test.f1 > 0"] * 1500),
}


@pytest.mark.parametrize("condition", HOSTILE_CONDITIONS.values(), ids=HOSTILE_CONDITIONS.keys())
def test_hostile_conditions_are_one_line_condition_errors(condition):
    with pytest.raises(ConditionError) as caught:
        parse_condition(condition)
    one_line_usage_error(caught.value)
    assert len(str(caught.value)) < 500


def test_conditions_up_to_the_bounds_still_parse():
    assert parse_condition("not " * 30 + "metrics.test.f1 > 0")
    assert parse_condition(" or ".join(["metrics.test.f1 > 0"] * 400))  # just under MAX_CONDITION_CHARS
    assert parse_condition("metrics.x in (" + ", ".join(["-1"] * 1000) + ")")
    assert len(" or ".join(["metrics.test.f1 > 0"] * 400)) < MAX_CONDITION_CHARS


@pytest.mark.slow
def test_a_hostile_gate_on_the_command_line_is_one_line_error(store, cli):
    run_id = store.create_run("gate")
    store.end_run(run_id, "finished")
    for condition in (HOSTILE_CONDITIONS["2400 nots within the length bound"], HOSTILE_CONDITIONS["4900 additions"]):
        done = cli("check", run_id, "--require", condition)
        assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
        assert done.stderr.startswith("nbtrack: error: ") and len(done.stderr.strip().splitlines()) == 1
