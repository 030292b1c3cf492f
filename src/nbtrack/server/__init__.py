"""nbtrack's Jupyter server extension: the REST API under /nbtrack/api/ that the Lab frontend uses."""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Any

from nbtrack.config import STORE_ENV, mask_password

API = "nbtrack/api"


class StoreHolder:
    """Opens the store on first use, so starting Lab in a folder creates nothing there."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._store: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._store is None:
                from nbtrack.store import open_store

                self._store = open_store(self.uri)
            return self._store


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "nbtrack.server"}]


def _same_site_cookies(serverapp: Any) -> None:
    """SameSite=Lax on the login and _xsrf cookies, unless the user configured SameSite themselves.

    Without it another site's <img src=".../nbtrack/api/runs?..."> reaches the API with the
    user's login cookie. The dicts are the ones jupyter_server reads at every login.
    """
    for options in (serverapp.identity_provider.cookie_options,
                    serverapp.web_app.settings.setdefault("xsrf_cookie_kwargs", {})):
        if not any(key.lower() == "samesite" for key in options):  # cookie attributes ignore case
            options["samesite"] = "Lax"


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the handlers; the store is NBTRACK_STORE, else .nbtrack in the server's root."""
    from jupyter_server.utils import url_path_join

    from nbtrack.server import analysis, executions, models, runs, workspace
    from nbtrack.server.base import STORE_SETTING, NoRouteHandler

    root = os.path.expanduser(serverapp.root_dir)
    uri = os.environ.get(STORE_ENV) or str(Path(root) / ".nbtrack")
    launcher = executions.Executions(root)
    atexit.register(launcher.stop_all)  # no notebook keeps running once its server is gone
    serverapp.web_app.settings[STORE_SETTING] = StoreHolder(uri)
    serverapp.web_app.settings[executions.EXECUTIONS_SETTING] = launcher
    _same_site_cookies(serverapp)
    base = url_path_join(serverapp.web_app.settings["base_url"], API)
    run = r"/runs/(?P<ref>[0-9A-Za-z]+)"
    routes = [
        (r"/runs", runs.RunsHandler),
        (r"/runs/table", workspace.TableHandler),  # before run: these words would read as run ids
        (r"/runs/fields", workspace.FieldsHandler),
        (r"/runs/groups", workspace.GroupsHandler),
        (r"/runs/actions", workspace.ActionsHandler),
        (run, runs.RunHandler),
        (run + r"/tags", runs.TagsHandler),
        (run + r"/metrics", runs.MetricsHandler),
        (run + r"/artifacts/(?P<name>.+)/preview", analysis.PreviewHandler),  # before the artifact's bytes
        (run + r"/artifacts/(?P<name>.+)", runs.ArtifactHandler),
        (r"/compare", runs.CompareHandler),
        (r"/experiments", runs.ExperimentsHandler),
        (r"/models", runs.ModelsHandler),
        (r"/models/(?P<name>[^/]+)", runs.ModelHandler),
        (r"/models/(?P<name>[^/]+)/life", models.LifeHandler),
        (r"/models/(?P<name>[^/]+)/versions/(?P<version>[0-9]{1,9})/lineage", models.LineageHandler),
        (r"/models/(?P<name>[^/]+)/aliases", models.AliasesHandler),
        (r"/analysis", analysis.AnalysisHandler),
        (r"/series", analysis.SeriesHandler),
        (r"/series/groups", analysis.GroupSeriesHandler),
        (r"/views", workspace.ViewsHandler),
        (r"/views/(?P<name>[^/]+)", workspace.ViewHandler),
        (r"/executions", executions.ExecutionsHandler),
        (r"/executions/(?P<execution_id>[0-9a-f]+)", executions.ExecutionHandler),
        (r"/notebooks/params", executions.NotebookParamsHandler),
        (r"/.*", NoRouteHandler),  # last: unmatched API paths get JSON, never Jupyter's HTML
    ]
    serverapp.web_app.add_handlers(".*$", [(base + path, handler) for path, handler in routes])
    serverapp.log.info("nbtrack: API at /%s over store %s", API, mask_password(uri))


