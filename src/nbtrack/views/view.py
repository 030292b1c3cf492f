"""The base of every view: a stock VBox that also carries its current state as static HTML."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from nbtrack.views.html import Html

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class View(widgets.VBox):
    """A live widget where a kernel runs; plain HTML (tables, data: PNGs) everywhere else.

    The widget bundle gains text/html, so an executed notebook opened without a kernel,
    on a code host or through nbconvert still reads as a report.
    """

    def static_html(self) -> Html:
        """The view's current state as self-contained, escaped HTML without scripts."""
        raise NotImplementedError

    def summary(self) -> str:
        """One line for text/plain."""
        return type(self).__name__

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = dict(super()._repr_mimebundle_(**kwargs) or {})
        data["text/plain"] = self.summary()
        data["text/html"] = str(self.static_html())
        return data

    def _repr_html_(self) -> str:
        return str(self.static_html())
