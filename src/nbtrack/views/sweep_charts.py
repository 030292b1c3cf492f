"""Matplotlib PNGs for SweepAnalysis: parallel coordinates coloured by the metric, and metric-vs-param scatter."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nbtrack import formatting
from nbtrack.views.charts import _figure, _png

MAX_TICK_CATEGORIES = 12  # labels on a categorical axis; past it only its ends
MAX_TICK_NUMBERS = 6  # a numeric axis with this few values labels each; past it only its range


def _position(value: Any, axis: dict[str, Any]) -> float:
    """A value's height on its axis, 0 to 1; NaN when the run has no value."""
    if value is None:
        return math.nan
    if axis["kind"] == "categorical":
        categories = axis["categories"]
        return 0.5 if len(categories) == 1 else categories.index(value) / (len(categories) - 1)
    low, high = axis["min"], axis["max"]
    if axis.get("log"):
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    return 0.5 if high == low else (value - low) / (high - low)


def parallel_coordinates(found: dict[str, Any], *, width: float = 9.0, height: float = 3.6) -> bytes:
    """One vertical axis per varying param and the metric last; one line per run, coloured by the metric."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    axes_ = found["axes"]
    metric = found["metric"]
    figure = _figure(width, height)
    ax = figure.add_subplot()
    xs = np.arange(len(axes_), dtype=float)
    segments, values = [], []
    for row in found["rows"]:
        ys = np.array([_position(row["values"].get(a["field"]), a) for a in axes_])
        segments.append(np.column_stack([xs, ys]))
        values.append(row["values"][metric])
    norm = Normalize(min(values), max(values) if max(values) > min(values) else min(values) + 1)
    cmap = colormaps["viridis"]
    order = np.argsort(values)  # the best runs drawn last, on top
    lines = LineCollection([segments[i] for i in order], colors=[cmap(norm(values[i])) for i in order],
                           linewidths=1.2, alpha=0.8)
    ax.add_collection(lines)
    for x, axis in zip(xs, axes_, strict=True):
        ax.axvline(x, color="#888888", linewidth=0.8)
        present = {row["values"].get(axis["field"]) for row in found["rows"]} - {None}
        for y, text in _ticks(axis, present):
            ax.text(x + 0.03, y, text, fontsize=7, va="center", ha="left", color="#222222", zorder=3,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_xlim(-0.2, len(axes_) - 0.6)
    ax.set_ylim(-0.06, 1.06)
    ax.set_xticks(xs, [_label(a) for a in axes_], fontsize=8)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    colourbar = figure.colorbar(lines, ax=ax, pad=0.01, fraction=0.03)
    colourbar.mappable.set_norm(norm)
    colourbar.set_label(metric.removeprefix("metrics."), fontsize=8)
    colourbar.ax.tick_params(labelsize=7)
    return _png(figure)


def _label(axis: dict[str, Any]) -> str:
    text = axis["label"] if len(axis["label"]) <= 18 else axis["label"][:17] + "\u2026"
    return text + (" (log)" if axis.get("log") else "")


def _ticks(axis: dict[str, Any], present: set[Any]) -> list[tuple[float, str]]:
    """Labels on an axis: its categories (or the ends of many), each value of a few numbers, else the range."""
    if axis["kind"] == "categorical":
        categories = axis["categories"]
        if len(categories) > MAX_TICK_CATEGORIES:
            return [(0.0, categories[0]), (1.0, categories[-1])]
        return [(_position(c, axis), c[:14]) for c in categories]
    if axis["min"] is None:
        return []
    if axis["min"] == axis["max"]:
        return [(0.5, formatting.number(axis["min"]))]
    if len(present) <= MAX_TICK_NUMBERS:
        return [(_position(v, axis), formatting.number(v)) for v in sorted(present)]
    return [(0.0, formatting.number(axis["min"])), (1.0, formatting.number(axis["max"]))]


def scatter_grid(found: dict[str, Any], panels: Sequence[dict[str, Any]], *, width: float = 9.0) -> bytes:
    """The metric against each param, one small panel each; categories spread on their own x positions."""
    import numpy as np

    metric = found["metric"]
    columns = min(3, max(1, len(panels)))
    rows_ = math.ceil(len(panels) / columns) if panels else 1
    figure = _figure(width, 2.4 * rows_)
    axes_by_field = {a["field"]: a for a in found["axes"]}
    colours = [row["colour"] for row in found["rows"]]
    for index, panel in enumerate(panels):
        ax = figure.add_subplot(rows_, columns, index + 1)
        axis = axes_by_field[panel["field"]]
        pairs = [(x, y, c) for x, y, c in zip(panel["x"], panel["y"], colours, strict=True) if x is not None]
        if axis["kind"] == "categorical":
            categories = axis["categories"]
            rng = np.random.default_rng(0)  # a fixed jitter: the same runs give the same picture
            xs = [categories.index(x) + rng.uniform(-0.15, 0.15) for x, _, _ in pairs]
            ax.set_xticks(range(len(categories)), [c[:10] for c in categories], fontsize=7,
                          rotation=30 if len(categories) > 4 else 0)
        else:
            xs = [x for x, _, _ in pairs]
            if axis.get("log"):
                ax.set_xscale("log")
            ax.tick_params(labelsize=7)
        ax.scatter(xs, [y for _, y, _ in pairs], c=[c for _, _, c in pairs], s=18, edgecolors="#333333",
                   linewidths=0.4)
        ax.set_xlabel(_label(axis) if len(axis["label"]) > 18 else axis["label"], fontsize=8)
        if index % columns == 0:
            ax.set_ylabel(metric.removeprefix("metrics."), fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    return _png(figure)
