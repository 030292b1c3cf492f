"""The views as widget models and static HTML, without a browser: tables, choices, escaping."""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as widgets
import pytest

from nbtrack.errors import UsageError
from nbtrack.views import DataView, EvaluationView, ModelView, RunCard, RunComparison, RunTable
from nbtrack.views.html import Html, escape, table
from nbtrack.views.view import WIDGET_MIME

XSS_KEY = '<img src=x onerror="window.__xss=1">'  # the tag key the filled store uses


def html_values(widget: Any) -> list[str]:
    """Every HTML value in a widget tree: what the browser will parse as markup."""
    found = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found += html_values(child)
    return found


def assert_escaped(markup: str, xss: str) -> None:
    assert xss not in markup
    assert "<img src=x" not in markup
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in markup


def test_escape_turns_markup_into_text_and_passes_built_html_through() -> None:
    assert escape('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"
    assert escape(Html("<b>ok</b>")) == "<b>ok</b>"
    assert escape(0.123456) == "0.1235"
    assert "&lt;script&gt;" in table(["<script>"], [["<script>"]])


def test_every_view_escapes_names_params_tags_metric_keys_and_columns(filled: Any, xss: str) -> None:
    store, ids = filled
    table_view = RunTable(store=store, columns=["name", f"params.{xss}", f"metrics.{xss}", f"tags.{xss}"])
    table_view.select(*ids)
    comparison = table_view.compare()
    card = RunCard(store.run(ids[0]), live=False)
    record = store.run(ids[0])
    captures = [DataView(record.records("data")[0].body, xss), EvaluationView(record.records("evaluation")[0].body, xss)]
    for view in [table_view, comparison, card, *captures]:
        bundle = view._repr_mimebundle_()
        assert_escaped(bundle["text/html"], xss)
        for value in html_values(view):
            assert "<img src=x" not in value


def test_every_view_bundle_carries_the_widget_and_a_static_html_fallback(filled: Any) -> None:
    store, ids = filled
    for view in [RunTable(store=store), RunComparison(ids, store=store), RunCard(store.run(ids[0]), live=False)]:
        bundle = view._repr_mimebundle_()
        assert bundle[WIDGET_MIME]["model_id"] == view.model_id
        assert "<table" in bundle["text/html"] and "<script" not in bundle["text/html"]
        assert len(bundle["text/plain"]) < 120


def test_run_table_queries_one_page_at_a_time(store: Any) -> None:
    for index in range(45):
        store.create_run("paged", params={"i": index})
    view = RunTable(store=store, page_size=20)
    assert len(view.runs) == 20 and view.total == 45
    assert view.previous.disabled and not view.next.disabled
    view.next.click()
    view.next.click()
    assert view.page == 2 and len(view.runs) == 5 and view.next.disabled
    assert "runs 41–45 of 45" in view.position.value
    seen = {run.params["i"] for page in range(3) for run in (view.show_page(page) or view.runs)}
    assert seen == set(range(45))
    store.create_run("paged", params={"i": 45})
    view.reload.click()
    assert view.total == 46 and view.page == 2 and len(view.runs) == 6


def test_run_table_filter_mistake_is_shown_inline_and_keeps_the_list(filled: Any) -> None:
    store, _ = filled
    view = RunTable(store=store)
    view.filter_box.value = "params.model = 'gb'"
    assert view.total == 1 and view.runs[0].params["model"] == "gb"
    view.filter_box.value = "params.seed >"
    assert "nbtrack-error" in view.filter_message.value and "expected a value" in view.filter_message.value
    assert view.total == 1 and view.where == "params.model = 'gb'"
    view.filter_box.value = ""
    assert view.total == 3 and view.filter_message.value == ""


def test_run_table_sorts_by_a_header_click_and_flips_on_a_second(filled: Any) -> None:
    store, _ = filled
    view = RunTable(store=store, columns=["name", "params.seed", "metrics.test.f1"])
    view.header_buttons["metrics.test.f1"].click()
    ascending = [run.metrics["test.f1"] for run in view.runs]
    assert ascending == sorted(ascending)
    assert view.header_buttons["metrics.test.f1"].description == "metrics.test.f1 ▲"
    view.header_buttons["metrics.test.f1"].click()
    assert [run.metrics["test.f1"] for run in view.runs] == sorted(ascending, reverse=True)
    assert view.header_buttons["metrics.test.f1"] in view.grid.children


def test_run_table_column_chooser_adds_and_removes_columns(filled: Any) -> None:
    store, _ = filled
    view = RunTable(store=store, columns=["name"])
    view.choosers["params.depth"].value = True
    assert view.columns == ["name", "params.depth"]
    assert view.column_html["params.depth"].value.count(">5</div>") == 3
    view.choosers["params.depth"].value = False
    assert view.columns == ["name"]
    assert f"tags.{XSS_KEY}" in view.choosers


def test_run_table_default_columns_are_what_varies_in_the_runs_shown(filled: Any) -> None:
    store, _ = filled
    other = store.create_run("other", params={"batch_size": 32, "model": "mlp"})
    store.log_metrics(other, [("val.acc", 0, 0.5, 0)])
    store.end_run(other, "finished")
    view = RunTable(experiment="demo", store=store)
    # model and seed vary in demo, depth does not; the other experiment's batch_size is not there
    assert view.columns == ["id", "name", "experiment", "status", "started", "duration", "params.model",
                            "params.seed", "metrics.test.f1", "metrics.train.loss"]
    assert view.columns[6:] == store.fields(experiment="demo")["default_columns"]  # the Lab table's rule
    assert "params.batch_size" not in RunTable(where="params.model = 'rf'", store=store).columns


def test_run_table_pins_the_tick_and_id_columns_while_the_rest_scroll(filled: Any) -> None:
    store, _ = filled
    view = RunTable(store=store)
    assert "nbtrack-pinned" in view.column_html["id"]._dom_classes
    assert "nbtrack-pinned" in view.header_buttons["id"]._dom_classes
    assert view.grid.layout.overflow == "auto"
    assert "position: sticky" in view.children[0].value


def test_run_table_status_is_coloured(filled: Any) -> None:
    store, _ = filled
    html = RunTable(store=store).static_html()
    assert re.search(r'nbtrack-view-status-failed" style="color:#c62828', html)
    assert re.search(r'nbtrack-view-status-finished" style="color:#2e7d32', html)


def test_ticking_two_runs_and_pressing_compare_opens_a_comparison_below(filled: Any) -> None:
    store, ids = filled
    view = RunTable(store=store)
    assert view.compare_button.disabled
    boxes = view.row_boxes
    boxes[0].value = True
    boxes[2].value = True
    assert not view.compare_button.disabled and "2 selected" in view.selection_label.value
    view.compare_button.click()
    comparison = view.comparison.children[0]
    assert isinstance(comparison, RunComparison)
    assert {run.id for run in comparison.runs} == {view.runs[0].id, view.runs[2].id}
    assert "Comparing 2 runs" in view.static_html()


def test_comparison_needs_two_runs(filled: Any) -> None:
    store, ids = filled
    with pytest.raises(UsageError, match="at least two runs"):
        RunComparison(ids[:1], store=store)


def test_comparison_params_only_differences_hides_equal_rows(filled: Any) -> None:
    store, ids = filled
    view = RunComparison(ids, store=store)
    params = view._html["Params"]
    assert ">depth<" in params.value
    view.only_differences.value = True
    assert ">depth<" not in params.value and ">model<" in params.value and ">seed<" in params.value


def test_comparison_marks_the_best_value_per_metric_by_direction(filled: Any) -> None:
    store, ids = filled
    view = RunComparison(ids, store=store)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td[^>]*>([^<]+)</td>.*?</tr>",
                                                        view._html["Metrics"].value)}
    assert "0.9 ★" in rows["test.f1"]  # the gb run: higher is better
    assert "0.01923 ★" in rows["train.loss"]  # the gb run's last loss, 1/52: lower is better
    assert rows["train.loss"].count("★") == 1
    view.summary_choice.value = "max"
    assert "0.3333 ★" in view._html["Metrics"].value  # the smallest of the largest losses
    assert "max value" in view._html["Metrics"].value


