"""Matplotlib charts as PNG bytes for the views: series, bars, heatmaps, mini histograms."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

DPI = 80
Series = tuple[str, Sequence[float], Sequence[float]]  # label, x, y


def _figure(width: float, height: float) -> Any:
    # A bare Figure with its own Agg canvas: no pyplot state, no inline display as a side effect.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any, *, tight: bool = True) -> bytes:
    buffer = io.BytesIO()
    # zlib level 1: charts are mostly flat colour, so files stay small and encoding is ~3x faster
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight" if tight else None,
                   pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def line_chart(title: str, series: Sequence[Series], *, xlabel: str = "step", colours: Sequence[str] | None = None,
               width: float = 5.0, height: float = 3.0, legend_limit: int = 12) -> bytes:
    """One line per series, overlaid, in colours (each run's own), else matplotlib's cycle; the
    legend is dropped past legend_limit lines.

    The lines are one LineCollection: drawing 50 runs costs about what one line does.
    """
    import numpy as np
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    figure = _figure(width, height)
    axes = figure.add_subplot()
    colours = list(colours) if colours is not None else [f"C{index % 10}" for index in range(len(series))]
    segments = [np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)]) for _, x, y in series]
    axes.add_collection(LineCollection(segments, colors=colours, linewidths=1.2))
    singles = [(segment, colour) for segment, colour in zip(segments, colours, strict=True) if len(segment) == 1]
    for segment, colour in singles:
        axes.plot(segment[:, 0], segment[:, 1], "o", color=colour)
    axes.autoscale_view()
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel, fontsize=8)
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    if 1 < len(series) <= legend_limit:
        handles = [Line2D([], [], color=colour, label=label) for (label, _, _), colour in zip(series, colours, strict=True)]
        axes.legend(handles=handles, fontsize=7, loc="best")
    figure.subplots_adjust(left=0.14, right=0.97, bottom=0.16, top=0.9)
    return _png(figure, tight=False)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *,
              width: float = 5.0, height: float | None = None) -> bytes:
    """Horizontal bars, largest first at the top (top features)."""
    height = height or max(1.5, 0.25 * len(labels) + 0.8)
    figure = _figure(width, height)
    axes = figure.add_subplot()
    positions = range(len(labels))
    axes.barh(list(positions), list(values), color="#1565c0")
    axes.set_yticks(list(positions), [str(label) for label in labels], fontsize=7)
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10)
    axes.tick_params(axis="x", labelsize=7)
    return _png(figure)


def heatmap(title: str, matrix: Sequence[Sequence[float]], labels: Sequence[str], *,
            size: float = 3.2) -> bytes:
    """A confusion matrix: rows are true labels, columns predicted, counts written in."""
    import numpy as np

    values = np.asarray(matrix, dtype=float)
    figure = _figure(size, size)
    axes = figure.add_subplot()
    axes.imshow(values, cmap="Blues")
    ticks = range(len(labels))
    axes.set_xticks(list(ticks), [str(label) for label in labels], fontsize=7)
    axes.set_yticks(list(ticks), [str(label) for label in labels], fontsize=7)
    axes.set_xlabel("predicted", fontsize=8)
    axes.set_ylabel("true", fontsize=8)
    axes.set_title(title, fontsize=9)
    peak = values.max() if values.size else 0
    for (row, col), value in np.ndenumerate(values):
        text = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
        axes.text(col, row, text, ha="center", va="center", fontsize=8,
                  color="white" if peak and value > peak / 2 else "black")
    return _png(figure)


def curve_chart(title: str, curves: Sequence[Series], *, xlabel: str, ylabel: str,
                diagonal: bool = False, size: float = 3.2) -> bytes:
    """ROC or precision-recall curves on a unit square."""
    figure = _figure(size, size)
    axes = figure.add_subplot()
    for label, x, y in curves:
        axes.plot(x, y, label=label, linewidth=1.2)
    if diagonal:
        axes.plot([0, 1], [0, 1], linestyle="--", color="#9e9e9e", linewidth=0.8)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel(xlabel, fontsize=8)
    axes.set_ylabel(ylabel, fontsize=8)
    axes.set_title(title, fontsize=9)
    axes.tick_params(labelsize=7)
    if curves and len(curves) <= 12:
        axes.legend(fontsize=7, loc="lower right" if diagonal else "lower left")
    return _png(figure)


def mini_histogram(counts: Sequence[float], *, colour: str = "#1565c0") -> bytes:
    """A sparkline-sized histogram for one column of a data profile."""
    figure = _figure(1.4, 0.35)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.bar(range(len(counts)), list(counts), width=0.9, color=colour)
    axes.set_axis_off()
    return _png(figure, tight=False)
