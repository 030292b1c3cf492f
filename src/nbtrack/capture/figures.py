"""Matplotlib figures as PNG bytes."""

from __future__ import annotations

import io
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
