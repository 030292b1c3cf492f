"""The command line as a user runs it: a subprocess, exit codes, formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

import nbtrack

NOTEBOOK_CELLS = ["import nbtrack\nrun = nbtrack.start_run()\nrun.log_metrics({'test.f1': 0.5 + C / 10})"]


@pytest.fixture
def seeded(store):
    """Three finished runs with params and test.f1; returns their ids, best first."""
    ids = []
    for model, f1 in [("rf", 0.95), ("logreg", 0.91), ("rf", 0.80)]:
        run_id = store.create_run("train", params={"model": model, "C": f1 * 10})
        store.log_metrics(run_id, [("test.f1", 0, f1, 0), ("loss", 0, 1 - f1, 0)])
        store.end_run(run_id, "finished")
        ids.append(run_id)
    return ids


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nbtrack: error: ") or lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.slow
def test_run_executes_and_exits_zero_with_a_summary(cli, notebook):
    path = notebook(NOTEBOOK_CELLS, parameters="C = 1.0\nmodel = 'rf'")
    result = cli("run", path, "-p", "C", "3", "-p", "model", "gb", "--tag", "ci=yes")
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stdout and "test.f1" in result.stdout
    run = nbtrack.open_store().runs()[0]
    assert run.params == {"C": 3, "model": "gb"} and run.tags == {"ci": "yes"}
    assert run.metrics["test.f1"] == pytest.approx(0.8)


@pytest.mark.slow
def test_run_of_a_failing_notebook_exits_one_and_names_the_cell(cli, notebook):
    path = notebook(["raise RuntimeError('boom')"])
    result = cli("run", path, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == "failed"
    assert "in code cell 1: RuntimeError: boom" in result.stderr  # the autolog cell nbtrack adds is not counted


@pytest.mark.slow
def test_run_takes_params_from_a_yaml_file_and_p_overrides(cli, notebook, tmp_path):
    path = notebook(NOTEBOOK_CELLS, parameters="C = 1.0\nmodel = 'rf'")
    (tmp_path / "params.yaml").write_text("C: 2\nmodel: logreg\n")
    result = cli("run", path, "-f", tmp_path / "params.yaml", "-p", "C", "4", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["params"] == {"C": 4, "model": "logreg"}


def test_runs_lists_filters_and_sorts(cli, seeded):
    result = cli("runs", "--where", "params.model = 'rf' and metrics.test.f1 > 0.9", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)] == [seeded[0]]
    ordered = json.loads(cli("runs", "--order-by", "-metrics.test.f1", "--format", "json").stdout)
    assert [r["metrics"]["test.f1"] for r in ordered] == [0.95, 0.91, 0.80]


def test_runs_json_has_the_documented_fields(cli, seeded):
    run = json.loads(cli("runs", "--format", "json").stdout)[0]
    for field in ("id", "experiment", "status", "params", "metrics", "tags", "started_at", "ended_at",
                  "notebook", "artifacts"):
        assert field in run


def test_runs_csv_has_a_row_per_run_with_param_and_metric_columns(cli, seeded):
    rows = list(csv.DictReader(io.StringIO(cli("runs", "--format", "csv").stdout)))
    assert len(rows) == 3
    assert {"id", "params.model", "metrics.test.f1"} <= set(rows[0])


def test_runs_table_shows_short_unique_ids_and_chosen_columns(cli, seeded):
    result = cli("runs", "--columns", "params.model,metrics.test.f1", "--order-by", "-metrics.test.f1")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "name", "experiment", "status", "started", "duration", "params.model",
                                "metrics.test.f1"]
    first_id = lines[2].split()[0]
    assert len(first_id) >= 6 and seeded[0].endswith(first_id)  # the one short-id rule: the id's end
    assert lines[2].split()[-1] == "0.95"
    assert first_id in cli("show", first_id).stdout or seeded[0] in cli("show", first_id).stdout


def test_runs_table_names_runs_and_shows_what_varies_or_any_field_asked_for(cli, seeded, store):
    lines = cli("runs").stdout.splitlines()
    # model and C vary among the seeded runs, and both metrics; nothing else is a column
    assert lines[0].split() == ["id", "name", "experiment", "status", "started", "duration", "params.C",
                                "params.model", "metrics.test.f1", "metrics.loss"]
    assert store.run(seeded[0]).name in lines[-1]
    asked = cli("runs", "--columns", "metrics.loss.min,notes,duration", "--order-by", "-metrics.test.f1").stdout
    assert asked.splitlines()[0].split()[-3:] == ["metrics.loss.min", "notes", "duration"]
    assert asked.splitlines()[2].split()[-3] == "0.05"


def test_runs_table_shows_a_run_column_asked_for_once_where_it_is_asked(cli, seeded, store):
    lines = cli("runs", "--columns", "name,notes", "--order-by", "-metrics.test.f1").stdout.splitlines()
    assert lines[0].split() == ["id", "experiment", "status", "started", "duration", "name", "notes"]
    assert lines[2].count(store.run(seeded[0]).name) == 1


def test_show_accepts_a_prefix_and_prints_params_metrics(cli, seeded):
    result = cli("show", seeded[1][:12])
    assert result.returncode == 0, result.stderr
    assert seeded[1] in result.stdout and "logreg" in result.stdout and "test.f1" in result.stdout
    data = json.loads(cli("show", seeded[1][:12], "--format", "json").stdout)
    assert data["id"] == seeded[1] and data["metrics"]["test.f1"] == 0.91


def test_compare_marks_what_differs(cli, seeded):
    result = cli("compare", seeded[0][:12], seeded[1][:12])
    assert result.returncode == 0, result.stderr
    model_row = next(line for line in result.stdout.splitlines() if line.startswith("params.model"))
    assert "rf" in model_row and "logreg" in model_row and model_row.rstrip().endswith("*")
    duration_row = next(line for line in result.stdout.splitlines() if line.startswith("duration")).split()
    assert all(cell == "-" or cell.endswith("s") for cell in duration_row[1:3]), duration_row  # as runs writes it
    only = cli("compare", seeded[0], seeded[1], "--differences").stdout
    assert "experiment" not in only



@pytest.mark.parametrize("args, fragments", [
    (["run", "missing.ipynb"], ["missing.ipynb does not exist"]),
    (["show", "ZZZZZZZZZZ"], ["no run matches"]),
    (["show", "01J"], ["at least 6"]),
    (["runs", "--where", "metrics.test.f1 >"], ["column 18", "expected a value"]),
    (["runs", "--order-by", "sideways"], ["unknown field"]),
    (["runs", "--order-by", "-metrics.test.f"], ["unknown key metrics.test.f; did you mean metrics.test.f1?"]),
    (["runs", "--columns", "params.model,metrics.test.f1x"], ["unknown key metrics.test.f1x; did you mean"]),
    (["compare", "ZZZZZZZZZZ", "YYYYYYYYYY"], ["no run matches"]),
])
def test_bad_input_gives_one_line_and_a_nonzero_exit(cli, seeded, args, fragments):
    assert_one_line_error(cli(*args), *fragments)


def test_ambiguous_prefix_is_refused_with_the_candidates(cli, store):
    from nbtrack.records import new_run_id

    first = store.create_run("e", run_id=new_run_id(1_760_000_000))
    store.create_run("e", run_id=new_run_id(1_760_000_000))
    assert_one_line_error(cli("show", first[:10]), "ambiguous")


def test_not_a_notebook_is_refused(cli, tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert_one_line_error(cli("run", tmp_path / "broken.ipynb"), "is not a Jupyter notebook")
    (tmp_path / "invalid.ipynb").write_text(json.dumps({"cells": "nope", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    assert_one_line_error(cli("run", tmp_path / "invalid.ipynb"), "is not a valid notebook")


def test_undeclared_parameter_lists_the_declared_ones_and_stores_nothing(cli, notebook, store_path):
    path = notebook(["pass"], parameters="alpha = 0.1\nbeta = 'x'")
    assert_one_line_error(cli("run", path, "-p", "gamma", "1"),
                          "declares no parameter 'gamma'", "declared parameters: alpha, beta")
    assert not store_path.exists() or nbtrack.open_store(store_path).count() == 0


@pytest.mark.parametrize("value, fragment", [("[1, 2", "does not parse"), ("'open", "does not parse"),
                                             ("abc", "is a number")])
def test_parameter_value_that_does_not_parse_or_fit_is_refused(cli, notebook, value, fragment):
    path = notebook(["pass"], parameters="alpha = 0.1")
    assert_one_line_error(cli("run", path, "-p", "alpha", value), fragment)


def test_a_name_and_value_joined_by_equals_is_refused_with_the_two_word_form(cli, notebook, store_path):
    """`-p model=rf` (sweeps write --grid model=rf,gb) would make click read `-p` as the next value."""
    path = notebook(["pass"], parameters="model = 'rf'\nseed = 0")
    assert_one_line_error(cli("run", path, "-p", "model=gb"), "two words", "-p model gb")
    assert_one_line_error(cli("run", path, "-p", "model=gb boost", "-p", "seed", "3"), "-p model 'gb boost'")
    assert not store_path.exists() or nbtrack.open_store(store_path).count() == 0
    done = cli("run", path, "-p", "model", "a=b")  # a value may hold "="
    assert done.returncode == 0, done.stderr


def test_parameter_injection_through_a_name_is_refused(cli, notebook, tmp_path):
    path = notebook(["pass"], parameters="alpha = 0.1")
    canary = tmp_path / "pwned"
    result = cli("run", path, "-p", f"x = 0\nopen({str(canary)!r}, 'w')\ny", "1")
    assert_one_line_error(result, "declares no parameter")
    assert not canary.exists()


def test_store_that_is_not_a_store_is_refused_and_left_alone(cli, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert_one_line_error(cli("runs", "--store", folder), "no nbtrack store")
    assert_one_line_error(cli("run", "nb.ipynb", "--store", tmp_path / "notes.txt"), "does not exist")
    (tmp_path / "file").write_text("x")
    assert_one_line_error(cli("runs", "--store", tmp_path / "file"), "is a file")
    assert (folder / "notes.txt").read_text() == "mine"


def test_store_upgraded_by_a_newer_nbtrack_is_refused_and_left_alone(cli, store, store_path, seeded):
    from sqlalchemy import func, select

    from nbtrack.store import schema

    with store.engine.begin() as conn:  # a step this nbtrack does not know, as a later version adds one
        conn.execute(schema.migrations.insert().values(name="9999_later", applied_at=0.0))
    assert_one_line_error(cli("runs", "--store", store_path), "newer nbtrack", "9999_later", "pip install -U")
    with store.engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(schema.runs)).scalar() == len(seeded)


@pytest.mark.slow
def test_store_that_is_not_writable_is_refused(cli, notebook, tmp_path):
    path = notebook(["pass"])
    (tmp_path / "blocker").write_text("x")
    assert_one_line_error(cli("run", path, "--store", tmp_path / "blocker" / "store"), "not writable")


def test_python_m_nbtrack_and_the_help_of_each_command(cli):
    for command in ("run", "runs", "show", "compare"):
        result = cli(command, "--help")
        assert result.returncode == 0 and "--store" in result.stdout


@pytest.mark.parametrize("value, fragment", [
    ("9" * 5000, "more than 4300 digits"), ("[" * 3000, "nests too deeply"), ("[" * 40 + "]" * 40, "deeper than 32"),
    ("9" * 400, "integer too large"), (".nan", "must be finite"), ("-.inf", "must be finite"),
    ("x" * 70_000, "log it as an artifact"),
])
def test_hostile_parameter_values_are_one_line_errors_and_store_nothing(cli, notebook, store_path, value, fragment):
    path = notebook(["pass"], parameters="alpha = 0.1\nlabel = 'a'")
    name = "label" if value.startswith("x") else "alpha"
    assert_one_line_error(cli("run", path, "-p", name, value), fragment)
    assert not store_path.exists() or nbtrack.open_store(store_path).count() == 0


def test_a_parameters_file_with_a_5000_digit_integer_is_one_line(cli, notebook, tmp_path):
    path = notebook(["pass"], parameters="alpha = 0.1")
    (tmp_path / "params.yaml").write_text(f"alpha: {'9' * 5000}\n")
    assert_one_line_error(cli("run", path, "-f", tmp_path / "params.yaml"), "more than 4300 digits")


@pytest.mark.parametrize("path, fragment", [("a/" * 5000 + "nb.ipynb", "10008 characters"),
                                            ("a" * 300 + "/nb.ipynb", "name of 300 bytes")])
def test_a_notebook_path_the_filesystem_cannot_name_is_one_line(cli, path, fragment):
    assert_one_line_error(cli("run", path), fragment, "use shorter")


def test_a_tag_over_the_value_limit_is_refused_and_the_limit_follows_the_environment(cli, notebook, store_path):
    path = notebook(["pass"], parameters="label = 'a'")
    assert_one_line_error(cli("run", path, "--tag", "note=" + "x" * 70_000), "tag 'note' is 70000 bytes",
                          "run.log_artifact")
    small = {"NBTRACK_MAX_VALUE_BYTES": "100"}
    assert_one_line_error(cli("run", path, "-p", "label", "y" * 200, env=small), "over the 100-byte limit")
    assert_one_line_error(cli("run", path, env={"NBTRACK_MAX_VALUE_BYTES": "lots"}),
                          "NBTRACK_MAX_VALUE_BYTES must be a whole number")
    assert not store_path.exists() or nbtrack.open_store(store_path).count() == 0


HOSTILE = {"title": "\x1b]0;pwned\x07", "clear": "\x1b[2J", "red": "\x1b[31m", "hide": "visible\rHIDDEN",
           "bidi": "abc\u202edef", "bell": "\x07", "newline": "one\ntwo", "nul": "a\x00b"}


def test_runs_show_and_compare_escape_control_characters_in_stored_text(cli, store):
    run_id = store.create_run("exp" + HOSTILE["title"], name="name" + HOSTILE["hide"],
                              params={f"p{k}": v for k, v in HOSTILE.items() if k != "nul"},
                              tags={f"t{k}": v for k, v in HOSTILE.items()})
    store.log_metrics(run_id, [("m" + HOSTILE["clear"], 0, 1.0, 0)])
    store.end_run(run_id, "failed", nbtrack.records.RunError(2, "Err" + HOSTILE["red"], "boom" + HOSTILE["hide"]))
    outputs = [cli("runs", "--columns", "params.phide,tags.tnul"), cli("show", run_id), cli("compare", run_id, run_id)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        shown = result.stdout + result.stderr
        assert not any(c in shown for c in "\x1b\x07\r\x00\u202e"), repr(shown)
    assert "exp\\x1b]0;pwned\\x07" in outputs[1].stdout and "name: " not in outputs[1].stdout
    assert "visible\\rHIDDEN" in outputs[0].stdout and "a\\x00b" in outputs[0].stdout
    assert "boomvisible\\rHIDDEN" in outputs[1].stdout and "one\\ntwo" in outputs[1].stdout
    assert "abc\\u202edef" in outputs[2].stdout


def test_an_error_naming_user_text_is_escaped_on_the_terminal(cli):
    result = cli("run", "nb\x1b]0;pwned\x07.ipynb")
    assert_one_line_error(result, "nb\\x1b]0;pwned\\x07.ipynb does not exist")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
