"""Reading runs back: all runs into a DataFrame, a filtered query, and how both grow with the store."""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.measures.runs import create_runs, run_metrics, run_params
from benchmarks.timing import Row, Target, repeat

FRAME = "runs into a DataFrame (store.runs() + nbtrack.compare)"
FILTER = "filtered query: params.model = 'rf' and metrics.test.f1 > 0.9"
GROWTH = "create a finished run (10 params, 5 metrics) in a store that holds"
WHERE = "params.model = 'rf' and metrics.test.f1 > 0.9"


def seed(store: Any, first: int, count: int) -> None:
    """Add `count` finished runs shaped like create_runs' ones, in bulk.

    Bulk rows rather than the API so that 100k runs take seconds, not minutes;
    the API's own cost is measured separately (create_runs).
    """
    import json

    from nbtrack.records import new_run_id
    from nbtrack.store import chunks, database, digest, schema

    with database.writing(store.engine) as conn:
        experiment = store._experiment_pk(conn, "bench")
        keys = store._metric_key_pks(conn, sorted(run_metrics(0)))
        now = time.time() - count
        runs, params, summaries, points = [], [], [], []
        for i in range(first, first + count):
            pk = i + 1
            started = now + (i - first)
            runs.append((pk, new_run_id(), experiment, None, "finished", started, started + 0.5, started + 0.5))
            for key, value in run_params(i).items():
                num = float(value) if isinstance(value, (int, float)) else None
                params.append((pk, key, json.dumps(value), num, value if isinstance(value, str) else None))
            for key, value in run_metrics(i).items():
                summaries.append((pk, keys[key], value, value, value, 0, 1))
                points += chunks.chunk_rows(pk, keys[key], [0], [value], [int(started * 1000)])
        _insert(conn, schema.runs, ["pk", "id", "experiment_pk", "name", "status", "started_at", "ended_at",
                                    "heartbeat_at"], runs)
        _insert(conn, schema.params, ["run_pk", "key", "value", "num", "text"], params)
        _insert(conn, schema.metric_summaries, ["run_pk", "key_pk", "last", "min", "max", "step", "count"], summaries)
        conn.execute(schema.metric_chunks.insert(), points)
        digest.write(conn, [row[0] for row in runs])  # as end_run writes it for each run


def _insert(conn: Any, table: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=columns)
    assert list(compiled.positiontup) == columns, compiled.positiontup
    conn.exec_driver_sql(str(compiled), rows)


def run(ctx: Context) -> None:
    import nbtrack
    from nbtrack.store import open_store

    sizes = ctx.size((1_000, 10_000, 100_000), (50, 200))
    with ctx.scratch("listing") as where:
        store = open_store(where / "store")
        nbtrack.compare(store.runs())  # untimed: the first call imports pandas
        held = 0
        for size in sizes:
            seed(store, held, size - held)
            held = size
            frames: list[Any] = []
            timing = repeat(lambda: frames.append(nbtrack.compare(store.runs())), ctx.reps)
            assert len(frames[-1]) == size, len(frames[-1])
            ctx.add(Row(f"{size:,} {FRAME}", "nbtrack", timing.wall, "s", False,
                        {10_000: Target(0.2, False), 100_000: Target(1.0, False)}.get(size),
                        samples=timing.walls, cpu=timing.cpu,
                        probe=lambda: nbtrack.compare(store.runs())))
            found: list[int] = []
            timing = repeat(lambda: found.append(len(store.runs(where=WHERE))), max(5, ctx.reps))
            ctx.add(Row(f"{FILTER}, over {size:,} runs", "nbtrack", timing.wall, "s", False,
                        Target(0.02, False) if size == 10_000 else None, note=f"{found[-1]:,} runs match",
                        samples=timing.walls, cpu=timing.cpu,
                        probe=lambda: [store.runs(where=WHERE) for _ in range(10)]))
            count = ctx.size(100, 5)
            seconds = create_runs(store, count, first=held)
            held += count
            ctx.add(Row(f"{GROWTH} {size:,} runs", "nbtrack", seconds / count, "s", False,
                        note=f"mean of {count} runs"))
        store.close()



def against_mlflow(ctx: Context, found: dict[str, Any]) -> None:
    """MLflow's search_runs over the runs it created (measures/runs.py), beside nbtrack over as many."""
    import nbtrack
    from nbtrack.store import open_store

    size = found["runs"]
    title = peers.MLFLOW.title
    with ctx.scratch("listing-mlflow-size") as where:
        store = open_store(where / "store")
        seed(store, 0, size)
        nbtrack.compare(store.runs())  # untimed, as MLflow's own first search is not counted either
        frame = repeat(lambda: nbtrack.compare(store.runs()), max(3, ctx.reps))
        got: list[int] = []
        query = repeat(lambda: got.append(len(store.runs(where=WHERE))), max(3, ctx.reps))
        store.close()
    label = f"(every subject at MLflow's {size:,} runs)"
    ctx.add(Row(f"{size:,} {FRAME} {label}", "nbtrack", frame.wall, "s", False, samples=frame.walls, cpu=frame.cpu))
    ctx.add(Row(f"{size:,} {FRAME} {label}", title, statistics.median(found["frame_seconds"]), "s", False,
                note="mlflow.search_runs into its DataFrame", samples=found["frame_seconds"]))
    ctx.add(Row(f"{FILTER}, over {size:,} runs {label}", "nbtrack", query.wall, "s", False,
                note=f"{got[-1]:,} runs match", samples=query.walls, cpu=query.cpu))
    ctx.add(Row(f"{FILTER}, over {size:,} runs {label}", title, statistics.median(found["filter_seconds"]), "s",
                False, note=f"{found['filter_rows']:,} runs match", samples=found["filter_seconds"]))
