"""A Jupyter Authorizer for tests: nbtrack resources only, and no "execute" action for anyone."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth import Authorizer


class NoExecute(Authorizer):
    """Allows reads and writes; refuses "execute", and any nbtrack route whose resource lacks "nbtrack:"."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        if handler.request.path.startswith("/nbtrack/") and not resource.startswith("nbtrack:"):
            return False
        return action != "execute"


class ReadOnlyRuns(Authorizer):
    """Allows reading nbtrack:runs and refuses writing it (PATCH, POST, PUT, DELETE)."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return not (resource == "nbtrack:runs" and action == "write")
