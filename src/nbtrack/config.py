"""Settings: which store to use (an argument, else NBTRACK_STORE, else ./.nbtrack), how durably it writes, and where nbtrack.toml is."""

from __future__ import annotations

import enum
import functools
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from nbtrack.errors import ConfigError, StoreUriError

STORE_ENV = "NBTRACK_STORE"
ARTIFACTS_ENV = "NBTRACK_ARTIFACTS"
HEARTBEAT_ENV = "NBTRACK_HEARTBEAT"
DURABILITY_ENV = "NBTRACK_DURABILITY"
CONFIG_ENV = "NBTRACK_CONFIG"
RUN_ID_ENV = "NBTRACK_RUN_ID"  # the run a kernel attaches to: set by engine and sweep, read by track
DEFAULT_STORE = ".nbtrack"
DATABASE_FILE = "nbtrack.db"
OBJECTS_DIR = "objects"


@dataclass(frozen=True)
class StoreLocation:
    """Where a store keeps its database and its artifact bytes."""

    database: str  # a SQLAlchemy URL
    artifacts: str  # an fsspec URL or a local folder
    folder: Path | None = None  # the embedded store's folder, when there is one

    @property
    def uri(self) -> str:
        """The string that names this store to NBTRACK_STORE and --store."""
        if self.folder is not None:
            return str(self.folder)
        return self.database

    @property
    def display(self) -> str:
        """The uri with any password masked: what messages and listings may show."""
        return mask_password(self.uri)


def mask_password(url: str) -> str:
    """A URL as messages, reports, logs and payloads may show it: every credential in it is ***.

    Masks the password of `scheme://user:password@host` (database URLs through SQLAlchemy's
    own rendering; fsspec URLs such as s3://KEY:SECRET@bucket too) and the value of credential
    query parameters (?password=, ?token=, ?sig=...). A folder path comes back unchanged.
    """
    if "://" not in url:
        return url
    if url.startswith("postgresql"):  # a sqlite URL holds no password, and rendering would re-escape its path
        from sqlalchemy import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            pass  # not a database URL after all: masked below like any other
    scheme, rest = url.split("://", 1)
    # The last @ ends the userinfo: SQLAlchemy splits a password holding a raw @ at its first one.
    at = rest.rfind("@")
    if at > 0:
        user, colon, _password = rest[:at].partition(":")
        if colon and not any(c in user for c in "/?#"):
            rest = f"{user}:***{rest[at:]}"
    return scheme + "://" + _CREDENTIAL_QUERY.sub(r"\1***", rest)


# Query parameters that carry a credential: libpq's password, cloud tokens, SAS and presigned signatures.
_CREDENTIAL_QUERY = re.compile(
    r"([?&;](?:[\w.\-]*(?:passw(?:or)?d|pwd|secret|token|credential|signature|apikey|api_key|"
    r"access_key|private_key|sas)[\w.\-]*|pass|sig|key|auth|x-amz-[\w\-]+)=)[^&;#]*",
    re.I,
)


def locate_store(uri: str | os.PathLike[str] | None = None, *,
                 artifacts: str | os.PathLike[str] | None = None) -> StoreLocation:
    """Resolve a store argument (or the environment) to database and artifact URLs.

    artifacts, when given, wins over NBTRACK_ARTIFACTS: a program opening two
    stores (an import) names each one's bytes itself.
    """
    raw = os.fspath(uri) if uri is not None else os.environ.get(STORE_ENV) or DEFAULT_STORE
    artifacts = os.fspath(artifacts) if artifacts is not None else os.environ.get(ARTIFACTS_ENV) or None
    if "://" not in raw:
        folder = Path(raw).expanduser().absolute()
        return StoreLocation(
            database=f"sqlite:///{folder / DATABASE_FILE}",
            artifacts=artifacts or str(folder / OBJECTS_DIR),
            folder=folder,
        )
    scheme = raw.split("://", 1)[0]
    if scheme.startswith("sqlite"):
        db_path = raw.split(":///", 1)[-1]
        if not db_path or db_path == raw:
            raise StoreUriError(
                f"store URL {mask_password(raw)!r} names no database file; "
                "use sqlite:////absolute/path/nbtrack.db or a folder path"
            )
        folder = Path(db_path).expanduser().absolute().parent
        return StoreLocation(raw, artifacts or str(folder / OBJECTS_DIR), None)
    if scheme.startswith("postgresql"):
        if artifacts is None:
            raise StoreUriError(
                f"store {mask_password(raw)!r} keeps no artifact bytes itself; set {ARTIFACTS_ENV} "
                "to an fsspec URL such as s3://bucket/prefix or a shared folder"
            )
        return StoreLocation(raw, artifacts, None)
    raise StoreUriError(
        f"store {mask_password(raw)!r} is not a folder, a sqlite:// URL or a postgresql:// URL; "
        f"pass one of those with --store or {STORE_ENV}"
    )


