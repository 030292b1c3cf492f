"""Fuzzed filters, orders and parameters: a result or one line of UsageError, never anything else."""

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
