"""One exception tree for nbtrack; every message names the problem and the fix.

Every exception class nbtrack defines lives here, so the tree below is all of them; the
modules that raise one import it from here (and their old names still import).

NbtrackError
├── UsageError          bad input from a user: a message to show, never a traceback
│   ├── ParameterError      a notebook parameter that is undeclared or does not parse
│   ├── QueryError          a filter or order expression that does not parse
│   ├── ConditionError      a gate or alert condition that does not parse or names an unknown field
│   ├── StoreUriError       a store location that is not a store or not usable
│   │   └── UnsafeArchive       an archive to import holds a link, an escaping name, or too much
│   ├── StoreReadOnly       a write to a store opened read-only (by request, or not writable)
│   ├── ConfigError         a setting in nbtrack.toml, [tool.nbtrack] or NBTRACK_* that is not valid
│   │   └── AlertConfigError    an alert rule or the alert configuration that is not valid
│   ├── NotebookNotFound    a notebook path that does not exist
│   ├── InvalidNotebook     a file that is not a valid notebook
│   ├── InvalidArtifactName an artifact name that could escape or confuse
│   ├── InputTooLarge       a value, body or path past its size or depth bound
│   ├── AliasConflict       a model alias someone else moved between reading and moving it
│   └── UntrustedModel      a model file whose loading could run code, loaded without trusted=True
├── NotFound            (also LookupError) a reference to nothing
│   ├── RunNotFound         no run, or an ambiguous prefix
│   ├── ArtifactNotFound    a run has no artifact of that name
│   ├── ModelNotFound       no registered model or version
│   ├── ViewNotFound        no saved view of that name
│   ├── ExecutionNotFound   (server) no execution of that id
│   ├── NotebookNotUnderRoot (server) no notebook at that path inside the server root
│   └── HiddenNotebook      (server) a notebook under a hidden file or folder
├── RunEnded            a write to a run that has ended
├── RunRefused          a run of another store breaks a rule: an import skips it and says why
├── IntegrityError      stored bytes no longer match their sha256
├── StorageError        the disk or object store refused a write (full, quota, I/O); nothing was kept
├── ExecutionFailed     a notebook did not finish; carries run id, status, cell, error name and value
├── KernelStartFailed   (also RuntimeError) a kernel did not become ready after every attempt
├── SweepInterrupted    Ctrl-C or SIGTERM stopped a sweep; carries the runs stored
└── SweepIncomplete     executions of a sweep ended without a run in the store

RunRefused never leaves an import: store/validation.py raises it for a row that breaks a
rule and turns it into the reason refusal() returns, store/transfer.py raises it for a
refused run and records it in the ImportReport. No private exception class remains.
"""

from __future__ import annotations

from typing import Any


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


class ConditionError(UsageError):
    """A condition that does not parse or names an unknown field."""


class AlertConfigError(ConfigError):
    """An alert rule or the alert configuration is not valid."""


class AliasConflict(UsageError):
    """An alias moved by someone else between reading it and moving it."""


class UntrustedModel(UsageError):
    """A model file whose loading could run arbitrary code."""


class NotFound(NbtrackError, LookupError):
    """A reference to something that does not exist."""


class RunNotFound(NotFound):
    """No run matches, or a prefix matches several."""


class ArtifactNotFound(NotFound):
    """A run has no artifact of that name."""


class ModelNotFound(NotFound):
    """No registered model, version or alias of that name."""


class ViewNotFound(NotFound):
    """No saved view of that name."""


class ExecutionNotFound(NotFound):
    """No execution of that id in this server."""


class NotebookNotUnderRoot(NotFound):
    """No notebook at that path inside the server root (missing, or a path that leaves the root)."""


class HiddenNotebook(NotFound):
    """A notebook under a hidden file or folder, which the server's contents manager does not serve."""


class RunEnded(NbtrackError):
    """A write to a run that has already ended."""

    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(
            f"run {run_id} is {status} and cannot change; "
            "start a new run with nbtrack.start_run()"
        )
        self.run_id = run_id
        self.status = status


class RunRefused(NbtrackError):
    """A run of another store breaks a rule (the message says which row and rule); nothing of it is written."""


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


class KernelStartFailed(NbtrackError, RuntimeError):
    """A kernel did not become ready after every attempt (still a RuntimeError, as it was)."""


class SweepInterrupted(NbtrackError):
    """Ctrl-C or SIGTERM stopped a sweep; `runs` holds what was stored (running ones ended killed)."""

    def __init__(self, runs: list[Any]) -> None:
        super().__init__(f"sweep interrupted after {len(runs)} runs")
        self.runs = runs  # the StoredRun of each execution that reached the store


class SweepIncomplete(NbtrackError):
    """Executions ended without a run in the store, and none could be recorded for them."""