def child_environment(location: StoreLocation, environ: dict[str, str]) -> dict[str, str]:
    """environ, changed so a child process (a kernel, a worker) opens this same store.

    NBTRACK_ARTIFACTS is passed only when the store's bytes live somewhere other than its
    own folder: set for a folder store, it would also redirect any other folder store the
    child opens by name.
    """
    env = {**environ, STORE_ENV: location.uri}
    if location.folder is not None and location.artifacts == str(location.folder / OBJECTS_DIR):
        env.pop(ARTIFACTS_ENV, None)
    else:
        env[ARTIFACTS_ENV] = location.artifacts
    return env


def heartbeat_seconds() -> float:
    """How often a live run proves it is alive (NBTRACK_HEARTBEAT, default 10 s)."""
    raw = os.environ.get(HEARTBEAT_ENV, "10")
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise StoreUriError(
            f"{HEARTBEAT_ENV} must be a number of seconds > 0. Got {raw!r} instead."
        )
    return value


def writer_heartbeat_seconds() -> float:
    """The interval a writer beats at: NBTRACK_HEARTBEAT, or 10 s when it does not parse.

    A writer never fails over the setting (a reader's filter says what is wrong with it); the
    flusher, the MLflow plugin's beat and the interval recorded on each run all use this one.
    """
    try:
        return heartbeat_seconds()
    except StoreUriError:
        return 10.0


class Durability(enum.StrEnum):
    """What a committed write survives."""

    NORMAL = "normal"  # a killed process (kill -9); an OS crash or power cut may lose the last commits, never corrupts
    FULL = "full"  # also an OS crash or a power cut: every commit is on disk (fsynced) before it returns


DEFAULT_DURABILITY = Durability.NORMAL


def store_durability(url: str) -> tuple[str, Durability]:
    """A database URL without its durability= query, and the durability it is opened with.

    The first found of: the URL's ?durability=, NBTRACK_DURABILITY, `durability` in
    [tool.nbtrack] of the nearest nbtrack.toml or pyproject.toml (or NBTRACK_CONFIG), "normal".
    """
    base, mark, query = url.partition("?")
    named = [part for part in query.split("&") if part.startswith("durability=")] if mark else []
    if named:
        kept = "&".join(part for part in query.split("&") if part and not part.startswith("durability="))
        url = f"{base}?{kept}" if kept else base
        return url, _durability(named[-1].partition("=")[2], f"the store URL's durability= ({mask_password(base)})")
    raw = os.environ.get(DURABILITY_ENV)
    if raw:
        return url, _durability(raw, DURABILITY_ENV)
    path = find_config()
    if path is not None:
        raw = _configured(str(path), *_version(path)).get("durability")
        if raw is not None:
            return url, _durability(raw, f"durability in {path}")
    return url, DEFAULT_DURABILITY


def _durability(raw: object, where: str) -> Durability:
    try:
        return Durability(str(raw).strip().lower()) if isinstance(raw, str) else Durability(raw)
    except ValueError:
        allowed = " or ".join(repr(d.value) for d in Durability)
        raise ConfigError(f"{where} must be {allowed}. Got {raw!r} instead.") from None


def find_config(start: Path | None = None) -> Path | None:
    """NBTRACK_CONFIG, else the nearest nbtrack.toml or pyproject.toml with [tool.nbtrack]."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_absolute() and start is not None:
            path = start / path  # relative to the folder the command was started from
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={named} is not a file; point it at an nbtrack.toml")
        return path
    # os.path, not pathlib: every run's end walks up here, and pathlib's objects made the
    # walk 0.5 ms of a short run's ~2 ms (profile of the 1,000-runs benchmark).
    folder = os.path.abspath(start or os.getcwd())
    while True:
        own = os.path.join(folder, "nbtrack.toml")
        if os.path.isfile(own):
            return Path(own)
        pyproject = os.path.join(folder, "pyproject.toml")
        try:
            info = os.stat(pyproject)
        except OSError:
            pass
        else:
            if stat.S_ISREG(info.st_mode) and _declares_nbtrack(pyproject, info.st_mtime_ns, info.st_size):
                return Path(pyproject)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


@functools.lru_cache(maxsize=64)
def _declares_nbtrack(path: str, _mtime_ns: int, _size: int) -> bool:
    """Whether a pyproject.toml has a [tool.nbtrack] table; read again only when it changes.

    Every run's end looks for alert rules: rereading the project's pyproject.toml each
    time was about 13% of creating a short run (profile of the 1,000-runs benchmark).
    """
    try:
        return b"[tool.nbtrack" in Path(path).read_bytes()
    except OSError:
        return False


def _version(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


@functools.lru_cache(maxsize=16)
def _configured(path: str, _mtime_ns: int, _size: int) -> dict[str, object]:
    """The [tool.nbtrack] settings of a config file (nbtrack.toml: its top level too); read again when it changes."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings from {path}: {exc}; fix the TOML") from None
    section = document.get("tool", {}).get("nbtrack")
    if section is None:
        section = {} if os.path.basename(path) == "pyproject.toml" else document
    return section if isinstance(section, dict) else {}
