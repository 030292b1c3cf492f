"""Escaped HTML building blocks: every name and value a view shows goes through escape()."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from typing import Any

from nbtrack import formatting
from nbtrack.records import RunStatus

STATUS_COLOURS = {
    RunStatus.RUNNING: "#1565c0",
    RunStatus.FINISHED: "#2e7d32",
    RunStatus.FAILED: "#c62828",
    RunStatus.TIMEOUT: "#ef6c00",
    RunStatus.KILLED: "#6a1b9a",
    RunStatus.LOST: "#757575",
}
TABLE_STYLE = "border-collapse:collapse;font-size:12px;margin:4px 0"
CELL_STYLE = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
BEST_STYLE = "font-weight:bold;background-color:#e8f5e9"


class Html(str):
    """Markup already built from escaped parts: escape() passes it through unchanged."""

    __slots__ = ()


def escape(value: Any) -> Html:
    """Text made safe to place in HTML, attributes included; Html passes through."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else format_value(value), quote=True))


def format_value(value: Any) -> str:
    """A param, metric or tag value as short text, as the CLI and the Lab show it (nbtrack.formatting)."""
    return formatting.value(value)


def join(parts: Iterable[Any]) -> Html:
    """Several pieces of markup or text, escaped and concatenated."""
    return Html("".join(escape(part) for part in parts))


def tag(name: str, content: Any = "", *, style: str | None = None, title: Any = None,
        cls: str | None = None) -> Html:
    """One element; content is escaped unless it is Html. name and style come from code only."""
    attrs = ""
    if cls:
        attrs += f' class="{escape(cls)}"'
    if style:
        attrs += f' style="{escape(style)}"'
    if title is not None:
        attrs += f' title="{escape(title)}"'
    return Html(f"<{name}{attrs}>{escape(content)}</{name}>")


def table(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, cls: str = "nbtrack-table",
          cell_styles: Iterable[Sequence[str | None]] | None = None) -> Html:
    """A plain HTML table; every cell is escaped unless it is Html."""
    # Lab's own colour where there is one (dark themes keep the header readable), light grey elsewhere
    head = join(tag("th", h, style=CELL_STYLE + ";background-color:var(--jp-layout-color2, #f5f5f5)") for h in header)
    styles = iter(cell_styles) if cell_styles is not None else None
    body = []
    for row in rows:
        row_styles = next(styles) if styles is not None else [None] * len(row)
        body.append(tag("tr", join(
            tag("td", cell, style=CELL_STYLE + (";" + extra if extra else ""))
            for cell, extra in zip(row, row_styles, strict=False)
        )))
    return Html(f'<table class="{escape(cls)}" style="{TABLE_STYLE}">'
                f"<thead><tr>{head}</tr></thead><tbody>{join(body)}</tbody></table>")


def status_badge(status: RunStatus | str) -> Html:
    """The status as coloured text."""
    colour = STATUS_COLOURS.get(str(status), "#000000")  # StrEnum members hash as their text
    return tag("span", str(status), style=f"color:{colour};font-weight:bold",
               cls=f"nbtrack-view-status nbtrack-view-status-{status}")


def png_image(png: bytes, alt: Any, *, width: int | None = None) -> Html:
    """A PNG as an <img> with a data: URL, which sanitizers and code hosts keep."""
    encoded = base64.b64encode(png).decode("ascii")
    size = f' width="{int(width)}"' if width else ""
    return Html(f'<img src="data:image/png;base64,{encoded}" alt="{escape(alt)}"{size}>')


def section(title: Any, content: Any) -> Html:
    """A heading and its content, the unit of a static report."""
    return Html(tag("h4", title, style="margin:8px 0 4px 0") + escape(content))


def note(text: Any) -> Html:
    """A muted line, for 'nothing to show' and hints."""
    return tag("div", text, style="color:#757575;font-style:italic;margin:2px 0")


def error_line(text: Any) -> Html:
    """A one-line error shown inline in a view instead of a traceback."""
    return tag("div", text, style="color:#c62828;margin:2px 0", cls="nbtrack-error")
