"""Profiling a data set (the data profile a run keeps): 1M rows x 20 columns."""

from __future__ import annotations

from benchmarks.context import Context
from benchmarks.timing import Row, Target, repeat

MEASURE = "data profile of 1M rows x 20 columns"


def frame(rows: int):  # type: ignore[no-untyped-def]
    """14 float, 3 integer, 2 categorical and 1 datetime column, with some missing values."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    columns = {f"f{i}": rng.normal(i, 1 + i, rows) for i in range(14)}
    columns["f0"][rng.integers(0, rows, rows // 100)] = np.nan
    columns.update({f"i{i}": rng.integers(0, 10 ** (i + 1), rows) for i in range(3)})
    columns["city"] = pd.Categorical(rng.choice(["Lyon", "Oslo", "Lima", "Pune", "Kyiv"], rows))
    columns["segment"] = rng.choice(["a", "b", "c"], rows).astype(object)
    columns["seen"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, rows), unit="s")
    return pd.DataFrame(columns)


def run(ctx: Context) -> None:
    try:
        from nbtrack.capture.data import profile_data
    except ImportError as exc:
        ctx.note(f"nbtrack.capture.data is not available ({exc}); the data profile is not measured")
        return
    rows = ctx.size(1_000_000, 2_000)
    data = frame(rows)
    assert data.shape[1] == 20
    timing = repeat(lambda: profile_data(data), ctx.reps)
    ctx.add(Row(MEASURE if rows == 1_000_000 else f"data profile of {rows:,} rows x 20 columns", "nbtrack",
                timing.wall, "s", False, Target(2.0, False), samples=timing.walls, cpu=timing.cpu,
                probe=lambda: profile_data(data)))
