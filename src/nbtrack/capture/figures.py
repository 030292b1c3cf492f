"""Matplotlib figures as PNG bytes."""

from __future__ import annotations

import io
import weakref
from typing import Any

from nbtrack.errors import UsageError

DPI = 100


def figure_png(figure: Any, *, dpi: int = DPI) -> bytes:
    """A matplotlib Figure (or anything with savefig) rendered to PNG bytes."""
    savefig = getattr(figure, "savefig", None)
    if savefig is None:
        figure = getattr(figure, "figure", None)  # an Axes, or a seaborn grid
        savefig = getattr(figure, "savefig", None)
    if savefig is None:
        raise UsageError(
            f"log_figure needs a matplotlib Figure or Axes. Got {type(figure).__name__} instead."
        )
    buffer = io.BytesIO()
    savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


_logged: weakref.WeakSet[Any] = weakref.WeakSet()


def mark_logged(figure: Any) -> None:
    """Remember a figure logged by name, so autolog does not keep it a second time when shown."""
    try:
        _logged.add(getattr(figure, "figure", None) or figure)
    except TypeError:  # not weak-referenceable: autolog may keep it twice, which costs only a row
        pass


def was_logged(figure: Any) -> bool:
    try:
        return figure in _logged
    except TypeError:
        return False
