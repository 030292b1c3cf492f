"""The runs table's REST API over 100,000 runs, through a real Jupyter server: first screen, sort, group.

Each figure is one HTTP round trip (or the two of the first screen) timed by the client, as the Lab's
runs table makes them. The Lab's own targets (first screen <= 1 s, sort by a metric <= 0.5 s, group by
a param <= 1 s, for the whole round trip with rendering) leave the server half: these rows' targets.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.parse
import urllib.request
from typing import Any

from benchmarks.context import Context, from_tests
from benchmarks.timing import Row, Target

API = "/nbtrack/api"
COLUMNS = ["params.model", "params.C", "params.max_depth", "params.n_estimators", "params.seed", "params.lr",
           "metrics.test.f1", "metrics.test.acc", "metrics.val.loss", "metrics.train.loss", "metrics.fit_time",
           "metrics.val.loss.min"]  # 12
GROUP_COLUMNS = ["metrics.test.f1", "metrics.test.acc", "metrics.val.loss", "metrics.train.loss", "metrics.fit_time"]
FIRST = "Runs table API: first screen (GET /runs/fields, then /runs/table: 100 rows, default columns)"
PAGE = "Runs table API: a page of 100 rows with 12 columns, newest first"
SORT = "Runs table API: a page of 100 rows with 12 columns sorted by -metrics.test.f1"
GROUP = "Runs table API: group by params.model with mean/std of 5 metrics"


def _get(server: Any, path: str, query: list[tuple[str, str]]) -> Any:
    url = f"{server.url}{API}/{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


def _timed(action: Any, reps: int) -> tuple[float, list[float], Any]:
    action()  # untimed: the server's first request loads the store and pandas-free imports
    walls, found = [], None
    for _ in range(reps):
        start = time.perf_counter()
        found = action()
        walls.append(time.perf_counter() - start)
    return statistics.median(walls), walls, found


def run(ctx: Context) -> None:
    from benchmarks.measures.listing import seed
    from nbtrack.store import open_store

    helpers = from_tests("browser.lab")
    start_lab = helpers.start_lab
    size = ctx.size(100_000, 200)
    reps = max(5, ctx.reps)
    with ctx.scratch("runs-table-api") as where:
        store = open_store(where / "store")
        seed(store, 0, size)
        store.close()
        (where / "root").mkdir()
        server = start_lab(where / "root", where / "store", app="server", timeout=180)
        try:
            columns = [("columns", c) for c in COLUMNS]

            def first_screen() -> Any:
                fields = _get(server, "runs/fields", [])
                return _get(server, "runs/table", [("limit", "100")]
                            + [("columns", c) for c in fields["default_columns"]])

            checks = [
                (FIRST, first_screen, Target(0.5, False)),
                (PAGE, lambda: _get(server, "runs/table", [("limit", "100"), *columns]), None),
                (SORT, lambda: _get(server, "runs/table", [("limit", "100"), ("order", "-metrics.test.f1"), *columns]),
                 Target(0.25, False)),
                (GROUP, lambda: _get(server, "runs/groups", [("group", "params.model")]
                                     + [("columns", c) for c in GROUP_COLUMNS]), Target(0.5, False)),
            ]
            for title, action, target in checks:
                wall, walls, found = _timed(action, reps)
                shown = (f"{len(found['rows'])} rows of {found['total']:,}" if "rows" in found
                         else f"{len(found['groups'])} groups")
                ctx.add(Row(f"{title}, {size:,} runs", "nbtrack", wall, "s", False, target,
                            note=f"client-timed HTTP round trip to a jupyter server; {shown}", samples=walls))
        finally:
            server.stop()
