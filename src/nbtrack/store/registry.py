"""The model registry: named models, numbered versions that point at runs, movable aliases.

A version is a run (and optionally one of its artifacts) under a model name:
registering `churn` three times gives churn@1, churn@2, churn@3. An alias such
as `champion` names one version at a time; moving it is one transaction that
also appends to the alias history, so two promotes racing each other leave a
consistent chain of moves, never a lost one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from nbtrack.errors import AliasConflict, ModelNotFound, UsageError
from nbtrack.records import RunRecord, RunStatus
from nbtrack.store import database, schema

LATEST = "latest"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}")
_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,99}")
MAX_VERSION = 2**31 - 1  # what the databases' integer columns hold


@dataclass(frozen=True)
class ModelVersion:
    """One version of a registered model: the run it came from and its aliases now."""

    name: str
    version: int
    run_id: str
    artifact: str | None
    created_at: float
    aliases: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "ref": self.ref, "run_id": self.run_id,
                "artifact": self.artifact, "created_at": self.created_at, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class AliasMove:
    """One move of an alias: from which version (None when new) to which, when, and by whom if known."""

    name: str
    alias: str
    previous: int | None
    version: int
    moved_at: float
    moved_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "alias": self.alias, "previous": self.previous,
                "version": self.version, "moved_at": self.moved_at, "moved_by": self.moved_by}


def is_model_ref(ref: object) -> bool:
    """Whether a reference names a model version (NAME@3, NAME@champion) rather than a run id."""
    return isinstance(ref, str) and "@" in ref


def parse_ref(ref: str) -> tuple[str, str]:
    """NAME@champion -> (NAME, champion); NAME@3 -> (NAME, "3"); NAME alone -> (NAME, latest)."""
    name, _, selector = ref.strip().partition("@")
    check_name(name)
    selector = selector.strip() or LATEST
    if not (_is_version_number(selector) or _ALIAS.fullmatch(selector)):
        raise UsageError(f"model reference {ref!r} is not NAME@VERSION or NAME@ALIAS, such as churn@3 "
                         "or churn@champion")
    return name, selector


def _is_version_number(text: str) -> bool:
    """ASCII digits (str.isdigit takes "²", which int() refuses) of a number a database column holds."""
    return (text.isascii() and text.isdigit() and len(text.lstrip("0")) <= len(str(MAX_VERSION))
            and int(text) <= MAX_VERSION)


def check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UsageError(f"model name {name!r} is not allowed; use letters, digits, '_', '-' and '.', "
                         "starting with a letter or digit, such as churn")
    return name


def check_alias(alias: object) -> str:
    if not isinstance(alias, str) or not _ALIAS.fullmatch(alias) or alias == LATEST:
        raise UsageError(f"alias {alias!r} is not allowed; an alias starts with a letter and is not "
                         f"{LATEST!r}, such as champion or staging")
    return alias


class Registry:
    """Registered models of one store. Reach it as `store.models`.

    >>> version = store.models.register("churn", run.id)          # doctest: +SKIP
    >>> store.models.promote("churn", version.version, "champion")  # doctest: +SKIP
    >>> store.models.get("churn@champion").run_id                   # doctest: +SKIP
    """

    def __init__(self, engine: Engine, run: Callable[[str], RunRecord]) -> None:
        """engine: the store's database; run: the store's run lookup (a run id, prefix or NAME@alias)."""
        self.engine = engine
        self._run = run

    # -- writes ---------------------------------------------------------------

    def register(self, name: str, run: str, *, artifact: str | None = None) -> ModelVersion:
        """Register a finished run (and optionally one of its artifacts) as the next version."""
        check_name(name)
        stored = self._run(run)
        run_id = stored.id
        if stored.status is not RunStatus.FINISHED:
            raise UsageError(f"run {run_id} is {stored.status}; register a finished run")
        if artifact is not None and artifact not in stored.artifacts:
            known = ", ".join(sorted(stored.artifacts)) or "none"
            raise UsageError(f"run {run_id} has no artifact {artifact!r} (it has: {known}); "
                             "name one of them with --artifact")
        now = time.time()
        v = schema.model_versions.c
        with database.writing(self.engine) as conn:
            model_pk = self._model_pk(conn, name, create=True, lock=True)
            number = (conn.execute(select(func.max(v.version)).where(v.model_pk == model_pk)).scalar() or 0) + 1
            run_pk = conn.execute(select(schema.runs.c.pk).where(schema.runs.c.id == run_id)).scalar_one()
            conn.execute(schema.model_versions.insert().values(
                model_pk=model_pk, version=number, run_pk=run_pk, artifact=artifact, created_at=now))
        return ModelVersion(name, number, run_id, artifact, now)

    def promote(self, name: str, version: int | str, alias: str = "champion", *,
                expect: int | None = None, by: str | None = None) -> AliasMove:
        """Point an alias at a version, atomically, and keep the move in the history.

        by: who moves it (a login or the Lab's user name), kept with the move, up to 200 characters.

        With expect, the move happens only if the alias still points at that
        version (compare-and-set; 0 means the alias must not exist yet), else
        AliasConflict: the check for "promote only if nobody promoted since I looked".
        """
        check_alias(alias)
        number = self._version_number(name, version)
        if by is not None and not isinstance(by, str):
            raise UsageError(f"who moved an alias is text, such as a login name. Got {type(by).__name__} instead.")
        by = by[:200] if by else None
        a = schema.model_aliases.c
        now = time.time()
        with database.writing(self.engine) as conn:
            model_pk = self._model_pk(conn, name, lock=True)
            self._check_version(conn, model_pk, name, number)
            current = conn.execute(select(a.version).where(a.model_pk == model_pk, a.alias == alias)).scalar()
            if expect is not None and (current or 0) != expect:
                shown = f"{name}@{current}" if current else "nothing"
                raise AliasConflict(f"{name}@{alias} points at {shown}, not version {expect}; someone moved it "
                                    f"since you looked: see nbtrack models show {name}")
            if current is None:
                conn.execute(schema.model_aliases.insert().values(
                    model_pk=model_pk, alias=alias, version=number, since=now))
            else:
                # Compare-and-set on the value just read: a concurrent mover cannot slip in between.
                moved = conn.execute(
                    update(schema.model_aliases)
                    .where(a.model_pk == model_pk, a.alias == alias, a.version == current)
                    .values(version=number, since=now)
                )
                if moved.rowcount != 1:
                    raise AliasConflict(f"{name}@{alias} moved while promoting; try again")
            conn.execute(schema.alias_moves.insert().values(
                model_pk=model_pk, alias=alias, previous=current, version=number, moved_at=now, moved_by=by))
        return AliasMove(name, alias, current, number, now, by)

    # -- reads ----------------------------------------------------------------

    def get(self, ref: str) -> ModelVersion:
        """The version a reference names: NAME@3, NAME@champion, NAME@latest or NAME."""
        name, selector = parse_ref(ref)
        a, v = schema.model_aliases.c, schema.model_versions.c
        with database.reading(self.engine) as conn:
            model_pk = self._model_pk(conn, name)
            if _is_version_number(selector):
                number = int(selector)
            elif selector == LATEST:
                number = conn.execute(select(func.max(v.version)).where(v.model_pk == model_pk)).scalar()
            else:
                number = conn.execute(select(a.version).where(a.model_pk == model_pk, a.alias == selector)).scalar()
                if number is None:
                    raise ModelNotFound(f"model {name} has no alias {selector!r}; set it with "
                                        f"nbtrack models promote {name} VERSION --alias {selector}")
            if number is None:
                raise ModelNotFound(f"model {name} has no versions; register one with nbtrack models register")
            found = self._versions(conn, model_pk, name, number)
        if not found:
            raise ModelNotFound(f"model {name} has no version {number}; see nbtrack models show {name}")
        return found[0]

    def run(self, ref: str) -> RunRecord:
        """The run a model reference points at (a StoredRun)."""
        return self._run(self.get(ref).run_id)

    def versions(self, name: str) -> list[ModelVersion]:
        """Every version of a model, newest first."""
        check_name(name)
        with database.reading(self.engine) as conn:
            return self._versions(conn, self._model_pk(conn, name), name)

    def names(self) -> list[dict[str, Any]]:
        """Every registered model: its name, number of versions, latest version and aliases."""
        m, v, a = schema.models.c, schema.model_versions.c, schema.model_aliases.c
        with database.reading(self.engine) as conn:
            rows = conn.execute(
                select(m.pk, m.name, m.created_at, func.count(v.version), func.max(v.version))
                .select_from(schema.models.outerjoin(schema.model_versions, v.model_pk == m.pk))
                .group_by(m.pk, m.name, m.created_at).order_by(m.name)
            ).all()
            aliases: dict[int, dict[str, int]] = {}
            for pk, alias, version in conn.execute(select(a.model_pk, a.alias, a.version).order_by(a.alias)):
                aliases.setdefault(pk, {})[alias] = version
        return [{"name": name, "versions": count, "latest": latest, "aliases": aliases.get(pk, {}),
                 "created_at": created} for pk, name, created, count, latest in rows]

    def aliases(self, name: str) -> dict[str, tuple[int, float]]:
        """Each alias of a model: the version it names and since when."""
        check_name(name)
        a = schema.model_aliases.c
        with database.reading(self.engine) as conn:
            pk = self._model_pk(conn, name)
            rows = conn.execute(select(a.alias, a.version, a.since).where(a.model_pk == pk).order_by(a.alias))
            return {alias: (version, since) for alias, version, since in rows}

    def history(self, name: str, alias: str | None = None) -> list[AliasMove]:
        """Every alias move of a model, oldest first."""
        check_name(name)
        h = schema.alias_moves.c
        with database.reading(self.engine) as conn:
            pk = self._model_pk(conn, name)
            query = select(h.alias, h.previous, h.version, h.moved_at, h.moved_by).where(h.model_pk == pk)
            if alias is not None:
                query = query.where(h.alias == alias)
            rows = conn.execute(query.order_by(h.pk)).all()
        return [AliasMove(name, *row) for row in rows]

    # -- internals ------------------------------------------------------------

    def _model_pk(self, conn: Connection, name: str, *, create: bool = False, lock: bool = False) -> int:
        m = schema.models
        if create:
            conn.execute(database.insert_ignoring(conn, m).values(name=name, created_at=time.time()))
        query = select(m.c.pk).where(m.c.name == name)
        if lock:
            query = query.with_for_update()  # PostgreSQL: serialize writers per model (SQLite: BEGIN IMMEDIATE)
        pk = conn.execute(query).scalar()
        if pk is None:
            raise ModelNotFound(f"no model {name!r}; register one with nbtrack models register {name} --run RUN")
        return int(pk)

    def _version_number(self, name: str, version: int | str) -> int:
        text = str(version).strip()
        if isinstance(version, bool) or not _is_version_number(text) or int(text) < 1:
            raise UsageError(f"a model version is a whole number from 1 to {MAX_VERSION}, such as {name} 3. "
                             f"Got {text[:40]!r} instead.")
        return int(text)

    def _check_version(self, conn: Connection, model_pk: int, name: str, number: int) -> None:
        v = schema.model_versions.c
        found = conn.execute(select(v.version).where(v.model_pk == model_pk, v.version == number)).scalar()
        if found is None:
            raise ModelNotFound(f"model {name} has no version {number}; see nbtrack models show {name}")

    def _versions(self, conn: Connection, model_pk: int, name: str, number: int | None = None) -> list[ModelVersion]:
        v, a, r = schema.model_versions.c, schema.model_aliases.c, schema.runs.c
        query = (select(v.version, r.id, v.artifact, v.created_at)
                 .join_from(schema.model_versions, schema.runs, v.run_pk == r.pk)
                 .where(v.model_pk == model_pk).order_by(v.version.desc()))
        if number is not None:
            query = query.where(v.version == number)
        aliases: dict[int, list[str]] = {}
        for alias, version in conn.execute(select(a.alias, a.version).where(a.model_pk == model_pk).order_by(a.alias)):
            aliases.setdefault(version, []).append(alias)
        return [ModelVersion(name, version, run_id, artifact, created, tuple(aliases.get(version, ())))
                for version, run_id, artifact, created in conn.execute(query)]
