"""Bounds on input at every edge: value sizes, nesting depth, path length, parameter and body sizes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from nbtrack.errors import InputTooLarge
from nbtrack.records import to_json_value

VALUE_BYTES_ENV = "NBTRACK_MAX_VALUE_BYTES"
DEFAULT_VALUE_BYTES = 64 * 1024  # a param or tag is a setting, not data: listings carry every one
MAX_DEPTH = 32  # nesting of a param value or a request body; deeper input is refused, never recursed into
MAX_PARAMS = 1000  # parameters in one request or execution
MAX_BODY_BYTES = 8 * 1024 * 1024  # one JSON request body
MAX_PATH_CHARS = 4096  # Linux's PATH_MAX
MAX_NAME_BYTES = 255  # Linux's NAME_MAX: one folder or file name in a path
MAX_INT_DIGITS = 4300  # Python's int-str conversion limit (sys.get_int_max_str_digits)
_FLOAT_INT = 2**1024  # the first integer float() refuses: the store keeps every number param as a float too


def max_value_bytes() -> int:
    """The size limit of one param or tag value (NBTRACK_MAX_VALUE_BYTES, default 64 KiB)."""
    raw = os.environ.get(VALUE_BYTES_ENV, "")
    if not raw:
        return DEFAULT_VALUE_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputTooLarge(
            f"{VALUE_BYTES_ENV} must be a whole number of bytes > 0. Got {raw[:40]!r} instead.")
    return value


def check_value_bytes(what: str, encoded: str) -> str:
    """encoded (a stored param or tag value) if within the size limit, else InputTooLarge naming the fix."""
    limit = max_value_bytes()
    size = len(encoded.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InputTooLarge(
            f"{what} is {size} bytes, over the {limit}-byte limit of a param or tag value; "
            f"log it as an artifact with run.log_artifact(...) instead (or raise {VALUE_BYTES_ENV})"
        )
    return encoded


def check_depth(what: str, value: Any) -> Any:
    """value if its lists and dicts nest at most MAX_DEPTH deep; walked without recursion."""
    for _item in _items(what, value):
        pass
    return value


def encode_value(what: str, value: Any) -> tuple[Any, str]:
    """value as plain JSON and its compact text, refused when too deep, too large or too long to store."""
    for item in _items(what, value):
        if isinstance(item, int) and not isinstance(item, bool) and not -_FLOAT_INT < item < _FLOAT_INT:
            raise InputTooLarge(f"{what} holds an integer too large to compare as a number "
                                "(past 1e308); pass it as text")
    plain = to_json_value(value)
    return plain, check_value_bytes(what, json.dumps(plain, separators=(",", ":"), sort_keys=True))


def _items(what: str, value: Any) -> Iterator[Any]:
    """value and everything nested in it, refusing nesting past MAX_DEPTH."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        yield item
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            if depth >= MAX_DEPTH:
                raise InputTooLarge(f"{what} nests deeper than {MAX_DEPTH} levels; flatten it")
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def check_path(what: str, path: str) -> str:
    """path if the filesystem can name it (PATH_MAX, NAME_MAX), else a one-line InputTooLarge."""
    if len(path) > MAX_PATH_CHARS:
        raise InputTooLarge(f"{what} is {len(path)} characters long, over the {MAX_PATH_CHARS} a path "
                            "may have; use shorter names or fewer folders")
    longest = max((len(part.encode("utf-8", "surrogatepass")) for part in path.replace("\\", "/").split("/")),
                  default=0)
    if longest > MAX_NAME_BYTES:
        raise InputTooLarge(f"{what} has a folder or file name of {longest} bytes, over the {MAX_NAME_BYTES} "
                            "a name may have; use shorter names")
    return path


def load_json(body: bytes) -> Any:
    """A JSON request body, bounded in size, nesting depth and digits of integers; each a one-line error."""
    if len(body) > MAX_BODY_BYTES:
        raise InputTooLarge(f"the request body is {len(body)} bytes, over the {MAX_BODY_BYTES}-byte limit; "
                            "log large values as artifacts")
    try:
        value = json.loads(body, parse_int=_bounded_int)
    except RecursionError:
        raise InputTooLarge(f"the request body nests deeper than {MAX_DEPTH} levels; flatten it") from None
    return check_depth("the request body", value)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputTooLarge(f"a number in the request body has {len(text.lstrip('-'))} digits, over the "
                            f"{MAX_INT_DIGITS} an integer may have; send it as a string")
    return int(text)
