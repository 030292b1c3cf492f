"""Where the core calls up: track/ asks for presentation and evaluation by name.

Imports point down only (docs/architecture.md), yet a Run must show its views in a kernel
and, when it ends, have its alert rules fired ("run_ended", by automation/). The core
calls these hooks; the package root (nbtrack/__init__.py), which sits above every
layer, fills them in.
Standard library only, like the rest of the base layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_provided: dict[str, Callable[..., Any]] = {}


def provide(name: str, implementation: Callable[..., Any]) -> None:
    """Fill in the hook `name` (the package root does, once per process)."""
    _provided[name] = implementation


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the hook `name`; every hook is provided whenever any part of nbtrack is imported."""
    return _provided[name](*args, **kwargs)
