"""Content-addressed artifact bytes on any fsspec filesystem."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import stat
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from nbtrack.errors import IntegrityError, StorageError

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
TEMP_DIR = "tmp"


def _local_root(url: str) -> str:
    """The root fsspec.core.url_to_fs gives a local folder, without importing fsspec."""
    return os.path.abspath(os.path.expanduser(url)).replace(os.sep, "/").rstrip("/") or "/"


def is_sha256(value: object) -> bool:
    """Whether value is a lowercase hex sha256, the only thing a blob path is built from."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


class Blobs:
    """Bytes stored once under their sha256: objects/ab/<the other 62 hex digits>."""

    def __init__(self, url: str, *, fs: Any = None) -> None:
        if fs is None and "://" not in url and "::" not in url:
            # A local folder: fsspec (~0.08 s to import) loads only if self.fs is used.
            self._fs = None
            self.root = _local_root(url)
            self.is_local = True
            return
        if fs is None:
            import fsspec

            fs, root = fsspec.core.url_to_fs(url)
        else:
            root = url
        from fsspec.implementations.local import LocalFileSystem

        self._fs = fs
        self.root = root.rstrip("/")
        self.is_local = isinstance(fs, LocalFileSystem)

    @property
    def fs(self) -> Any:
        if self._fs is None:
            from fsspec.implementations.local import LocalFileSystem

            self._fs = LocalFileSystem()
        return self._fs

    def path(self, sha256: str) -> str:
        """Where the blob with this sha256 lives; refuses anything but a sha256."""
        if not is_sha256(sha256):
            raise IntegrityError(f"{sha256!r} is not a sha256; blobs are addressed by sha256 only")
        return f"{self.root}/{sha256[:2]}/{sha256[2:]}"

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store bytes; returns their sha256 and size."""
        sha256 = hashlib.sha256(data).hexdigest()
        if not self._keep_existing(sha256):
            if self.is_local:
                self._put_local(iter([data]), sha256)
            else:
                with self._storage_errors():
                    self.fs.pipe_file(self.path(sha256), data)  # one PUT: atomic on object stores
        return sha256, len(data)

    def put_file(self, source: str | os.PathLike[str]) -> tuple[str, int]:
        """Store a local file's bytes, hashing while copying; returns sha256 and size."""
        if not self.is_local:
            digest, size = _hash_file(source)
            if not self._keep_existing(digest):
                with self._storage_errors():
                    self.fs.put_file(os.fspath(source), self.path(digest))
            return digest, size
        with open(source, "rb") as f:
            return self._put_local(iter(lambda: f.read(_CHUNK), b""), None)

    def put_stream(self, chunks: Iterable[bytes], sha256: str) -> None:
        """Store bytes that must hash to sha256 (a copy from another store); kept only if they do."""
        if self._keep_existing(sha256):
            return
        if self.is_local:
            self._put_local(iter(chunks), sha256)
            return
        data = b"".join(chunks)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IntegrityError(f"bytes meant for blob {sha256} do not hash to it; "
                                 "nothing was stored: copy them again from a sound source")
        with self._storage_errors():
            self.fs.pipe_file(self.path(sha256), data)

    def _put_local(self, chunks: Iterator[bytes], sha256: str | None) -> tuple[str, int]:
        temp_dir = Path(self.root) / TEMP_DIR
        temp = temp_dir / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        with self._storage_errors():
            try:
                temp_dir.mkdir(parents=True, exist_ok=True)
                with open(temp, "wb") as out:
                    # Held while writing: gc removes a temp file only when it can take this lock,
                    # that is when its writer has died.
                    fcntl.flock(out.fileno(), fcntl.LOCK_EX)
                    for chunk in chunks:
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                    if sha256 is not None and digest.hexdigest() != sha256:
                        raise IntegrityError(f"bytes meant for blob {sha256} hash to {digest.hexdigest()}; "
                                             "nothing was stored: copy them again from a sound source")
                    sha256 = sha256 or digest.hexdigest()
                    final = Path(self.path(sha256))
                    final.parent.mkdir(parents=True, exist_ok=True)
                    # Rename last: readers never see half a blob. Over an existing copy
                    # (a concurrent writer of the same bytes) it swaps in identical bytes.
                    os.replace(temp, final)
                    _fsync_dir(final.parent)
            finally:
                temp.unlink(missing_ok=True)
        return sha256, size

    def _keep_existing(self, sha256: str) -> bool:
        """Whether the blob is already stored; if so, mark it fresh so gc's grace period covers it.

        A writer that finds its bytes already stored adds the row that references them a
        moment later; the new mtime keeps gc from deleting them in between.
        """
        if not self.is_local:
            return bool(self.fs.exists(self.path(sha256)))
        try:
            os.utime(self.path(sha256))
        except FileNotFoundError:
            return False
        except OSError:
            return True  # a read-only store: the blob exists, keep it as it is
        return True

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise StorageError.from_os_error(exc, self.root) from exc

    def exists(self, sha256: str) -> bool:
        return bool(self.fs.exists(self.path(sha256)))

    def read(self, sha256: str) -> bytes:
        """The blob's bytes, verified against its sha256 before they are returned."""
        with self.fs.open(self.path(sha256), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IntegrityError(
                f"blob {sha256} is corrupt (its bytes no longer match); "
                "run nbtrack fsck to list the runs it affects"
            )
        return data

    def stream(self, sha256: str, size: int) -> Iterator[bytes]:
        """The blob's bytes in chunks, for copying out of a store that may be hostile.

        A local blob is opened without following a link (neither the file nor its
        ab/ folder) and must be a regular file; every blob must hold exactly size bytes
        (one more is read at most) and hash to sha256, checked while streaming;
        IntegrityError after the last chunk otherwise: a writer keeps nothing it got.
        """
        opened = self._open_local(sha256) if self.is_local else self.fs.open(self.path(sha256), "rb")
        digest, read = hashlib.sha256(), 0
        with opened as f:
            while read <= size:
                chunk = f.read(min(_CHUNK, size + 1 - read))  # one byte past size tells a longer blob
                if not chunk:
                    break
                read += len(chunk)
                digest.update(chunk)
                if read > size:
                    break
                yield chunk
        if read != size:
            held = f"more than {size}" if read > size else str(read)
            raise IntegrityError(f"blob {sha256} in {self.root} holds {held} bytes where its artifact row "
                                 f"records {size}; run nbtrack fsck on that store to list the runs it "
                                 "affects")
        if digest.hexdigest() != sha256:
            raise IntegrityError(f"blob {sha256} in {self.root} is corrupt (its bytes do not match its "
                                 "sha256); run nbtrack fsck on that store to list the runs it affects")

    def _open_local(self, sha256: str) -> IO[bytes]:
        """A local blob opened without following links, refused unless it is a regular file."""
        head, tail = self.path(sha256).rsplit("/", 2)[-2:]
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            folder = os.open(f"{self.root}/{head}", flags | os.O_DIRECTORY)
            try:
                fd = os.open(tail, flags, dir_fd=folder)  # O_NONBLOCK: a FIFO opens at once, and is refused
            finally:
                os.close(folder)
        except FileNotFoundError:
            raise IntegrityError(f"blob {sha256} is missing from {self.root}; "
                                 "run nbtrack fsck on that store to list the runs it affects") from None
        except OSError as exc:  # ELOOP: a link where a folder or file should be
            raise IntegrityError(f"blob {sha256} in {self.root} cannot be opened as a file "
                                 f"({exc.strerror}); a blob must be a regular file, never a link") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise IntegrityError(f"blob {sha256} in {self.root} is not a regular file; "
                                 "a blob must be a regular file, never a link, device, FIFO or folder")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")

    def open(self, sha256: str) -> IO[bytes]:
        """An unverified reader; call verify() first where bad bytes must not escape."""
        return self.fs.open(self.path(sha256), "rb")

    def verify(self, sha256: str) -> bool:
        """Whether the blob exists and its bytes still hash to its name."""
        try:
            with self.fs.open(self.path(sha256), "rb") as f:
                digest = hashlib.sha256()
                for chunk in iter(lambda: f.read(_CHUNK), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return False
        return digest.hexdigest() == sha256

    def delete(self, sha256: str) -> None:
        self.fs.rm_file(self.path(sha256))

    def list(self) -> Iterator[str]:
        """Every stored sha256 (skipping anything that is not a blob)."""
        try:
            entries = self.fs.find(self.root)
        except FileNotFoundError:
            return
        for entry in entries:
            parts = entry.rstrip("/").rsplit("/", 2)
            if len(parts) == 3 and is_sha256(parts[1] + parts[2]):
                yield parts[1] + parts[2]

    def temp_files(self) -> list[str]:
        """Leftovers of writes a crash interrupted."""
        temp_dir = f"{self.root}/{TEMP_DIR}"
        try:
            return [p for p in self.fs.ls(temp_dir, detail=False)]
        except FileNotFoundError:
            return []

    def remove_abandoned_temp_files(self) -> list[str]:
        """Delete the temp files no live writer holds (local folders; object stores have none)."""
        removed = []
        if not self.is_local:
            return removed
        for path in self.temp_files():
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    continue  # a writer is still at work on it
                raise
            else:
                os.unlink(path)
                removed.append(path)
            finally:
                os.close(fd)
        return removed

    @staticmethod
    def modified_at(info: dict[str, Any]) -> float:
        """When a blob was last written or re-used (seconds since the epoch), from its fs.info()."""
        value = info.get("mtime") or info.get("LastModified") or info.get("last_modified")
        if value is None:
            return time.time()
        return value.timestamp() if hasattr(value, "timestamp") else float(value)


def _hash_file(source: str | os.PathLike[str]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the rename is still atomic
    finally:
        os.close(fd)

