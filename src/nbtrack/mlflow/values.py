"""MLflow's values as nbtrack keeps them."""

from __future__ import annotations

import math
from typing import Any


def param_value(text: str) -> Any:
    """MLflow's param text as the number it spells, when it reads back as the same text ("0.1", "3").

    nbtrack then filters and charts it as a number, like a param logged natively; MLflow
    reads back the same text. Anything else ("1e3", "nan", "True", "rf") stays text.
    """
    for kind in (int, float):
        try:
            value = kind(text)
        except (TypeError, ValueError):
            continue
        return value if str(value) == text and math.isfinite(value) else text
    return text