def test_comparison_overlays_series_and_shows_figures_and_confusion_matrices(filled: Any) -> None:
    store, ids = filled
    view = RunComparison(ids, store=store)
    assert view._html["Series"].value.count("<img") == 1  # train.loss: the only key with steps
    assert view._html["Figures"].value.count('src="data:image/png;base64,') == 3
    assert view._html["Evaluations"].value.count("<img") == 3


def test_comparison_tells_which_data_changed(filled: Any) -> None:
    store, ids = filled
    html = RunComparison(ids, store=store)._html["Data"].value
    assert html.count(">same<") == 2 and html.count(">different<") == 1
    age_row = re.search(r"<tr><td[^>]*>age</td>(.*?)</tr>", html).group(1)
    shifts = [float(v) for v in re.findall(r">([0-9.]+)<", age_row)]
    assert shifts[:2] == [0.0, 0.0] and shifts[2] > 1.5


def test_comparison_lists_package_and_commit_differences(filled: Any) -> None:
    store, ids = filled
    html = RunComparison(ids, store=store)._html["Environment"].value
    assert re.search(r">numpy<.*?>changed<.*?>2\.0\.0<.*?>2\.1\.0<", html)
    assert re.search(r">pandas<.*?>removed<", html) and re.search(r">scikit-learn<.*?>added<", html)
    assert "222222222222" in html


