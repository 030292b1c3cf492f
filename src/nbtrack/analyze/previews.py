"""A look inside a run's artifact without downloading it: a table's head, a text's start; bounded reads only.

Previews read at most READ_BYTES of a blob (a Parquet file: its footer and the first row
group's columns shown), never the whole file, so the bytes are not verified against the
sha256 as a download's are: a preview shows, it does not hand bytes on.
"""

from __future__ import annotations

import io
import struct
from typing import Any

from nbtrack.errors import ArtifactNotFound, IntegrityError, UsageError

MAX_ROWS = 50
MAX_COLUMNS = 50
MAX_CELL = 200  # characters of one cell, of one column name
TEXT_BYTES = 64 * 1024
READ_BYTES = 1024 * 1024  # of a CSV: enough for 50 rows of ordinary width
MAX_PARQUET_FOOTER = 8 * 1024 * 1024
MAX_ROW_GROUP_BYTES = 64 * 1024 * 1024  # what one Parquet column set of the first row group may take
_PARQUET_TYPES = {"application/vnd.apache.parquet", "application/x-parquet", "application/parquet"}
_JSON_TYPES = {"application/json", "application/x-ipynb+json", "application/ld+json", "application/geo+json"}
_CSV_TYPES = {"text/csv", "text/tab-separated-values", "application/csv"}


def preview_kind(name: str, media_type: str) -> str:
    """csv, parquet, json, text or image, by media type then by the name's extension; "" for none."""
    media = (media_type or "").split(";")[0].strip().lower()
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if media in _CSV_TYPES or suffix in ("csv", "tsv"):
        return "csv"
    if media in _PARQUET_TYPES or suffix in ("parquet", "pq"):
        return "parquet"
    if media in _JSON_TYPES or media.endswith("+json") or suffix in ("json", "ipynb", "jsonl"):
        return "json"
    if media.startswith("image/"):
        return "image"
    if media.startswith("text/") or suffix in ("txt", "md", "log", "yaml", "yml", "toml", "py", "cfg", "ini"):
        return "text"
    return ""


def preview_artifact(store: Any, run_ref: str, name: str) -> dict[str, Any]:
    """{"name", "media_type", "size", "kind", ...}: a table's "columns" and "rows", a text's "text"."""
    from nbtrack.store.blobs import is_sha256

    run_id = store.resolve(run_ref)
    artifact = store.artifact(run_id, name)
    if not is_sha256(artifact.sha256):
        raise ArtifactNotFound(f"artifact {name!r} of run {run_id} has no valid sha256; run nbtrack fsck")
    kind = preview_kind(name, artifact.media_type)
    found: dict[str, Any] = {"name": name, "media_type": artifact.media_type, "size": artifact.size, "kind": kind}
    if kind == "image":
        return found  # the artifact route serves images as they are
    if not kind:
        raise UsageError(f"artifact {name!r} is {artifact.media_type or 'of no known type'}; previews cover CSV, "
                         "Parquet, JSON, text and images: download it from GET /nbtrack/api/runs/<id>/artifacts/<name>")
    try:
        with store.blobs.open(artifact.sha256) as blob:
            if kind == "parquet":
                found.update(_parquet(blob, artifact.size, name))
            else:
                head = blob.read((READ_BYTES if kind == "csv" else TEXT_BYTES) + 1)
                found.update(_csv(head, name, "\t" if name.lower().endswith(".tsv") else ",") if kind == "csv"
                             else _text(head))
    except OSError as exc:  # the blob is gone or unreadable: the store's problem, said as the raw route says it
        raise IntegrityError(f"blob {artifact.sha256} of artifact {name!r} cannot be read ({exc.strerror or exc}); "
                             "run nbtrack fsck to list the runs it affects") from None
    return found


def _text(head: bytes) -> dict[str, Any]:
    truncated = len(head) > TEXT_BYTES
    text = head[:TEXT_BYTES].decode("utf-8", errors="replace")
    if truncated and text.endswith("\ufffd"):
        text = text[:-1]  # a character cut in two by the bound, not a bad byte
    return {"text": text, "truncated": truncated}


