"""Reading a metric series downsampled to 1,000 points, at 10k, 100k and 1M stored points."""

from __future__ import annotations

from benchmarks.context import Context
from benchmarks.timing import Row, Target, repeat

MEASURE = "metric series read, downsampled to 1,000 points"


def run(ctx: Context) -> None:
    from nbtrack.store import open_store

    sizes = ctx.size((10_000, 100_000, 1_000_000), (500, 5_000))
    with ctx.scratch("series") as where:
        store = open_store(where / "store")
        run_id = store.create_run("bench")
        for n in sizes:
            for first in range(0, n, 200_000):  # as the Run's buffer writes them
                store.log_metrics(run_id, [(f"s{n}", s, 1 / (s + 1), s) for s in range(first, min(n, first + 200_000))])
        store.end_run(run_id, "finished")
        for n in sizes:
            got: list[int] = []
            timing = repeat(lambda: got.append(len(store.metric_history(run_id, f"s{n}", max_points=1000))),
                            max(5, ctx.reps))
            target = Target(0.05, False) if n == sizes[-1] else None
            ctx.add(Row(f"{MEASURE}, {n:,} points", "nbtrack", timing.wall, "s", False, target,
                        note=f"{got[-1]} points returned", samples=timing.walls, cpu=timing.cpu,
                        probe=lambda key=f"s{n}": [store.metric_history(run_id, key, max_points=1000)
                                                   for _ in range(20)]))