def test_comparison_diffs_notebook_source_cell_by_cell(filled: Any) -> None:
    store, ids = filled
    html = RunComparison(ids, store=store)._html["Source"].value
    assert "the same notebook as" in html
    assert ">cell 2<" in html and ">changed<" in html and "-x = 1" in html and "+x = 2" in html
    assert ">cell 1<" not in html


def test_comparison_groups_by_a_param_with_mean_and_std(filled: Any) -> None:
    store, ids = filled
    view = RunComparison(ids, store=store)
    assert view.group_choice.value == "model"  # splits the runs; seeds are averaged over, not grouped by
    html = view._html["Groups"].value
    assert re.search(r">rf</td><td[^>]*>2</td><td[^>]*>1 ± 0</td><td[^>]*>0\.825 ± 0\.03536<", html)
    assert re.search(r">gb</td><td[^>]*>1</td><td[^>]*>1</td><td[^>]*>0\.9<", html)


def test_capture_views_render_profile_model_and_evaluation(filled: Any) -> None:
    store, ids = filled
    record = store.run(ids[0])
    data = DataView(record.records("data")[0].body, "train").static_html()
    assert "100 rows × 3 columns" in data and "█░░░░░░░░░ 10 (10.0%)" in data
    assert data.count("<img") == 3  # a histogram for age, the hostile column, and city's top values
    model = ModelView({"class": "RandomForestClassifier", "params": {"n_estimators": 10},
                       "feature_importances": {"a": 0.2, "b": 0.7}}, "rf").static_html()
    assert ">n_estimators<" in model and model.count("<img") == 1
    evaluation = EvaluationView(record.records("evaluation")[0].body, "test").static_html()
    assert ">f1<" in evaluation and evaluation.count("<img") == 3


def test_run_card_redraws_when_the_run_logs(store: Any) -> None:
    run_id = store.create_run("live", params={"lr": 0.1})
    card = RunCard(store.run(run_id), live=False)
    assert "no metrics yet" in card.metrics.value and card.chart.value == ""
    assert not card.update()
    store.log_metrics(run_id, [("loss", step, 1 / (step + 1), 0) for step in range(10)])
    assert card.update()
    assert ">loss<" in card.metrics.value and card.chart.value.count("<img") == 1
    assert "nbtrack-view-status-running" in card.static_html()
    store.end_run(run_id, "finished")
    assert card.update() and "nbtrack-view-status-finished" in card.static_html()


def test_live_run_card_follows_the_store_on_its_own(store: Any) -> None:
    import time

    run_id = store.create_run("live")
    card = RunCard(store.run(run_id), interval=0.05)
    store.log_metrics(run_id, [("loss", 0, 1.0, 0), ("loss", 1, 0.5, 0)])
    deadline = time.monotonic() + 10
    while "<img" not in card.chart.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "<img" in card.chart.value
    store.end_run(run_id, "finished")
    card._thread.join(10)
    assert not card._thread.is_alive() and card.record.status == "finished"


def test_comparison_series_are_thinned_in_the_store_and_keep_their_last_point(store: Any) -> None:
    from nbtrack.store.reads import series_of

    long_id = store.create_run("thin")
    store.log_metrics(long_id, [("loss", step, float(step), 0) for step in range(1001)])
    short_id = store.create_run("thin")
    store.log_metrics(short_id, [("loss", step, float(step), 0) for step in (5, 15, 25)])
    runs = {run.id: run for run in store.runs()}
    series = series_of(store, [runs[long_id], runs[short_id]], ["loss"], max_points=100)
    steps, values = series[(long_id, "loss")]
    assert 90 <= len(steps) <= 102 and steps[0] == 0 and steps[-1] == 1000 and values[-1] == 1000.0
    assert steps == sorted(steps) and len(set(b - a for a, b in zip(steps, steps[1:], strict=False))) <= 2
    assert series[(short_id, "loss")] == ([5, 15, 25], [5.0, 15.0, 25.0])