def _csv(head: bytes, name: str, sep: str) -> dict[str, Any]:
    import pandas as pd

    truncated = len(head) > READ_BYTES
    if truncated:
        cut = head[:READ_BYTES].rfind(b"\n")
        if cut < 0:
            raise UsageError(f"artifact {name!r} has no line end in its first {READ_BYTES // 1024} KiB, so no "
                             "head to show; download it instead")
        head = head[:cut + 1]
    try:
        frame = pd.read_csv(io.BytesIO(head), sep=sep, nrows=MAX_ROWS, dtype=str, keep_default_na=False,
                            encoding="utf-8", encoding_errors="replace", on_bad_lines="error")
    except pd.errors.EmptyDataError:
        return {"columns": [], "total_columns": 0, "rows": [], "total_rows": 0, "more_rows": False, "truncated": False}
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"artifact {name!r} is not readable as CSV ({first}); download it instead") from None
    return _table(frame, total_rows=None, more_rows=truncated or len(frame) == MAX_ROWS)


def _parquet(blob: Any, size: int, name: str) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if size < 12:
        raise UsageError(f"artifact {name!r} is too short to be Parquet ({size} bytes); download it instead")
    blob.seek(size - 8)
    tail = blob.read(8)
    footer = struct.unpack("<I", tail[:4])[0] if len(tail) == 8 else 0
    if tail[4:] != b"PAR1" or footer > min(MAX_PARQUET_FOOTER, size - 12):
        raise UsageError(f"artifact {name!r} is not a Parquet file (no valid footer); download it instead")
    blob.seek(0)
    try:
        parquet = pq.ParquetFile(blob)
        schema = parquet.schema_arrow
        columns = list(schema.names)[:MAX_COLUMNS]
        total_rows = parquet.metadata.num_rows
        if parquet.metadata.num_row_groups == 0 or total_rows == 0:
            frame = schema.empty_table().select(columns).to_pandas()
        else:
            group = parquet.metadata.row_group(0)
            wanted = set(columns)
            need = sum(group.column(i).total_compressed_size for i in range(group.num_columns)
                       if group.column(i).path_in_schema.split(".")[0] in wanted)
            if need > MAX_ROW_GROUP_BYTES:
                raise UsageError(f"artifact {name!r}'s first row group holds {need // 2**20} MiB in its first "
                                 f"{len(columns)} columns, more than a preview reads; download it instead")
            batch = next(parquet.iter_batches(batch_size=MAX_ROWS, columns=columns), None)
            frame = (pa.Table.from_batches([batch]) if batch is not None
                     else schema.empty_table().select(columns)).to_pandas()
    except (pa.ArrowException, OSError, ValueError, IndexError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"artifact {name!r} is not readable as Parquet ({first}); download it instead") from None
    table = _table(frame.head(MAX_ROWS), total_rows=total_rows, more_rows=total_rows > MAX_ROWS)
    table["total_columns"] = len(schema.names)
    table["truncated"] = table["truncated"] or len(schema.names) > MAX_COLUMNS
    return table


def _table(frame: Any, *, total_rows: int | None, more_rows: bool) -> dict[str, Any]:
    """The head as text cells; more_rows: the file may hold rows past those shown (a CSV's row
    count is unknown past what was read); truncated: rows or columns were left out."""
    from nbtrack import formatting

    total_columns = frame.shape[1]
    frame = frame.iloc[:MAX_ROWS, :MAX_COLUMNS]
    columns = [_bounded(str(c)) for c in frame.columns]
    rows = [[_bounded(v if isinstance(v, str) else formatting.value(_plain(v))) for v in row]
            for row in frame.itertuples(index=False, name=None)]
    return {"columns": columns, "total_columns": total_columns, "rows": rows, "total_rows": total_rows,
            "more_rows": more_rows, "truncated": more_rows or total_columns > MAX_COLUMNS}


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, missing values as None, anything else as its text."""
    import pandas as pd

    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        try:
            return value.item()
        except (TypeError, ValueError):
            return str(value)
    return value if isinstance(value, (bool, int, float)) else str(value)


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "\u2026"
