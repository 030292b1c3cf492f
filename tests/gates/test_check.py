"""nbtrack check through the CLI: exit codes, the pass/fail table, JSON, and JUnit XML a parser reads."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from nbtrack.analyze.gates import check_gates

TRAIN_SCHEMA = {"age": "float64", "plan": "object"}


def make_run(store, metrics: dict[str, float], *, train_rows: int = 1500, missing: float = 0.0,
             scoring_schema: dict[str, str] | None = None) -> str:
    run_id = store.create_run("churn")
    store.log_metrics(run_id, [(k, 0, v, 0) for k, v in metrics.items()])
    store.add_record(run_id, "data", "train", {"rows": train_rows, "missing_share": missing, "schema": TRAIN_SCHEMA})
    store.add_record(run_id, "data", "scoring", {"rows": 300, "missing_share": 0.0,
                                                 "schema": scoring_schema or TRAIN_SCHEMA})
    store.end_run(run_id, "finished")
    return run_id


@pytest.fixture
def champion(store) -> str:
    run_id = make_run(store, {"test.f1": 0.93, "test.expected_cost": 0.15})
    store.models.register("churn", run_id)
    store.models.promote("churn", 1, "champion")
    return run_id


def test_a_passing_candidate_exits_0_and_writes_junit_with_no_failures(store, champion, cli, tmp_path):
    candidate = make_run(store, {"test.f1": 0.925, "test.expected_cost": 0.18})
    done = cli("check", candidate, "--require", "metrics.test.f1 >= 0.9",
               "--require", "metrics.test.expected_cost <= 0.2", "--require", "data.train.rows >= 1000",
               "--require", "data.scoring.schema == data.train.schema",
               "--baseline", "churn@champion", "--max-drop", "test.f1=0.01", "--junit", tmp_path / "gate.xml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED: 5 of 5 rules passed" in done.stdout
    assert "against churn@champion" in done.stdout
    suite = ET.parse(tmp_path / "gate.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "5" and suite.get("failures") == "0"
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names[0] == "metrics.test.f1 >= 0.9"
    assert names[-1] == "metrics.test.f1 max drop 0.01 vs baseline"
    assert not list(suite.iter("failure"))


def test_a_failing_candidate_exits_1_and_junit_names_each_failed_rule(store, champion, cli, tmp_path):
    candidate = make_run(store, {"test.f1": 0.905}, train_rows=800, missing=0.05,
                         scoring_schema={"age": "object", "plan": "object", "extra": "int64"})
    done = cli("check", candidate, "--require", "metrics.test.f1 >= 0.9",
               "--require", "metrics.test.expected_cost <= 0.2",
               "--require", "data.train.rows >= 1000", "--require", "data.train.missing_share <= 0.01",
               "--require", "data.scoring.schema == data.train.schema",
               "--baseline", "churn@champion", "--max-drop", "test.f1=0.01",
               "--junit", tmp_path / "gate.xml", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [r["status"] for r in report["results"]] == ["pass", "fail", "fail", "fail", "fail", "fail"]
    assert report["baseline_run_id"] == champion and report["passed"] is False
    assert "missing metrics.test.expected_cost" in report["results"][1]["detail"]
    assert "drop 0.025" in report["results"][5]["detail"]

    suite = ET.parse(tmp_path / "gate.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "6" and suite.get("failures") == "5"
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == ["metrics.test.expected_cost <= 0.2", "data.train.rows >= 1000",
                      "data.train.missing_share <= 0.01", "data.scoring.schema == data.train.schema",
                      "metrics.test.f1 max drop 0.01 vs baseline"]
    # The verdict is kept with the run for the report.
    assert [r.body["passed"] for r in store.run(candidate).records("gate")] == [False]


def test_check_gates_in_python_accepts_a_champion_reference(store, champion):
    candidate = make_run(store, {"test.f1": 0.95, "test.loss": 0.3})
    report = check_gates(store.run(candidate), ["metrics.test.f1 > baseline.metrics.test.f1"],
                         champion="churn@champion", max_drop={"test.f1": 0.0})
    assert report.passed and report.baseline_run_id == champion
    report = check_gates(store.run(candidate), ["params.model == 'rf'"])
    assert not report.passed and report.results[0].detail == "missing params.model"


def test_bad_gate_input_prints_one_line_and_exits_2(store, champion, cli):
    cases = [
        (("check", champion, "--require", "metrics.test.f1 >>= 1"), "invalid condition"),
        (("check", champion, "--require", "open('x').read() == 1"), "only fields"),
        (("check", champion, "--max-drop", "test.f1=0.01"), "add --baseline"),
        (("check", champion, "--baseline", "churn@champion", "--max-drop", "test.f1"), "METRIC=AMOUNT"),
        (("check", champion), "no gates to check"),
        (("check", champion, "--require", "metrics.x > 1", "--baseline", "churn@nope"), "no alias 'nope'"),
    ]
    for args, words in cases:
        done = cli(*args)
        assert done.returncode == 2, (args, done.stdout)
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_markdown_verdict_lists_each_rule_with_baseline_values_and_metric_deltas(store, champion, cli, tmp_path):
    candidate = make_run(store, {"test.f1": 0.905, "test.expected_cost": 0.18, "test.auc": 0.8})
    store.set_tags(candidate, {"note": "x | <b>y</b>"})
    summary = tmp_path / "summary.md"
    summary.write_text("## earlier step\n")
    done = cli("check", candidate, "--require", "metrics.test.f1 >= 0.9",
               "--require", "metrics.test.f1 > baseline.metrics.test.f1", "--require", "tags.note == 'z'",
               "--baseline", "churn@champion", "--max-drop", "test.f1=0.01", "--format", "markdown",
               "--summary", summary)
    assert done.returncode == 1, done.stderr
    md = done.stdout
    assert md.startswith(f"### nbtrack check failed: run `{candidate}` against churn@champion (`{champion}`)")
    assert "**FAILED**: 1 of 4 rules passed." in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| result | rule | observed | baseline |"
    assert rows[1] == "| ✅ pass | metrics.test.f1 \\>= 0.9 | metrics.test.f1 = 0.905 |  |"
    assert rows[2] == ("| ❌ fail | metrics.test.f1 \\> baseline.metrics.test.f1 | metrics.test.f1 = 0.905 "
                       "| metrics.test.f1 = 0.93 |")
    # A tag value cannot break the table or add HTML to a pull-request comment.
    assert rows[3] == "| ❌ fail | tags.note == 'z' | tags.note = 'x \\| \\<b\\>y\\</b\\>' |  |"
    assert rows[4].startswith("| ❌ fail | metrics.test.f1 max drop 0.01 vs baseline | metrics.test.f1 = 0.905 "
                              "| metrics.test.f1 = 0.93 |")
    deltas = rows[rows.index("| metric | run | baseline | change |") + 1:]
    # The gated metric first, then every metric of either run by name.
    assert deltas == ["| test.f1 | 0.905 | 0.93 | -0.025 |", "| test.auc | 0.8 |  |  |",
                      "| test.expected\\_cost | 0.18 | 0.15 | +0.03 |"]
    # The summary file is appended to, as $GITHUB_STEP_SUMMARY is.
    assert summary.read_text() == "## earlier step\n" + md + "\n"


def test_markdown_without_a_baseline_has_no_delta_table(store, champion, cli):
    done = cli("check", champion, "--require", "metrics.test.f1 >= 0.9", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "### nbtrack check passed: run" in done.stdout and "| metric |" not in done.stdout
    assert "**PASSED**: 1 of 1 rules passed." in done.stdout
