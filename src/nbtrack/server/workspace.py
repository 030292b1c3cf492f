"""The runs workspace's handlers: the runs table, its field catalogue and groups, bulk actions, saved views."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from nbtrack.errors import UsageError
from nbtrack.server.base import NbtrackHandler
from nbtrack.server.runs import off_loop

MAX_PAGE = 500
MAX_COLUMNS = 200
MAX_IDS = 10_000


class _Filtered(NbtrackHandler):
    """The query arguments every workspace read shares: where, experiment, archived."""

    def filtering(self) -> dict[str, Any]:
        archived = self.get_query_argument("archived", None) or "hide"
        return {"where": self.get_query_argument("where", None) or None,
                "experiment": self.get_query_argument("experiment", None) or None, "archived": archived}

    def columns(self, bound: int) -> list[str] | None:
        """The columns asked for; None when none is named, [] for a lone empty ?columns= (no columns)."""
        columns = self.get_query_arguments("columns")
        if len(columns) > bound:
            raise UsageError(f"{len(columns)} columns are more than {bound}; ask for fewer")
        if not columns:
            return None
        return [c for c in columns if c.strip()]


class TableHandler(_Filtered):
    """GET /nbtrack/api/runs/table?where=&experiment=&order=&limit=&offset=&archived=&columns=: a page of rows."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        options = self.filtering()
        order = self.get_query_arguments("order") or ["-started"]
        limit = self.query_int("limit", 100, low=0, high=MAX_PAGE)
        offset = self.query_int("offset", 0, low=0, high=2**31)
        columns = self.columns(MAX_COLUMNS)  # None: the default columns
        store = self.store
        self.write_json(await off_loop(lambda: store.table(
            options.pop("where"), order=order, limit=limit, offset=offset, columns=columns, **options)))


class FieldsHandler(_Filtered):
    """GET /nbtrack/api/runs/fields?where=&experiment=&archived=: every field, common values, default columns."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        options = self.filtering()
        store = self.store
        self.write_json(await off_loop(lambda: store.fields(options.pop("where"), **options)))


class GroupsHandler(_Filtered):
    """GET /nbtrack/api/runs/groups?where=&experiment=&archived=&group=&columns=: counts and mean/std per group."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        options = self.filtering()
        group = self.get_query_argument("group", None)
        if not group:
            raise UsageError("name the field to group by, such as ?group=params.model or ?group=tags.sweep")
        columns = self.columns(20) or []
        store = self.store
        self.write_json(await off_loop(lambda: store.groups(options.pop("where"), group=group, columns=columns,
                                                            **options)))


class ActionsHandler(NbtrackHandler):
    """POST /nbtrack/api/runs/actions {"action", "ids", "tags"?, "delete_tags"?}: done and refused, per run."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        action, ids = body.get("action"), body.get("ids")
        unknown = sorted(set(body) - {"action", "ids", "tags", "delete_tags"})
        if unknown:
            raise UsageError(f"an action has no {str(unknown[0])[:40]!r}; send action, ids, tags and delete_tags")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not 1 <= len(ids) <= MAX_IDS:
            raise UsageError(f'"ids" is a list of 1 to {MAX_IDS} run ids, such as {{"action": "archive", '
                             '"ids": ["01JD3F..."]}')
        tags, delete_tags = body.get("tags") or {}, body.get("delete_tags") or []
        if not isinstance(tags, dict) or not all(isinstance(v, (str, int, float, bool)) for v in tags.values()):
            raise UsageError('"tags" maps tag names to text, such as {"tags": {"stage": "review"}}')
        if not isinstance(delete_tags, list) or not all(isinstance(k, str) for k in delete_tags):
            raise UsageError('"delete_tags" is a list of tag names, such as {"delete_tags": ["stage"]}')
        store = self.store
        report = await off_loop(lambda: store.act(str(action), ids, tags=tags, delete_tags=delete_tags))
        self.write_json(report.to_dict())


class ViewsHandler(NbtrackHandler):
    """GET /nbtrack/api/views: every saved view of the runs table."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"views": self.store.views()})


class ViewHandler(NbtrackHandler):
    """PUT /nbtrack/api/views/<name> (the view without name and updated_at): save it; DELETE: remove it (204)."""

    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        self.write_json(self.store.view(name))

    @web.authenticated
    @authorized
    def put(self, name: str) -> None:
        self.write_json(self.store.save_view(name, self.json_body()))

    @web.authenticated
    @authorized
    def delete(self, name: str) -> None:
        self.store.delete_view(name)
        self.set_status(204)
        self.finish()
