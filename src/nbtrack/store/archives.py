"""Extracting a store archive (.tar or .zip) without trusting the archive or the running tarfile.

Python's own guards have been bypassed (tarfile's "data" filter on Python 3.11.7,
CVE-2025-4517: chained symlinks whose resolved path exceeds PATH_MAX), so nothing
here relies on them: only regular files and folders are accepted, each name is
checked as text (relative, no `..`, no empty part), every file is created anew
with O_EXCL | O_NOFOLLOW and its bytes copied here with a running count, and the
whole archive is bounded in bytes and members.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from nbtrack.errors import StoreUriError, UnsafeArchive, UsageError

MAX_BYTES_ENV = "NBTRACK_IMPORT_MAX_BYTES"
MAX_MEMBERS_ENV = "NBTRACK_IMPORT_MAX_MEMBERS"
DEFAULT_MAX_BYTES = 10 * 1024**3  # 10 GiB
DEFAULT_MAX_MEMBERS = 1_000_000
_CHUNK = 1 << 20


def extract_archive(archive: Path, folder: Path, *, max_bytes: int | None = None,
                    max_members: int | None = None) -> Path:
    """Extract a .tar or .zip into folder (new and private: the caller owns and removes it).

    Refuses, before writing it, a member that is a link, device or FIFO, a name that
    is absolute or holds `..`, a second member of one name, and more than max_bytes
    (NBTRACK_IMPORT_MAX_BYTES, default 10 GiB) or max_members
    (NBTRACK_IMPORT_MAX_MEMBERS, default 1,000,000) in all.
    """
    folder = folder.resolve()
    budget = _Budget(archive, _bound(max_bytes, MAX_BYTES_ENV, DEFAULT_MAX_BYTES),
                     _bound(max_members, MAX_MEMBERS_ENV, DEFAULT_MAX_MEMBERS))
    members = _zip_members if archive.name.lower().endswith(".zip") else _tar_members
    try:
        for name, is_dir, reader in members(archive):
            budget.count_member()
            parts = _parts(name, archive)
            if not parts:
                continue  # the archive's root folder itself
            if is_dir:
                _make_folders(folder, parts, archive)
            else:
                _make_folders(folder, parts[:-1], archive)
                with reader() as source:
                    _write_file(folder, parts, source, budget, archive)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise StoreUriError(f"archive {archive} cannot be read ({exc}); "
                            "pass a .tar or .zip of a store") from None
    return folder


class _Budget:
    """The bytes and members an archive may still use; refuses the archive past either."""

    def __init__(self, archive: Path, max_bytes: int, max_members: int) -> None:
        self.archive, self.bytes_left, self.members_left = archive, max_bytes, max_members
        self.max_bytes, self.max_members = max_bytes, max_members

    def count_member(self) -> None:
        self.members_left -= 1
        if self.members_left < 0:
            raise UnsafeArchive(
                f"archive {self.archive} holds more than {self.max_members} members; nothing was imported: "
                f"archive one store folder, or raise {MAX_MEMBERS_ENV}")

    def take(self, size: int) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise UnsafeArchive(
                f"archive {self.archive} expands to more than {self.max_bytes} bytes; nothing was imported: "
                f"archive one store folder, or raise {MAX_BYTES_ENV}")


def _bound(given: int | None, env: str, default: int) -> int:
    if given is not None:
        return given
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 1:
        raise UsageError(f"{env} must be a whole number >= 1. Got {raw!r} instead.")
    return value


def _tar_members(archive: Path) -> Iterator[tuple[str, bool, object]]:
    # A stream ("r|*") reads each header once, in order, and keeps no index of the members.
    with open(archive, "rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tf:
        for member in tf:
            if not (member.isreg() or member.isdir()):
                raise _not_plain(archive, member.name, _TAR_KINDS.get(member.type, "special file"))
            yield member.name, member.isdir(), (lambda m=member: tf.extractfile(m))  # type: ignore[misc]
            tf.members = []  # a stream needs none of them again: memory stays flat over many members


_TAR_KINDS = {tarfile.SYMTYPE: "symbolic link", tarfile.LNKTYPE: "hard link", tarfile.CHRTYPE: "device",
              tarfile.BLKTYPE: "device", tarfile.FIFOTYPE: "FIFO"}


def _zip_members(archive: Path) -> Iterator[tuple[str, bool, object]]:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            kind = stat.S_IFMT(info.external_attr >> 16)
            if info.is_dir():
                if kind not in (0, stat.S_IFDIR):
                    raise _not_plain(archive, info.filename, "special file")
                yield info.filename, True, None
            elif kind in (0, stat.S_IFREG):
                yield info.filename, False, (lambda i=info: zf.open(i))  # type: ignore[misc]
            else:
                raise _not_plain(archive, info.filename,
                                 "symbolic link" if kind == stat.S_IFLNK else "special file")


def _not_plain(archive: Path, name: str, kind: str) -> UnsafeArchive:
    return UnsafeArchive(f"archive {archive} holds a {kind} {name!r}; nothing was imported: "
                         "archive the store's files and folders only")


def _parts(name: str, archive: Path) -> list[str]:
    """A member name as path parts, refused when it could land outside the folder."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if (text.startswith("/") or "\x00" in text or ".." in parts or (len(text) > 1 and text[1] == ":")
            or len(text) > 4096):
        raise UnsafeArchive(
            f"archive {archive} has a member {name!r} that would land outside the folder it is "
            "extracted to; nothing was imported")
    return parts


def _make_folders(folder: Path, parts: list[str], archive: Path) -> None:
    here = folder
    for part in parts:
        here = here / part
        try:
            os.mkdir(here, 0o700)
        except FileExistsError:
            # Only folders this extraction made can be here: never a link (none is ever made).
            if not stat.S_ISDIR(os.lstat(here).st_mode):
                raise UnsafeArchive(f"archive {archive} holds {part!r} as a file and as a folder; "
                                    "nothing was imported: archive one store folder") from None


def _write_file(folder: Path, parts: list[str], source: IO[bytes], budget: _Budget, archive: Path) -> None:
    path = folder.joinpath(*parts)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise UnsafeArchive(f"archive {archive} holds {'/'.join(parts)!r} twice; nothing was imported: "
                            "archive one store folder") from None
    with os.fdopen(fd, "wb") as out:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            budget.take(len(chunk))  # counted before written: a bomb stops at the bound
            out.write(chunk)
