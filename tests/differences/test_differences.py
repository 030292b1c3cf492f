"""analyze.differences: what changed between runs besides params and metrics, as JSON-ready data."""

from __future__ import annotations

import json
from typing import Any

from nbtrack.analyze.differences import (
    cell_changes,
    column_shift,
    differences,
    environment_differences,
    is_lower_better,
    packages_of,
)
from nbtrack.store import open_store


def test_cell_changes_name_added_removed_and_changed_cells_with_their_text() -> None:
    before = ["[code]\nimport pandas", "[code]\nx = 1", "[code]\nprint(x)"]
    assert cell_changes(before, before) == []
    assert cell_changes(before, ["[code]\nimport pandas", "[code]\nx = 2", "[code]\nprint(x)"]) == [
        {"cell": 2, "change": "changed", "text": "@@ -1,2 +1,2 @@\n [code]\n-x = 1\n+x = 2"}]
    assert cell_changes(before, [*before, "[markdown]\n# done"]) == [
        {"cell": 4, "change": "added", "text": "[markdown]\n# done"}]
    assert cell_changes(before, [before[0], before[2]]) == [{"cell": 2, "change": "removed", "text": "[code]\nx = 1"}]


def test_column_shift_is_standardized_for_numbers_and_total_variation_for_categories() -> None:
    base = {"numeric": {"age": {"mean": 40.0, "std": 5.0}},
            "categorical": {"city": {"top": [["paris", 6], ["rome", 4]], "other": 0}}}
    other = {"numeric": {"age": {"mean": 45.0, "std": 9.0}},
             "categorical": {"city": {"top": [["paris", 2], ["rome", 8]], "other": 0}}}
    assert column_shift(base, other, "age") == 1.0
    assert abs(column_shift(base, other, "city") - 0.4) < 1e-12
    assert column_shift(base, other, "missing") is None and column_shift(None, other, "age") is None


def test_packages_come_from_a_mapping_or_a_list_and_changes_are_named_against_the_first_run() -> None:
    assert packages_of({"packages": [{"name": "numpy", "version": "2.0"}, ["pandas", "2.2"]]}) == {
        "numpy": "2.0", "pandas": "2.2"}

    class Run:
        def __init__(self, run_id: str) -> None:
            self.id = run_id

    records = {"a": {"environment": {"python": {"version": "3.11"}, "packages": {"numpy": "2.0", "pandas": "2.2"}}},
               "b": {"environment": {"python": {"version": "3.12"}, "packages": {"numpy": "2.1", "polars": "1.0"}}}}
    found = environment_differences([Run("a"), Run("b")], records)
    assert [(p["package"], p["change"], p["before"], p["after"]) for p in found["packages"]] == [
        ("numpy", "changed", "2.0", "2.1"), ("pandas", "removed", "2.2", None), ("polars", "added", None, "1.0")]
    python = next(f for f in found["facts"] if f["name"] == "python")
    assert python == {"name": "python", "values": ["3.11", "3.12"], "differs": True}
    assert environment_differences([Run("a")], {})["captured"] is False


def test_differences_of_stored_runs_are_json_without_nan(tmp_path: Any) -> None:
    store = open_store(tmp_path / "store")
    ids = []
    for mean in (0.0, float("nan")):  # the second profile's mean is NaN: its shift cannot be told
        run_id = store.create_run("e")
        store.add_record(run_id, "data", "train", {"schema": {"x": "float64"},
                                                   "numeric": {"x": {"mean": mean, "std": 1.0}}})
        store.end_run(run_id, "finished")
        ids.append(run_id)
    found = differences([store.run(run_id) for run_id in ids])
    assert found["data"][0]["columns"] == [{"column": "x", "shift": [0.0, None], "changed": [False, False]}]
    assert found["notebook"] == [] and found["environment"]["captured"] is False
    json.dumps(found, allow_nan=False)


def test_losses_errors_and_times_are_better_lower() -> None:
    assert is_lower_better("val.loss") and is_lower_better("metrics.train.rmse") and is_lower_better("fit_seconds")
    assert not is_lower_better("test.f1") and not is_lower_better("accuracy")
