"""One exception tree for nbtrack; every message names the problem and the fix.

NbtrackError
├── UsageError          bad input from a user: a message to show, never a traceback
│   ├── ParameterError      a notebook parameter that is undeclared or does not parse
│   ├── QueryError          a filter or order expression that does not parse
│   ├── StoreUriError       a store location that is not a store or not usable
│   │   └── UnsafeArchive       an archive to import holds a link, an escaping name, or too much
│   ├── StoreReadOnly       a write to a store opened read-only (by request, or not writable)
│   ├── ConfigError         a setting in nbtrack.toml, [tool.nbtrack] or NBTRACK_* that is not valid
│   ├── NotebookNotFound    a notebook path that does not exist
│   ├── InvalidNotebook     a file that is not a valid notebook
│   ├── InvalidArtifactName an artifact name that could escape or confuse
│   └── InputTooLarge       a value, body or path past its size or depth bound
├── NotFound            (also LookupError) a reference to nothing
│   ├── RunNotFound         no run, or an ambiguous prefix
│   ├── ArtifactNotFound    a run has no artifact of that name
│   └── ModelNotFound       no registered model or version
├── RunEnded            a write to a run that has ended
├── IntegrityError      stored bytes no longer match their sha256
├── StorageError        the disk or object store refused a write (full, quota, I/O); nothing was kept
└── ExecutionFailed     a notebook did not finish; carries run id, status, cell, error name and value
"""

from __future__ import annotations


class NbtrackError(Exception):
    """Base of every error nbtrack raises on purpose."""


class UsageError(NbtrackError):
    """Bad input from a user."""


class ParameterError(UsageError):
    """A notebook parameter that is undeclared or does not parse."""


class QueryError(UsageError):
    """A filter or order expression that does not parse."""


class StoreUriError(UsageError):
    """A store location that is not a store or not usable."""


class UnsafeArchive(StoreUriError):
    """An archive member that is no plain file or folder, would land outside, or exceeds the bounds."""


class StoreReadOnly(UsageError):
    """A write to a store opened read-only, by request or because its files are not writable."""


class ConfigError(UsageError):
    """A setting in nbtrack.toml, [tool.nbtrack] of pyproject.toml, or an NBTRACK_* variable that is not valid."""


class NotebookNotFound(UsageError):
    """A notebook path that does not exist."""


class InvalidNotebook(UsageError):
    """A file that is not a valid Jupyter notebook."""


class InvalidArtifactName(UsageError):
    """An artifact name that could escape the store or confuse a reader."""


class InputTooLarge(UsageError):
    """A param or tag value, request body or path past its size or depth bound."""


class NotFound(NbtrackError, LookupError):
    """A reference to something that does not exist."""


class RunNotFound(NotFound):
    """No run matches, or a prefix matches several."""


class ArtifactNotFound(NotFound):
    """A run has no artifact of that name."""


class ModelNotFound(NotFound):
    """No registered model, version or alias of that name."""


class RunEnded(NbtrackError):
    """A write to a run that has already ended."""

    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(
            f"run {run_id} is {status} and cannot change; "
            "start a new run with nbtrack.start_run()"
        )
        self.run_id = run_id
        self.status = status


class IntegrityError(NbtrackError):
    """Stored bytes no longer match the sha256 they were stored under."""


class StorageError(NbtrackError):
    """The disk or object store refused a write; the write was rolled back, earlier data is intact."""

    @classmethod
    def from_os_error(cls, exc: BaseException, where: str) -> StorageError:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return cls(
            f"could not write to the store at {where} ({reason}); nothing from this write was kept "
            "and earlier data is intact: free space or raise the quota, then try again"
        )


class ExecutionFailed(NbtrackError):
    """A headless execution did not finish: a cell raised, timed out, or the kernel died."""

    def __init__(self, run_id: str, status: str, cell: int | None, ename: str, evalue: str) -> None:
        where = f"in cell {cell}" if cell is not None else "before any cell ran"
        super().__init__(
            f"run {run_id} ended {status} {where}: {ename}: {evalue}".rstrip(": ")
            + f"; see the executed notebook with nbtrack show {run_id}"
        )
        self.run_id = run_id
        self.status = status
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
