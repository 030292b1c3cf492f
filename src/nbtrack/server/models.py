"""The models panel's handlers: a model's life, one version's lineage, moving an alias."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from nbtrack.errors import UsageError
from nbtrack.server.base import NbtrackHandler
from nbtrack.server.runs import off_loop

MAX_VERSION = 2**31 - 1  # what a database integer column holds


class LifeHandler(NbtrackHandler):
    """GET /nbtrack/api/models/<name>/life: versions with their runs, data, gates and monitoring; alias history."""

    auth_resource = "nbtrack:models"

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        from nbtrack.analyze.model_life import model_life

        store = self.store
        self.write_json(await off_loop(lambda: model_life(store, name)))


class LineageHandler(NbtrackHandler):
    """GET /nbtrack/api/models/<name>/versions/<n>/lineage: data -> run -> version -> alias moves -> monitoring."""

    auth_resource = "nbtrack:models"

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        from nbtrack.analyze.model_life import lineage

        store = self.store
        self.write_json(await off_loop(lambda: lineage(store, name, version)))


class AliasesHandler(NbtrackHandler):
    """POST /nbtrack/api/models/<name>/aliases {"alias", "version", "expect"?}: move an alias; answers the move.

    Moving champion changes what production scores with, so it needs what launching a
    notebook needs: the "execute" action on nbtrack:executions.
    """

    auth_resource = "nbtrack:executions"

    @web.authenticated
    @authorized("execute")
    def post(self, name: str) -> None:
        body = self.json_body()
        unknown = sorted(set(body) - {"alias", "version", "expect"})
        if unknown:
            raise UsageError(f"an alias move has no {str(unknown[0])[:40]!r}; send alias, version and optionally "
                             "expect (the version the alias must still point at)")
        alias, version, expect = body.get("alias"), body.get("version"), body.get("expect")
        if not isinstance(alias, str):
            raise UsageError('"alias" is the alias to move, such as {"alias": "champion", "version": 3}')
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
            raise UsageError(f'"version" is a version number from 1 to {MAX_VERSION}, such as {{"alias": "champion", '
                             f'"version": 3}}. Got {str(version)[:40]!r} instead.')
        if expect is not None and (isinstance(expect, bool) or not isinstance(expect, int)
                                   or not 0 <= expect <= MAX_VERSION):
            raise UsageError('"expect" is the version the alias must still point at (0: not set yet), such as 2')
        user = self.current_user
        by = (getattr(user, "username", None) or getattr(user, "name", None) or None) if user else None
        move = self.store.models.promote(name, version, alias, expect=expect, by=by)
        self.log.info("nbtrack: %s moved %s@%s from %s to %s", by or "someone", name, alias, move.previous,
                      move.version)
        self.write_json(move.to_dict())
