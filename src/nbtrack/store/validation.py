"""The rules a run's rows keep, checked on rows read from another store before an import writes them.

A store's writer enforces these as it writes; a store file can say anything (SQLite
keeps any type in any column), so an import checks them again: one bad row
refuses its run, by id, with the reason, and nothing of that run is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from nbtrack.errors import InvalidArtifactName, RunRefused
from nbtrack.records import RunStatus
from nbtrack.store import chunks, digest
from nbtrack.store.blobs import is_sha256
from nbtrack.store.curation import MAX_NOTE
from nbtrack.store.store import check_artifact_name

_CROCKFORD = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
# An import takes runs that have ended, and runs `nbtrack fsck --mark-lost` stored as lost.
_ENDED = frozenset(status.value for status in RunStatus if status is not RunStatus.RUNNING)
_MAX_KEY = 250
_MAX_NAME = 200
_MAX_JSON_DEPTH = 100
_YEAR_10000 = 253402300800  # seconds since the epoch


Refused = RunRefused  # its name here before errors.py held every exception


def refusal(run: Mapping[str, Any], children: Mapping[str, Sequence[Mapping[str, Any]]],
            key_names: Mapping[Any, Any]) -> str | None:
    """Why this ended run cannot be imported, or None when every row keeps the rules.

    run is its runs row plus its experiment name, children its rows in each per-run
    table by table name, key_names the source's metric key pk -> name.
    """
    try:
        _check_run(run)
        for table, check in _CHECKS.items():
            for row in children.get(table, ()):
                check(row, key_names)
        _check_same_sizes(children.get("artifacts", ()))
    except RunRefused as exc:
        return str(exc)
    except RecursionError:
        return "a value nests too deeply to check"
    return None


def _check_run(run: Mapping[str, Any]) -> None:
    run_id = run.get("id")
    if not (isinstance(run_id, str) and len(run_id) == 26 and set(run_id) <= _CROCKFORD):
        raise RunRefused(f"runs.id {_shown(run_id)} is no run id (26 Crockford base-32 characters)")
    if run.get("status") not in _ENDED:
        raise RunRefused(f"runs.status {_shown(run.get('status'))} is not one of {', '.join(sorted(_ENDED))}")
    _text("experiment", run.get("experiment"), _MAX_NAME, empty=False)
    _text("runs.name", run.get("name"), _MAX_NAME, none=True)
    for column in ("started_at", "heartbeat_at"):
        _time(f"runs.{column}", run.get(column))
    _time("runs.ended_at", run.get("ended_at"), none=True)
    _time("runs.archived_at", run.get("archived_at"), none=True)
    _text("runs.note", run.get("note"), MAX_NOTE, none=True)
    _text("runs.notebook_path", run.get("notebook_path"), 4096, none=True)
    sha = run.get("notebook_sha256")
    if sha not in (None, "") and not is_sha256(sha):
        raise RunRefused(f"runs.notebook_sha256 {_shown(sha)} is no sha256 (64 lowercase hex digits)")
    _integer("runs.error_cell", run.get("error_cell"), none=True)
    for column in ("error_name", "error_value"):
        _text(f"runs.{column}", run.get(column), None, none=True)
    _check_digest(run.get("digest"))


def _check_digest(text: object) -> None:
    if text is None:
        return
    if not isinstance(text, str):
        raise RunRefused(f"runs.digest is {type(text).__name__}, not JSON text")
    try:
        params, last = digest.read(text)
        flat = digest.summaries(text)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunRefused(f"runs.digest does not parse ({exc})") from None
    if not (isinstance(params, dict) and isinstance(last, dict) and isinstance(flat, list)
            and len(flat) == 4 * len(last)):
        raise RunRefused("runs.digest is not the params, metrics and summaries document a writer stores")


def _param(row: Mapping[str, Any], _keys: Mapping[Any, Any]) -> None:
    key = _text("params.key", row.get("key"), _MAX_KEY, empty=False)
    _json(f"params {key!r} value", row.get("value"))
    _number(f"params {key!r} num", row.get("num"), none=True, finite=False)
    _text(f"params {key!r} text", row.get("text"), None, none=True)


def _tag(row: Mapping[str, Any], _keys: Mapping[Any, Any]) -> None:
    key = _text("tags.key", row.get("key"), _MAX_KEY, empty=False)
    _text(f"tags {key!r} value", row.get("value"), None)


def _artifact(row: Mapping[str, Any], _keys: Mapping[Any, Any]) -> None:
    try:
        name = check_artifact_name(row.get("name"))
    except InvalidArtifactName:
        shown = _shown(row.get("name"))
        raise RunRefused(f"artifacts.name {shown} is not an allowed artifact name") from None
    if not is_sha256(row.get("sha256")):
        raise RunRefused(f"artifact {name!r} sha256 {_shown(row.get('sha256'))} is no sha256 "
                         "(64 lowercase hex digits)")
    size = _integer(f"artifact {name!r} size", row.get("size"))
    if size < 0:
        raise RunRefused(f"artifact {name!r} size {size} is negative")
    _text(f"artifact {name!r} media_type", row.get("media_type"), 100)
    _time(f"artifact {name!r} created_at", row.get("created_at"))


def _check_same_sizes(rows: Sequence[Mapping[str, Any]]) -> None:
    sizes: dict[str, int] = {}
    for row in rows:
        if sizes.setdefault(row["sha256"], row["size"]) != row["size"]:
            raise RunRefused(f"two artifacts of blob {row['sha256']} record different sizes")


def _record(row: Mapping[str, Any], _keys: Mapping[Any, Any]) -> None:
    kind = _text("records.kind", row.get("kind"), 50, empty=False)
    name = _text("records.name", row.get("name"), _MAX_KEY, empty=False)
    if not isinstance(_json(f"record {kind}/{name} body", row.get("body")), dict):
        raise RunRefused(f"record {kind}/{name} body is not a JSON object")
    _time(f"record {kind}/{name} created_at", row.get("created_at"))


def _cell(row: Mapping[str, Any], _keys: Mapping[Any, Any]) -> None:
    idx = _integer("cells.idx", row.get("idx"))
    _number(f"cell {idx} wall_s", row.get("wall_s"))
    _number(f"cell {idx} cpu_s", row.get("cpu_s"), none=True)
    _integer(f"cell {idx} rss_peak", row.get("rss_peak"), none=True)
    _integer(f"cell {idx} rss_delta", row.get("rss_delta"), none=True)
    _text(f"cell {idx} status", row.get("status"), 16)


def _summary(row: Mapping[str, Any], keys: Mapping[Any, Any]) -> None:
    key = _key(row, keys, "metric_summaries")
    for column in ("last", "min", "max"):
        _number(f"metric {key!r} {column}", row.get(column), none=True, finite=False)
    _integer(f"metric {key!r} step", row.get("step"))
    if _integer(f"metric {key!r} count", row.get("count")) < 0:
        raise RunRefused(f"metric {key!r} count is negative")


def _chunk(row: Mapping[str, Any], keys: Mapping[Any, Any]) -> None:
    key = _key(row, keys, "metric_chunks")
    first = _integer(f"metric {key!r} chunk first_step", row.get("first_step"))
    last = _integer(f"metric {key!r} chunk last_step", row.get("last_step"))
    count = _integer(f"metric {key!r} chunk count", row.get("count"))
    packed = [row.get("steps"), row.get("values"), row.get("stamps")]
    where = f"metric {key!r} chunk at step {first}"
    if not all(isinstance(column, bytes) for column in packed) or not 1 <= count <= 1 << 20:
        raise RunRefused(f"{where} is not three packed arrays of 1 to {1 << 20} points")
    if len(packed[1]) != 8 * count or len(packed[2]) != 8 * count or len(packed[0]) not in (0, 8 * count):
        raise RunRefused(f"{where} has arrays of the wrong length for {count} points")
    steps, _values, _stamps = chunks.unpack(first, *packed)
    if steps[0] != first or steps[-1] != last or any(a >= b for a, b in pairwise(steps)):
        raise RunRefused(f"{where} has steps that do not rise strictly from first_step to last_step")


_CHECKS = {"params": _param, "tags": _tag, "artifacts": _artifact, "records": _record, "cells": _cell,
           "metric_summaries": _summary, "metric_chunks": _chunk}


def _key(row: Mapping[str, Any], keys: Mapping[Any, Any], table: str) -> str:
    name = keys.get(row.get("key_pk"))
    what = f"{table}.key_pk {_shown(row.get('key_pk'))} names no metric key;"
    return _text(what, name, _MAX_KEY, empty=False)


def _text(what: str, value: object, limit: int | None, *, none: bool = False, empty: bool = True) -> Any:
    if value is None and none:
        return None
    if not isinstance(value, str) or (not empty and not value) or (limit is not None and len(value) > limit) \
            or "\x00" in value:
        bound = f" of at most {limit} characters" if limit is not None else ""
        raise RunRefused(f"{what} {_shown(value)} is not {'non-empty ' if not empty else ''}text{bound}")
    return value


def _number(what: str, value: object, *, none: bool = False, finite: bool = True) -> None:
    if value is None and none:
        return
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (finite and not math.isfinite(value))):
        raise RunRefused(f"{what} {_shown(value)} is not a {'finite ' if finite else ''}number")


def _time(what: str, value: object, *, none: bool = False) -> None:
    """Seconds since the epoch that a date can show: 1970 to 9999."""
    _number(what, value, none=none)
    if value is not None and not 0 <= value < _YEAR_10000:  # type: ignore[operator]
        raise RunRefused(f"{what} {_shown(value)} is no time between 1970 and 9999")


def _integer(what: str, value: object, *, none: bool = False) -> Any:
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -(1 << 63) <= value < 1 << 63:
        raise RunRefused(f"{what} {_shown(value)} is not a 64-bit integer")
    return value


def _json(what: str, value: object) -> Any:
    if not isinstance(value, str):
        raise RunRefused(f"{what} is {type(value).__name__}, not JSON text")
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise RunRefused(f"{what} is not JSON ({exc})") from None
    if _depth(parsed) > _MAX_JSON_DEPTH:
        raise RunRefused(f"{what} nests deeper than {_MAX_JSON_DEPTH} levels")
    return parsed


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
