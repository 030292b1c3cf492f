"""Names a package loads on first use, so importing the package stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, namespace: dict[str, Any], homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level __getattr__ that imports each name of homes from its module when first read.

    >>> __getattr__ = lazy_names(__name__, globals(), {"Run": "nbtrack.track.run"})  # doctest: +SKIP
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value  # read once: later reads find it as a plain global
        return value

    return __getattr__
