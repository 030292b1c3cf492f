"""Views of single captures: a data profile, a fitted model, an evaluation; shown where they are logged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from nbtrack.views import charts
from nbtrack.views.html import Html, format_value, join, note, png_image, table, tag
from nbtrack.views.view import View

MAX_COLUMNS = 40  # profile rows shown; the rest are counted
MAX_FEATURES = 15
BAR_WIDTH = 10


class CaptureView(View):
    """A record body rendered once, as a widget and as the same static HTML."""

    kind = "capture"

    def __init__(self, body: Mapping[str, Any], name: str = "") -> None:
        self.body = dict(body)
        self.name = name
        self._html = self.render()
        content = widgets.HTML(str(self._html))
        content.add_class(f"nbtrack-{self.kind}-view")
        super().__init__([content])

    def render(self) -> Html:
        raise NotImplementedError

    def summary(self) -> str:
        return f"{type(self).__name__} {self.name}".strip()

    def static_html(self) -> Html:
        return Html(tag("div", self._html, cls=f"nbtrack-{self.kind}-view"))


class DataView(CaptureView):
    """A data profile: size, fingerprint, and per column its type, missing bar, summary and histogram."""

    kind = "data"

    def render(self) -> Html:
        body = self.body
        head = tag("div", f"data {self.name}: {body.get('rows', 0):,} rows × {body.get('columns', 0)} columns, "
                   f"{100 * float(body.get('missing_share') or 0):.1f}% missing, "
                   f"fingerprint {str(body.get('fingerprint', ''))[:12]}",
                   style="font-weight:bold;margin:2px 0")
        rows_total = int(body.get("rows") or 0)
        numeric, categorical = body.get("numeric", {}), body.get("categorical", {})
        rows = []
        schema = body.get("schema", {})
        for column in list(schema)[:MAX_COLUMNS]:
            missing = int(body.get("missing", {}).get(column, 0))
            rows.append([column, schema[column], missing_bar(missing, rows_total),
                         _column_summary(numeric.get(column), categorical.get(column)),
                         _histogram(numeric.get(column), categorical.get(column), column)])
        parts = [head, table(["column", "dtype", "missing", "summary", "distribution"], rows,
                             cls="nbtrack-profile")]
        if len(schema) > MAX_COLUMNS:
            parts.append(note(f"and {len(schema) - MAX_COLUMNS} more columns"))
        target = body.get("target")
        if isinstance(target, Mapping):
            parts.append(tag("div", f"target {target.get('name', '')} ({target.get('kind', '')}): "
                             + _column_summary(target if target.get("kind") == "numeric" else None,
                                               target if target.get("kind") != "numeric" else None),
                             style="margin:2px 0"))
        return join(parts)


def missing_bar(missing: int, rows: int) -> str:
    """Missing share as a text bar, which survives every sanitizer: ██░░░░░░░░ 20.0%."""
    share = missing / rows if rows else 0.0
    filled = round(share * BAR_WIDTH)
    if missing and not filled:
        filled = 1
    return "█" * filled + "░" * (BAR_WIDTH - filled) + f" {missing} ({100 * share:.1f}%)"


def _column_summary(numeric: Mapping[str, Any] | None, categorical: Mapping[str, Any] | None) -> str:
    if numeric:
        if numeric.get("mean") is None:
            return "no finite values"
        return (f"mean {format_value(numeric.get('mean'))}, std {format_value(numeric.get('std'))}, "
                f"min {format_value(numeric.get('min'))}, max {format_value(numeric.get('max'))}")
    if categorical:
        top = ", ".join(f"{value} ({count})" for value, count in (categorical.get("top") or [])[:3])
        return f"{categorical.get('distinct', '?')} distinct; top: {top}"
    return ""


def _histogram(numeric: Mapping[str, Any] | None, categorical: Mapping[str, Any] | None, column: str) -> Any:
    counts: Sequence[float] = []
    if numeric and isinstance(numeric.get("histogram"), Mapping):
        counts = numeric["histogram"].get("counts") or []
    elif categorical and categorical.get("top"):
        counts = [count for _, count in categorical["top"][:12]]
    if not counts or not any(counts):
        return ""
    return png_image(charts.mini_histogram(counts), f"distribution of {column}")


class ModelView(CaptureView):
    """A fitted model: its class, fit cost, params, and a chart of its top features."""

    kind = "model"

    def render(self) -> Html:
        body = self.body
        facts = [f"model {self.name}: {str(body.get('class') or '').rsplit('.', 1)[-1]}"]
        if body.get("fit_seconds") is not None:
            facts.append(f"fit {format_value(body['fit_seconds'])} s")
        file = body.get("file") if isinstance(body.get("file"), Mapping) else {}
        if file:
            facts.append(f"{file.get('format', '')} file {format_value(file.get('size_bytes'))} bytes"
                         + ("" if file.get("trusted", True) else " (loads only with trusted=True)"))
        parts = [tag("div", ", ".join(facts), style="font-weight:bold;margin:2px 0")]
        params = body.get("params") or {}
        if isinstance(params, Mapping) and params:
            parts.append(table(["param", "value"], [[k, _short(v)] for k, v in sorted(params.items())],
                               cls="nbtrack-model-params"))
        features = top_features(body)
        if features:
            names, values = zip(*features, strict=True)
            fitted = body.get("fitted") or {}
            source = ((fitted.get("importances") or {}).get("source") if isinstance(fitted, Mapping) else None)
            title = f"top features ({source})" if source else "top features"
            parts.append(png_image(charts.bar_chart(title, names, values), title))
        return join(parts)


def _short(value: Any) -> str:
    if isinstance(value, Mapping) and "class" in value:  # a nested estimator: its class, then its params
        value = f"{str(value['class']).rsplit('.', 1)[-1]}({', '.join(f'{k}={v}' for k, v in (value.get('params') or {}).items())})"
    text = format_value(value)
    return text if len(text) <= 120 else text[:117] + "..."


def top_features(body: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(name, importance) pairs, largest magnitude first, from the shapes a model record may use."""
    fitted = body.get("fitted")
    if isinstance(fitted, Mapping) and isinstance(fitted.get("importances"), Mapping):
        body = {"top_features": fitted["importances"].get("top")}  # the capture record's shape
    found = None
    for key in ("top_features", "feature_importances", "features", "importances"):
        if body.get(key):
            found = body[key]
            break
    pairs: list[tuple[str, float]] = []
    if isinstance(found, Mapping):
        if "names" in found and ("importances" in found or "values" in found):
            pairs = list(zip(map(str, found["names"]), found.get("importances") or found["values"], strict=False))
        else:
            pairs = [(str(k), v) for k, v in found.items()]
    elif isinstance(found, Sequence):
        for item in found:
            if isinstance(item, Mapping):
                name = item.get("name", item.get("feature"))
                value = item.get("importance", item.get("value"))
                pairs.append((str(name), value))
            elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
    numeric = [(name, float(value)) for name, value in pairs if isinstance(value, (int, float))]
    return sorted(numeric, key=lambda pair: -abs(pair[1]))[:MAX_FEATURES]


