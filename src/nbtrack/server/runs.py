"""Read handlers: runs (filtered, sorted, paged), one run, its metric series, artifacts, tags, compare."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from nbtrack.errors import ArtifactNotFound, InvalidArtifactName, RunNotFound, UsageError
from nbtrack.server.base import NbtrackHandler
from nbtrack.store.blobs import is_sha256
from nbtrack.store.store import check_artifact_name

T = TypeVar("T")
MAX_PAGE = 500
MAX_POINTS = 5000
MAX_COMPARE = 20
# Served inline; everything else is a download, and HTML/SVG also run in a CSP sandbox.
_INLINE = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/json", "text/plain",
           "text/csv", "application/x-ipynb+json"}
_ACTIVE = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml"}


def run_json(run: Any) -> dict[str, Any]:
    return run.to_dict()


async def off_loop(work: Callable[[], T]) -> T:
    """Run store reads on a worker thread: a slow query never stalls kernels' websockets."""
    return await asyncio.to_thread(work)


class RunsHandler(NbtrackHandler):
    """GET /nbtrack/api/runs?where=&experiment=&order=&limit=&offset=&archived=: a page of runs and the total."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        where = self.get_query_argument("where", None) or None
        experiment = self.get_query_argument("experiment", None) or None
        order = self.get_query_arguments("order") or ["-started"]
        limit = self.query_int("limit", 50, low=0, high=MAX_PAGE)
        offset = self.query_int("offset", 0, low=0, high=2**31)
        archived = self.get_query_argument("archived", None) or "hide"
        store = self.store

        def page() -> dict[str, Any]:
            runs = store.runs(where, experiment=experiment, order_by=order, limit=limit, offset=offset,
                              archived=archived)
            total = store.count(where, experiment=experiment, archived=archived)
            return {"runs": [run_json(r) for r in runs], "total": total, "offset": offset, "limit": limit}

        self.write_json(await off_loop(page))


class RunHandler(NbtrackHandler):
    """GET /nbtrack/api/runs/<id>: the run with its records, cells and artifact list.
    PATCH {"name"?, "note"?}: rename it, set its note; answers the run."""

    @web.authenticated
    @authorized
    def patch(self, ref: str) -> None:
        body = self.json_body()
        unknown = sorted(set(body) - {"name", "note"})
        if unknown or not body:
            raise UsageError('send {"name": "..."} and/or {"note": "..."} to change a run'
                             + (f"; {str(unknown[0])[:40]!r} is neither" if unknown else ""))
        store = self.store
        run_id = store.resolve(ref)
        if "name" in body:
            store.rename(run_id, body["name"])
        if "note" in body:
            store.set_note(run_id, body["note"])
        self.write_json(run_json(store.run(run_id)))

    @web.authenticated
    @authorized
    async def get(self, ref: str) -> None:
        store = self.store

        def detail() -> dict[str, Any]:
            run = store.run(ref)
            body = run_json(run)
            body["records"] = [{"kind": r.kind, "name": r.name, "body": r.body} for r in store.records(run.id)]
            body["cells"] = [vars(c) for c in store.cells(run.id)]
            body["artifact_list"] = [vars(a) for a in store.artifacts(run.id)]
            return body

        self.write_json(await off_loop(detail))


class TagsHandler(NbtrackHandler):
    """PATCH /nbtrack/api/runs/<id>/tags {"set": {k: v}, "delete": [k]}: tags change after a run ends."""

    @web.authenticated
    @authorized
    def patch(self, ref: str) -> None:
        body = self.json_body()
        to_set, to_delete = body.get("set", {}), body.get("delete", [])
        if not isinstance(to_set, dict) or not all(isinstance(v, (str, int, float, bool)) for v in to_set.values()):
            raise UsageError('"set" must map tag names to text, such as {"set": {"stage": "review"}}')
        if not isinstance(to_delete, list) or not all(isinstance(k, str) for k in to_delete):
            raise UsageError('"delete" must be a list of tag names, such as {"delete": ["stage"]}')
        store = self.store
        run_id = store.resolve(ref)
        if to_set:
            store.set_tags(run_id, to_set)
        for key in to_delete:
            store.delete_tag(run_id, key)
        self.write_json({"tags": store.run(run_id).tags})


class MetricsHandler(NbtrackHandler):
    """GET /nbtrack/api/runs/<id>/metrics?key=&points=: series downsampled on the server."""

    @web.authenticated
    @authorized
    async def get(self, ref: str) -> None:
        store = self.store
        points = self.query_int("points", 200, low=2, high=MAX_POINTS)
        wanted = self.get_query_arguments("key")

        def series() -> dict[str, Any]:
            run = store.run(ref)
            found = {}
            for key in wanted or sorted(run.summaries):
                if key not in run.summaries:
                    known = ", ".join(sorted(run.summaries)) or "none"
                    raise RunNotFound(f"run {run.id} has no metric {key!r}; its metrics: {known}")
                found[key] = [{"step": s, "value": v, "timestamp": t}
                              for s, v, t in store.metric_history(run.id, key, max_points=points)]
            return {"id": run.id, "series": found}

        self.write_json(await off_loop(series))


def checked_artifact_name(name: str) -> None:
    """A name the store could never hold is a 404 like a missing artifact (its reason is no clue)."""
    try:
        check_artifact_name(name)
    except InvalidArtifactName:
        raise ArtifactNotFound("no such artifact; list a run's artifacts with GET /nbtrack/api/runs/<id>") from None


class ArtifactHandler(NbtrackHandler):
    """GET /nbtrack/api/runs/<id>/artifacts/<name>: bytes found by (run, name) in the database.

    The blob path is built from the sha256 stored in the database only, and the bytes
    are verified against it before any leave the server.
    """

    @web.authenticated
    @authorized
    async def get(self, ref: str, name: str) -> None:
        checked_artifact_name(name)
        store = self.store

        def read() -> tuple[Any, bytes]:
            run_id = store.resolve(ref)
            artifact = store.artifact(run_id, name)
            if not is_sha256(artifact.sha256):
                raise ArtifactNotFound(f"artifact {name!r} of run {run_id} has no valid sha256; run nbtrack fsck")
            return artifact, store.blobs.read(artifact.sha256)  # verified against the sha256

        artifact, data = await off_loop(read)
        media = (artifact.media_type or "application/octet-stream").split(";")[0].strip().lower()
        filename = name.rsplit("/", 1)[-1]
        self.set_header("X-Content-Type-Options", "nosniff")
        if media in _ACTIVE:
            self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
            self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        elif media not in _INLINE:
            media = "application/octet-stream"
            self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
        self.set_header("Cache-Control", "private, max-age=3600")  # content-addressed: never changes
        self.finish(data, set_content_type=media)


class CompareHandler(NbtrackHandler):
    """GET /nbtrack/api/compare?ids=a&ids=b: nbtrack.compare's table, which columns differ, best metrics,
    and the data, environment and notebook differences RunComparison shows (analyze.differences)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from nbtrack.analyze.compare import compare
        from nbtrack.analyze.differences import differences, is_lower_better
        from nbtrack.store.reads import records_of

        refs = [r for arg in self.get_query_arguments("ids") for r in arg.split(",") if r]
        if not 1 <= len(refs) <= MAX_COMPARE:
            raise UsageError(f"compare takes 1 to {MAX_COMPARE} run ids as ?ids=a,b. Got {len(refs)}.")
        store = self.store

        def read() -> tuple[list[Any], dict[str, Any], Any]:
            # compare() too: its first call imports pandas (~0.7 s), which must not stall the loop
            found = [store.run(ref) for ref in refs]
            # data and environment records of every run in one query, not three per run and kind
            records = records_of(store, [run.id for run in found], ["data", "environment"])
            return found, differences(found, **records), compare(found)

        runs, differing, frame = await off_loop(read)
        ids = [r.id for r in runs]
        columns: dict[str, list[Any]] = {}
        for name in frame.columns:
            values = frame[name].tolist()
            if name == "started_at":
                values = [v.isoformat() for v in values]
            columns[name] = [None if _missing(v) else v for v in values]
        differs = {name: len({repr(v) for v in values}) > 1 for name, values in columns.items()}
        best: dict[str, str] = {}
        for name, values in columns.items():
            if name.startswith("metrics."):
                scored = [(v, i) for v, i in zip(values, ids, strict=True) if v is not None]
                if len(scored) > 1 and differs[name]:
                    pick = min if is_lower_better(name) else max
                    best[name] = pick(scored)[1]
        self.write_json({"ids": ids, "runs": [run_json(r) for r in runs], "columns": columns,
                         "differs": differs, "best": best, "differences": differing})


class ExperimentsHandler(NbtrackHandler):
    """GET /nbtrack/api/experiments: names, run counts and latest start."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"experiments": self.store.experiments()})


def _missing(value: Any) -> bool:
    try:
        return value != value  # NaN and NaT
    except (TypeError, ValueError):
        return False


class ModelsHandler(NbtrackHandler):
    """GET /nbtrack/api/models: registered models with version counts and aliases."""

    auth_resource = "nbtrack:models"

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"models": self.store.models.names()})


class ModelHandler(NbtrackHandler):
    """GET /nbtrack/api/models/<name>: every version of one model, newest first, with aliases."""

    auth_resource = "nbtrack:models"

    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        versions = self.store.models.versions(name)
        self.write_json({"name": name, "versions": [v.to_dict() for v in versions]})
