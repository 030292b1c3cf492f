"""The one base class every nbtrack handler uses: auth, JSON in and out, errors as {"message"}."""

from __future__ import annotations

import json
import math
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from nbtrack.errors import IntegrityError, NbtrackError, NotFound, UsageError
from nbtrack.limits import load_json
from nbtrack.store import Store

AUTH_RESOURCE = "nbtrack:runs"
STORE_SETTING = "nbtrack_store"


class NbtrackHandler(APIHandler):
    """Jupyter's APIHandler plus nbtrack's error mapping, so no handler can forget either.

    Subclasses still decorate every method with @web.authenticated and @authorized:
    the decorators are what jupyter_server checks, and a route test proves each one.
    """

    auth_resource = AUTH_RESOURCE

    @property
    def store(self) -> Store:
        return self.settings[STORE_SETTING].get()

    def write_json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(_json_safe(value), allow_nan=False))

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object; anything else is refused before it is read."""
        media = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise web.HTTPError(415, "send the body as JSON with Content-Type: application/json")
        try:
            body = load_json(self.request.body or b"")  # bounded: size, depth, digits; each a 400
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise web.HTTPError(400, "the body is not valid JSON; send a JSON object") from None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "the body must be a JSON object, such as {\"notebook\": \"nb.ipynb\"}")
        return body

    def query_int(self, name: str, default: int, *, low: int, high: int) -> int:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise web.HTTPError(400, f"{name} must be a whole number. Got {text!r} instead.") from None
        if not low <= value <= high:
            raise web.HTTPError(400, f"{name} must be between {low} and {high}. Got {value} instead.")
        return value

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, NbtrackError):
            self.log.info("nbtrack: %s %s: %s", self.request.method, self.request.path, value)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors as {"message": ...}: user mistakes 400, unknown things 404, never a traceback."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, NotFound):
            self.set_status(404)
            message = str(exc)
        elif isinstance(exc, UsageError):
            self.set_status(400)
            message = str(exc)
        elif isinstance(exc, IntegrityError):
            message = str(exc)  # names the sha256 and nbtrack fsck, never a path
        elif isinstance(exc, web.HTTPError):
            message = exc.log_message or self._reason
        else:
            message = "internal error in nbtrack; the server log has the details"
        self.clear_header("Content-Disposition")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))


class NoRouteHandler(NbtrackHandler):
    """Anything under /nbtrack/api/ that no route matches: a JSON 404, not Jupyter's HTML page.

    Jupyter's page would embed the request's token in its HTML.
    """

    def _no_route(self, *_args: Any, **_kwargs: Any) -> None:
        raise web.HTTPError(404, "no such nbtrack API route; see README's server API section")

    get = web.authenticated(authorized(_no_route))
    post = put = patch = delete = get


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null: JSON has no spelling for them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value