class EvaluationView(CaptureView):
    """A model scored on one split: the metrics table, a confusion-matrix heatmap, ROC and PR curves."""

    kind = "evaluation"

    def render(self) -> Html:
        body = self.body
        split = body.get("split") or self.name
        metrics = body.get("metrics") or {k: v for k, v in body.items() if isinstance(v, (int, float))
                                          and not isinstance(v, bool)}
        parts = [tag("div", f"evaluation {self.name}" + (f" on {split}" if split != self.name else ""),
                     style="font-weight:bold;margin:2px 0")]
        if metrics:
            parts.append(table(["metric", "value"], [[k, format_value(v)] for k, v in metrics.items()
                                                     if not isinstance(v, (dict, list))],
                               cls="nbtrack-evaluation-metrics"))
        per_class = body.get("per_class")
        if isinstance(per_class, Mapping) and per_class:
            columns = ["precision", "recall", "f1", "support"]
            parts.append(table(["class", *columns],
                               [[label, *(format_value(values.get(c)) for c in columns)]
                                for label, values in per_class.items() if isinstance(values, Mapping)],
                               cls="nbtrack-evaluation-classes"))
        images = []
        matrix = confusion_of(body)
        if matrix:
            images.append(png_image(charts.heatmap(f"confusion matrix ({split})", *matrix), "confusion matrix"))
        roc = curves_of(body, ("roc", "roc_curve"), ("fpr", "tpr"))
        if len(roc) == 1 and isinstance(metrics.get("roc_auc"), (int, float)):
            label, x, y = roc[0]
            roc = [(f"{label} (AUC {format_value(metrics['roc_auc'])})", x, y)]
        if roc:
            images.append(png_image(charts.curve_chart("ROC", roc, xlabel="false positive rate",
                                                       ylabel="true positive rate", diagonal=True), "ROC curve"))
        pr = curves_of(body, ("pr", "pr_curve", "precision_recall"), ("recall", "precision"))
        if pr:
            images.append(png_image(charts.curve_chart("precision-recall", pr, xlabel="recall",
                                                       ylabel="precision"), "precision-recall curve"))
        if images:
            parts.append(tag("div", join(images)))
        return join(parts)


