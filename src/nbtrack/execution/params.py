"""Parameters for an execution: parsed like papermill's, checked against what the notebook declares."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from nbtrack.capture.notebook import DeclaredParam
from nbtrack.errors import ParameterError
from nbtrack.limits import MAX_DEPTH, MAX_INT_DIGITS, MAX_PARAMS, encode_value

_NUMBER_TYPES = {"int", "float", "complex"}


def parse_value(name: str, text: str) -> Any:
    """A -p value read as a YAML scalar: 200 is an int, 0.5 a float, true a bool, rf a string."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise ParameterError(
            f"the value of parameter {name!r} does not parse ({problem}): {text[:80]!r}; "
            "quote text values, such as -p name \"'a: b'\""
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ParameterError(f"the value of parameter {name!r} {_unreadable(exc)}") from None
    return check_value(name, value)


def check_value(name: str, value: Any) -> Any:
    """The one rule for a parameter value from any edge (CLI, server, Python): finite, bounded, storable."""
    encode_value(f"parameter {name!r}", value)  # nesting, integer range and size, as the store checks them
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ParameterError(f"the value of parameter {name!r} must be finite. Got {item!r} instead.")
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return value


def _unreadable(exc: ValueError | RecursionError) -> str:
    """Why YAML could not build a value: an int past Python's digit limit, or nesting past the stack."""
    if isinstance(exc, RecursionError):
        return f"nests too deeply to read; flatten it to at most {MAX_DEPTH} levels"
    return f"is an integer of more than {MAX_INT_DIGITS} digits; quote it to pass it as text"


def load_params_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parameters from a YAML (or JSON) mapping file, as papermill's -f reads them."""
    source = Path(path)
    if not source.is_file():
        raise ParameterError(f"parameters file {source} does not exist; check the -f path")
    try:
        loaded = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise ParameterError(f"parameters file {source} does not parse ({problem}); fix its YAML") from None
    except (ValueError, RecursionError) as exc:
        raise ParameterError(f"a value in parameters file {source} {_unreadable(exc)}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ParameterError(f"parameters file {source} must be a mapping of names to values, such as 'C: 0.5'")
    return loaded


def check_params(given: Mapping[str, Any], declared: Mapping[str, DeclaredParam], notebook: str) -> dict[str, Any]:
    """Refuse names the notebook does not declare and values whose kind contradicts the default.

    papermill pastes names into code, so only declared identifiers may pass.
    """
    if len(given) > MAX_PARAMS:
        raise ParameterError(f"{len(given)} parameters given, over the {MAX_PARAMS} one execution may take; "
                             "pass fewer, or one parameter that names a file")
    if given and not declared:
        raise ParameterError(
            f"{notebook} has no cell tagged 'parameters', so it takes no parameters; "
            "tag the cell that assigns them 'parameters' in JupyterLab's property inspector"
        )
    unknown = [name for name in given if name not in declared]
    if unknown:
        known = ", ".join(declared) or "none"
        raise ParameterError(
            f"{notebook} declares no parameter {str(unknown[0])[:40]!r}; declared parameters: {known}"
        )
    for name, value in given.items():
        check_value(name, value)
        expected = declared[name].kind
        if expected in _NUMBER_TYPES and (isinstance(value, (str, bool)) or value is None):
            raise ParameterError(
                f"parameter {name!r} of {notebook} is a number (default {declared[name].default_source}). "
                f"Got {value!r} instead."
            )
        if expected == "bool" and not isinstance(value, bool):
            raise ParameterError(
                f"parameter {name!r} of {notebook} is true or false (default {declared[name].default_source}). "
                f"Got {value!r} instead."
            )
    return dict(given)
