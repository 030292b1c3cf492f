"""Chart and analysis handlers: sweep analysis, bucketed series for the charts panel, artifact previews."""

from __future__ import annotations

from typing import Any

import orjson
from jupyter_server.auth.decorator import authorized
from tornado import web

from nbtrack.errors import ArtifactNotFound, UsageError
from nbtrack.server.base import NbtrackHandler
from nbtrack.server.runs import ArtifactHandler, checked_artifact_name, off_loop

MAX_QUERY_IDS = 10_000


def _ids(handler: NbtrackHandler, bound: int) -> list[str]:
    """?ids=a,b and/or ?ids=a&ids=b, bounded before anything is read."""
    refs = [r.strip() for arg in handler.get_query_arguments("ids") for r in arg.split(",") if r.strip()]
    if len(refs) > bound:
        raise UsageError(f"{len(refs)} run ids are more than {bound}; ask for fewer or select runs with where")
    return refs


def _series_request(handler: NbtrackHandler, default_points: int) -> tuple[list[str], str, int, str]:
    """The ids, key, points and x that /series and /series/groups both take, bounded."""
    from nbtrack.analyze.series import MAX_POINTS, MAX_RUNS, MIN_POINTS

    refs = _ids(handler, MAX_RUNS)
    if not refs:
        raise UsageError(f"name the runs as ids=a,b (1 to {MAX_RUNS})")
    key = handler.get_query_argument("key", None) or ""
    points = handler.query_int("points", default_points, low=MIN_POINTS, high=MAX_POINTS)
    return refs, key, points, handler.get_query_argument("x", None) or "step"


class FastJson(NbtrackHandler):
    """Large numeric answers written with orjson (NaN and infinities as null), in a fraction of json's time."""

    def write_large(self, value: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(orjson.dumps(value))


class AnalysisHandler(FastJson):
    """GET /nbtrack/api/analysis?where=&experiment=&ids=&sweep=&archived=&metric=: parallel coordinates,
    parameter importance and scatter of one metric over the selected runs (analyze/sweep_analysis.py)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from nbtrack.analyze.sweep_analysis import MAX_IDS, analyze_runs, metric_field, select_runs

        metric = self.get_query_argument("metric", None) or ""
        metric_field(metric)  # a bad field is a 400 before any run is read
        ids = _ids(self, MAX_IDS)
        selection = {"where": self.get_query_argument("where", None) or None,
                     "experiment": self.get_query_argument("experiment", None) or None,
                     "sweep": self.get_query_argument("sweep", None) or None, "ids": ids or None,
                     "archived": self.get_query_argument("archived", None) or "hide"}
        store = self.store
        self.write_large(await off_loop(lambda: analyze_runs(select_runs(store, **selection), metric)))


class SeriesHandler(FastJson):
    """GET /nbtrack/api/series?ids=a,b&key=&points=&x=&after=: each run's series in buckets (last, min, max)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from nbtrack.analyze.series import check_x, series

        refs, key, points, x = _series_request(self, 1000)
        check_x(x)
        after_text = self.get_query_argument("after", None)
        after = None if after_text in (None, "") else self.query_int("after", 0, low=-(2**62), high=2**62)
        store = self.store
        self.write_large(await off_loop(lambda: series(store, refs, key, points=points, x=x, after=after)))


class GroupSeriesHandler(FastJson):
    """GET /nbtrack/api/series/groups?ids=a,b&key=&group=params.seed&points=&x=: mean, std, min, max per group and bin."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from nbtrack.analyze.series import group_series

        refs, key, points, x = _series_request(self, 500)
        group = self.get_query_argument("group", None) or ""
        store = self.store
        self.write_large(await off_loop(lambda: group_series(store, refs, key, group, points=points, x=x)))


class PreviewHandler(ArtifactHandler, FastJson):
    """GET /nbtrack/api/runs/<id>/artifacts/<name>/preview: a table's head or a text's start (analyze/previews.py).

    An artifact whose own name ends in /preview is still served as bytes at its path: when
    <name> is no artifact of the run and <name>/preview is, this is the artifact route.
    """

    @web.authenticated
    @authorized
    async def get(self, ref: str, name: str) -> None:
        from nbtrack.analyze.previews import preview_artifact

        checked_artifact_name(name)
        store = self.store
        try:
            found = await off_loop(lambda: preview_artifact(store, ref, name))
        except ArtifactNotFound:
            if not await off_loop(lambda: _has_artifact(store, ref, f"{name}/preview")):
                raise
            await ArtifactHandler.get(self, ref, f"{name}/preview")
            return
        self.write_large(found)


def _has_artifact(store: Any, ref: str, name: str) -> bool:
    try:
        store.artifact(store.resolve(ref), name)
    except ArtifactNotFound:
        return False
    return True