def confusion_of(body: Mapping[str, Any] | None) -> tuple[list[list[float]], list[str]] | None:
    """(matrix, labels) from an evaluation record, or None when it has no confusion matrix."""
    if not body:
        return None
    found = body.get("confusion_matrix") or body.get("confusion")
    labels = body.get("labels") or body.get("classes")
    if isinstance(found, Mapping):
        labels = found.get("labels") or labels
        found = found.get("matrix") or found.get("values")
    if not isinstance(found, Sequence) or not found or not isinstance(found[0], Sequence):
        return None
    labels = [str(label) for label in labels] if labels else [str(i) for i in range(len(found))]
    return [list(row) for row in found], labels


def curves_of(body: Mapping[str, Any], names: Sequence[str], axes: tuple[str, str]) -> list[charts.Series]:
    """Curves as (label, x, y) from one curve {x: [...], y: [...]} or several keyed by class."""
    found = next((body[name] for name in names if body.get(name)), None)
    if found is None and isinstance(body.get("curves"), Mapping):
        found = next((body["curves"][name] for name in names if body["curves"].get(name)), None)
    if not isinstance(found, Mapping):
        return []
    x_key, y_key = axes
    if x_key in found and y_key in found:
        label = f"AUC {format_value(found['auc'])}" if found.get("auc") is not None else "curve"
        return [(label, found[x_key], found[y_key])]
    curves = []
    for label, curve in found.items():
        if isinstance(curve, Mapping) and x_key in curve and y_key in curve:
            auc = f" (AUC {format_value(curve['auc'])})" if curve.get("auc") is not None else ""
            curves.append((f"{label}{auc}", curve[x_key], curve[y_key]))
    return curves


def display_capture(kind: str, name: str, body: Mapping[str, Any]) -> CaptureView | None:
    """Display the view of a record where it was logged, when running in a Jupyter kernel."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    view = view_for(kind, body, name)
    display(view)
    return view


def view_for(kind: str, body: Mapping[str, Any], name: str = "") -> CaptureView:
    """The view of a record of a kind: data, model or evaluation."""
    views: dict[str, type[CaptureView]] = {"data": DataView, "model": ModelView, "evaluation": EvaluationView}
    return views[kind](body, name)


__all__ = ["DataView", "EvaluationView", "ModelView", "confusion_of", "display_capture", "view_for"]
