"""The team store: metric logging and run creation on a real, durable PostgreSQL server."""

from __future__ import annotations

import os
import statistics

from benchmarks.context import Context, from_tests
from benchmarks.measures.logging import BATCHED, ONE
from benchmarks.measures.runs import MEASURE as CREATE



def run(ctx: Context) -> None:
    import nbtrack
    from benchmarks.measures.logging import log_batched, log_one
    from benchmarks.measures.runs import create_runs
    from benchmarks.timing import Row

    helpers = from_tests("local_servers")
    start_postgres = helpers.start_postgres
    try:
        server = start_postgres(durable=True)
    except RuntimeError as exc:
        ctx.note(f"PostgreSQL not measured: {str(exc).splitlines()[0]}")
        return
    who = "nbtrack on PostgreSQL 15 (fsync on)"
    try:
        with ctx.scratch("postgres") as where:
            os.environ["NBTRACK_ARTIFACTS"] = str(where / "objects")
            n = ctx.size(50_000, 500)
            one, batched, created = [], [], []
            for _ in range(ctx.reps):
                one.append(log_one(server.url(server.new_schema()), n))  # type: ignore[arg-type]
                batched.append(log_batched(server.url(server.new_schema()), n))  # type: ignore[arg-type]
            count = ctx.size(1_000, 5)  # the full 1,000 runs: no scaling
            for _ in range(ctx.reps):
                created.append(create_runs(nbtrack.open_store(server.url(server.new_schema())), count))
            ctx.add(Row(f"{ONE}, {n:,} points", who, n / statistics.median(one), "points/s", True, samples=one))
            ctx.add(Row(f"{BATCHED}, {n:,} points", who, n / statistics.median(batched), "points/s", True,
                        samples=batched))
            ctx.add(Row(CREATE if count == 1_000 else f"create {count:,} finished runs (10 params, 5 metrics)", who,
                        statistics.median(created), "s", False, samples=created))
    finally:
        os.environ.pop("NBTRACK_ARTIFACTS", None)
        server.stop()
