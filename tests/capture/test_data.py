"""Data profiles: shapes, edge cases, and the fingerprint rules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nbtrack.capture.data import BINS, TOP_K, profile_data
from nbtrack.errors import UsageError


def frame(rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "age": rng.integers(18, 90, rows),
        "income": rng.normal(50_000, 9_000, rows),
        "city": rng.choice(["paris", "lyon", "nice"], rows),
        "member": rng.random(rows) > 0.5,
    })


def test_profile_describes_shape_schema_numeric_and_categorical_columns():
    df = frame()
    profile = profile_data(df, target=pd.Series(np.arange(200) % 2, name="churn"))
    json.dumps(profile, allow_nan=False)  # JSON-safe as stored
    assert (profile["rows"], profile["columns"]) == (200, 4)
    assert profile["schema"]["age"] == "int64" and profile["memory_bytes"] > 0
    income = profile["numeric"]["income"]
    assert income["min"] == pytest.approx(df.income.min()) and income["max"] == pytest.approx(df.income.max())
    assert income["mean"] == pytest.approx(df.income.mean()) and income["std"] == pytest.approx(df.income.std())
    assert income["quantiles"]["0.5"] == pytest.approx(df.income.median())
    assert len(income["histogram"]["edges"]) == BINS + 1 and sum(income["histogram"]["counts"]) == 200
    city = profile["categorical"]["city"]
    assert city["distinct"] == 3 and sum(n for _, n in city["top"]) == 200 and city["other"] == 0
    assert set(profile["categorical"]["member"]["top"][0][0:1]) <= {"True", "False"}
    target = profile["target"]
    assert target["name"] == "churn" and target["kind"] == "categorical"
    assert sorted(target["top"]) == [["0", 100], ["1", 100]]


def test_nan_and_inf_are_counted_apart_and_kept_out_of_statistics():
    df = pd.DataFrame({"x": [1.0, np.nan, np.inf, -np.inf, 3.0], "label": ["a", None, "b", "a", None]})
    profile = profile_data(df)
    x = profile["numeric"]["x"]
    assert (x["count"], x["missing"], x["infinite"]) == (2, 1, 2)
    assert (x["min"], x["max"], x["mean"]) == (1.0, 3.0, 2.0)
    assert profile["missing"] == {"x": 1, "label": 2}
    assert profile["missing_share"] == pytest.approx(3 / 10)
    assert profile["categorical"]["label"]["missing"] == 2
    json.dumps(profile, allow_nan=False)


def test_all_missing_column_has_null_statistics():
    df = pd.DataFrame({"empty": [np.nan] * 4, "none": pd.Series([None] * 4, dtype=object)})
    profile = profile_data(df)
    assert profile["numeric"]["empty"]["histogram"] is None and profile["numeric"]["empty"]["mean"] is None
    assert profile["categorical"]["none"] == {"count": 0, "missing": 4, "distinct": 0, "top": [], "other": 0}
    assert profile["missing_share"] == 1.0


def test_empty_frames_and_arrays_profile_without_error():
    assert profile_data(pd.DataFrame())["rows"] == 0
    empty = profile_data(frame().iloc[:0])
    assert empty["rows"] == 0 and empty["missing_share"] == 0.0
    assert empty["numeric"]["income"]["min"] is None
    array = profile_data(np.zeros((0, 3)))
    assert (array["rows"], array["columns"]) == (0, 3)


def test_constant_column_gets_one_full_bin():
    counts = profile_data(pd.DataFrame({"c": [7.0] * 10}))["numeric"]["c"]["histogram"]["counts"]
    assert sum(counts) == 10 and max(counts) == 10


def test_huge_cardinality_categorical_keeps_top_k_and_counts_the_rest_as_other():
    values = pd.Series([f"user-{i}" for i in range(50_000)] + ["vip"] * 10)
    summary = profile_data(pd.DataFrame({"user": values}))["categorical"]["user"]
    assert summary["distinct"] == 50_001 and len(summary["top"]) == TOP_K
    assert summary["top"][0] == ["vip", 10]
    assert summary["other"] + sum(n for _, n in summary["top"]) == 50_010


def test_numpy_arrays_and_series_are_profiled_with_numbered_columns():
    profile = profile_data(np.arange(12.0).reshape(4, 3))
    assert list(profile["schema"]) == ["0", "1", "2"]
    assert profile_data(pd.Series([1, 2, 3], name="n"))["numeric"]["n"]["max"] == 3


def test_fingerprint_is_equal_for_equal_data_and_follows_row_order():
    df = frame()
    copy = df.copy().set_axis(range(1000, 1200))  # another index is the same data
    shuffled = df.sample(frac=1.0, random_state=3)
    a, b, c = profile_data(df), profile_data(copy), profile_data(shuffled)
    assert a["fingerprint"] == b["fingerprint"] and len(a["fingerprint"]) == 64
    assert a["fingerprint"] != c["fingerprint"]  # order matters to the exact fingerprint...
    assert a["rows_fingerprint"] == c["rows_fingerprint"]  # ...not to the rows fingerprint
    changed = df.copy()
    changed.loc[5, "income"] += 1
    assert profile_data(changed)["rows_fingerprint"] != a["rows_fingerprint"]
    renamed = df.rename(columns={"age": "years"})
    assert profile_data(renamed)["fingerprint"] != a["fingerprint"]


def test_fingerprint_is_stable_across_processes():
    import subprocess
    import sys

    code = ("import numpy as np, pandas as pd; from nbtrack.capture.data import profile_data;"
            "print(profile_data(pd.DataFrame({'a': np.arange(50) * 0.5, 'b': ['x', 'y'] * 25}))['fingerprint'])")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "12345"}, check=True).stdout
    df = pd.DataFrame({"a": np.arange(50) * 0.5, "b": ["x", "y"] * 25})
    assert other == profile_data(df)["fingerprint"] + "\n"


def test_data_with_three_dimensions_is_a_usage_error():
    with pytest.raises(UsageError, match="1 or 2 dimensional"):
        profile_data(np.zeros((2, 2, 2)))


def test_duplicate_names_categories_nullable_and_unhashable_columns_are_profiled():
    df = pd.DataFrame([[1, 2.0], [3, 4.0]], columns=["a", "a"])
    profile = profile_data(df)
    assert set(profile["numeric"]) == {"a", "a#1"} and profile["numeric"]["a#1"]["max"] == 4.0
    odd = pd.DataFrame({
        "grade": pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"]),
        "count": pd.array([1, None, 3], dtype="Int64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "tags": [["x"], ["y", "z"], ["x"]],
        "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
    })
    profile = profile_data(odd)
    assert profile["categorical"]["grade"]["distinct"] == 2  # unused category "c" is not a value
    assert profile["numeric"]["count"]["missing"] == 1 and profile["numeric"]["count"]["mean"] == 2.0
    assert profile["categorical"]["flag"]["missing"] == 1
    assert profile["categorical"]["tags"]["top"][0] == ["['x']", 2]
    assert profile["datetime"]["when"]["min"].startswith("2024-01-01") and len(profile["fingerprint"]) == 64
    json.dumps(profile, allow_nan=False)
