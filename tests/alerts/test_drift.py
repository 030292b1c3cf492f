"""Drift between data profiles: ~0 on identical data, flagged on shifted data, per column kind."""

from __future__ import annotations

import numpy as np

from nbtrack.analyze.drift import drift


def numeric(values: np.ndarray) -> dict:
    """A numeric column summary in the shape of capture/data.py's profiles (20 equal bins, min to max)."""
    counts, edges = np.histogram(values, bins=20, range=(values.min(), values.max()))
    return {"count": int(values.size), "missing": 0, "mean": float(values.mean()),
            "histogram": {"edges": edges.tolist(), "counts": counts.tolist()}}


def categorical(values: list[str]) -> dict:
    labels, counts = np.unique(values, return_counts=True)
    order = np.argsort(-counts)
    return {"count": len(values), "missing": 0, "distinct": len(labels),
            "top": [[str(labels[i]), int(counts[i])] for i in order], "other": 0}


def profile(frame: dict[str, np.ndarray], plans: list[str], schema: dict[str, str] | None = None) -> dict:
    return {"rows": len(plans), "missing_share": 0.0,
            "schema": schema or {**{k: "float64" for k in frame}, "plan": "object"},
            "numeric": {k: numeric(v) for k, v in frame.items()}, "categorical": {"plan": categorical(plans)}}


def sample(rng: np.random.Generator, rows: int, shift: float = 0.0, basic_share: float = 0.5):
    frame = {"age": rng.normal(40 + 10 * shift, 10, rows), "tenure": rng.gamma(2.0, 12.0, rows) * (1 + shift),
             "charges": rng.normal(70, 20, rows), "calls": rng.poisson(3, rows).astype(float)}
    plans = list(rng.choice(["basic", "plus", "pro"], rows, p=[basic_share, 0.3, 0.2 - 0 * basic_share + (0.5 - basic_share)]))
    return frame, plans


def test_identical_data_shows_no_drift():
    rng = np.random.default_rng(0)
    reference = profile(*sample(rng, 2000))
    found = drift(reference, reference)
    assert found["share"] == 0.0 and found["drifted"] == []
    for column in found["columns"].values():
        assert column.get("psi", 0.0) < 1e-9 and column.get("ks", 0.0) == 0.0 and column.get("tvd", 0.0) == 0.0
    assert not found["schema_changed"]


def test_a_fresh_sample_of_the_same_population_is_not_flagged():
    reference = profile(*sample(np.random.default_rng(1), 3000))
    current = profile(*sample(np.random.default_rng(2), 500))
    found = drift(reference, current)
    assert found["share"] <= 0.2, found["drifted"]


def test_shifted_data_is_flagged_per_column_with_psi_ks_and_tvd():
    reference = profile(*sample(np.random.default_rng(1), 3000))
    shifted = profile(*sample(np.random.default_rng(2), 500, shift=1.0, basic_share=0.2))
    found = drift(reference, shifted)
    assert found["drifted"] == ["age", "plan", "tenure"]
    assert found["share"] == 3 / 5
    age = found["columns"]["age"]
    assert age["psi"] > 0.5 and age["ks"] > 0.3 and age["ks_pvalue"] < 1e-6
    assert found["columns"]["plan"]["tvd"] > 0.25
    assert not found["columns"]["charges"]["drifted"]


def test_a_changed_column_set_or_dtype_is_reported():
    rng = np.random.default_rng(3)
    frame, plans = sample(rng, 500)
    reference = profile(frame, plans)
    current = profile({**frame, "extra": frame["age"]}, plans,
                      schema={"age": "object", "tenure": "float64", "charges": "float64", "calls": "float64",
                              "extra": "float64", "plan": "object"})
    found = drift(reference, current)
    assert found["schema_changed"] and found["added"] == ["extra"]
    assert found["changed_types"] == {"age": ["float64", "object"]}
