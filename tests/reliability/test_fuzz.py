"""Fuzzed filters, orders, parameters, request bodies and terminal text: a result or one line of UsageError."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbtrack.capture.notebook import DeclaredParam
from nbtrack.errors import ParameterError, UsageError
from nbtrack.execution.params import check_params, parse_value
from nbtrack.store import open_store

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


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("fuzz") / "store")
    for n, model in enumerate(["rf", "gb", "logreg"]):
        run_id = store.create_run("fuzz", name=f"r{n}", params={"model": model, "C": n / 10, "a.b": [n]},
                                  tags={"owner": "ana"})
        store.log_metrics(run_id, [("test.f1", 0, 0.8 + n / 100, 0)])
        store.end_run(run_id, "finished")
    return store


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
