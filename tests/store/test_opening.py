"""Opening stores: what counts as a store, and clear errors for what does not."""

from __future__ import annotations

import pytest

from nbtrack.errors import StoreUriError
from nbtrack.store import open_store


def test_new_folder_becomes_an_embedded_store(tmp_path):
    store = open_store(tmp_path / "fresh")
    store.create_run("e")
    assert (tmp_path / "fresh" / "nbtrack.db").is_file()


def test_missing_store_is_an_error_when_not_creating(tmp_path):
    with pytest.raises(StoreUriError, match="no nbtrack store"):
        open_store(tmp_path / "absent", create=False)
    assert not (tmp_path / "absent").exists()


def test_a_file_is_not_a_store(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreUriError, match="is a file"):
        open_store(tmp_path / "file")


def test_a_folder_of_other_things_is_not_a_store(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "notes.txt").write_text("mine")
    with pytest.raises(StoreUriError, match="not an nbtrack store"):
        open_store(tmp_path / "project")
    assert (tmp_path / "project" / "notes.txt").read_text() == "mine"


def test_an_unwritable_location_is_an_error(tmp_path):
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(StoreUriError, match="not writable"):
        open_store(tmp_path / "blocker" / "store")


def test_a_database_that_is_not_sqlite_is_an_error_and_is_left_alone(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "nbtrack.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUriError, match="cannot be opened"):
        open_store(folder)
    assert (folder / "nbtrack.db").read_bytes() == b"this is not a database" * 100


@pytest.mark.parametrize("uri", ["mysql://x/y", "ftp://host/store", "sqlite://"])
def test_unsupported_urls_name_what_is_supported(uri):
    with pytest.raises(StoreUriError):
        open_store(uri)


def test_reopening_a_store_sees_its_runs_and_schema_is_applied_once(tmp_path):
    from sqlalchemy import text

    from nbtrack.store import upgrades

    first = open_store(tmp_path / "s")
    run_id = first.create_run("e")
    first.close()
    again = open_store(tmp_path / "s")
    assert again.run(run_id).id == run_id
    with again.engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM nbtrack_migrations ORDER BY name")).scalars().all()
    assert names == [name for name, _step in upgrades.STEPS]


def test_a_child_of_a_folder_store_is_not_told_where_artifacts_go(tmp_path):
    """Kernels and workers get the store; a folder store's own objects need no NBTRACK_ARTIFACTS,
    which would redirect every other folder store the child opens."""
    from nbtrack.config import ARTIFACTS_ENV, STORE_ENV, child_environment, locate_store

    env = child_environment(locate_store(tmp_path / "s"), {ARTIFACTS_ENV: "/elsewhere", "KEEP": "1"})
    assert env[STORE_ENV] == str(tmp_path / "s") and ARTIFACTS_ENV not in env and env["KEEP"] == "1"


def test_a_child_of_a_store_with_remote_artifacts_is_told_where_they_are(tmp_path, monkeypatch):
    from nbtrack.config import ARTIFACTS_ENV, child_environment, locate_store

    monkeypatch.setenv(ARTIFACTS_ENV, "s3://bucket/objects")
    remote = locate_store(tmp_path / "t")
    assert child_environment(remote, {})[ARTIFACTS_ENV] == "s3://bucket/objects"


def filled_store(uri: str) -> tuple[str, str]:
    """A store at uri with one finished run that has an artifact; returns (run id, blob sha256)."""
    store = open_store(uri)
    run_id = store.create_run("e", params={"lr": 0.1})
    sha256 = store.add_artifact(run_id, "model.bin", data=b"weights").sha256
    store.end_run(run_id, "finished")
    store.close()
    return run_id, sha256


def test_a_read_only_open_reads_everything_and_refuses_every_write(store_uri):
    from sqlalchemy import text

    from nbtrack.errors import StoreReadOnly

    run_id, _sha256 = filled_store(store_uri)
    store = open_store(store_uri, read_only=True)
    assert store.read_only
    assert [r.id for r in store.runs()] == [run_id] and store.run(run_id).params == {"lr": 0.1}
    assert store.read_artifact(run_id, "model.bin") == b"weights"
    writes = [lambda: store.create_run("e"), lambda: store.set_tags(run_id, {"k": "v"}),
              lambda: store.add_artifact(run_id, "more.bin", data=b"never kept"),
              lambda: store.add_record(run_id, "note", "n", {"a": 1}, after_end=True)]
    for write in writes:
        with pytest.raises(StoreReadOnly, match="opened read-only and cannot change; open it with"):
            write()
    with pytest.raises(Exception, match="read-only|readonly"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM runs"))  # past the API, the database itself refuses
    writable = open_store(store_uri)
    assert [r.id for r in writable.runs()] == [run_id] and writable.run(run_id).tags == {}
    assert [a.name for a in writable.artifacts(run_id)] == ["model.bin"]
    assert sum(1 for _ in writable.blobs.list()) == 1  # the refused artifact left no bytes
    store.close()


def test_a_read_only_open_leaves_the_database_file_as_it_was(tmp_path):
    folder = tmp_path / "kept"
    filled_store(str(folder))
    before = (folder / "nbtrack.db").read_bytes()
    store = open_store(folder, read_only=True)
    store.runs()
    store.close()
    assert (folder / "nbtrack.db").read_bytes() == before
    # SQLite may add its shared-memory index beside a WAL database, never a write-ahead log with content
    assert {p.name for p in folder.iterdir()} <= {"nbtrack.db", "nbtrack.db-shm", "nbtrack.db-wal", "objects"}
    assert not (folder / "nbtrack.db-wal").exists() or (folder / "nbtrack.db-wal").stat().st_size == 0


def test_a_read_only_open_refuses_a_store_that_needs_an_upgrade_and_leaves_it_old(store_uri):
    from sqlalchemy import text

    filled_store(store_uri)
    with open_store(store_uri).engine.begin() as conn:  # as an nbtrack before step 0008 left it
        conn.execute(text("DELETE FROM nbtrack_migrations WHERE name = '0008_run_heartbeat_interval'"))
    with pytest.raises(StoreUriError, match="written by an older nbtrack and needs an upgrade; open it once "
                                            r"with write access \(nbtrack fsck\) or import from a copy"):
        open_store(store_uri, read_only=True)
    assert "0008_run_heartbeat_interval" not in migration_names_without_upgrade(store_uri)


def migration_names_without_upgrade(uri: str) -> list[str]:
    from sqlalchemy import create_engine, text

    from nbtrack.config import locate_store

    engine = create_engine(locate_store(uri).database)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT name FROM nbtrack_migrations")).scalars())
    finally:
        engine.dispose()


def test_a_read_only_open_of_a_missing_store_creates_nothing(tmp_path):
    with pytest.raises(StoreUriError, match="no nbtrack store"):
        open_store(tmp_path / "absent", read_only=True)
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("damage", ["emptied", "deleted"])
def test_a_database_lost_beside_kept_blobs_is_refused_never_recreated_empty(tmp_path, damage):
    folder = tmp_path / "lost-db"
    _run_id, sha256 = filled_store(str(folder))
    if damage == "emptied":
        (folder / "nbtrack.db").write_bytes(b"")
    else:
        (folder / "nbtrack.db").unlink()
    for create in (True, False):
        with pytest.raises(StoreUriError, match=r"has no runs database \(nbtrack.db is missing or empty\) "
                                                "but its objects hold 1 blobs; restore nbtrack.db "
                                                "from a backup"):
            open_store(folder, create=create)
    left = {"nbtrack.db", "objects"} if damage == "emptied" else {"objects"}
    assert {p.name for p in folder.iterdir()} == left
    assert damage == "deleted" or (folder / "nbtrack.db").stat().st_size == 0
    assert (folder / "objects" / sha256[:2] / sha256[2:]).read_bytes() == b"weights"


def test_a_new_store_beside_an_empty_objects_folder_is_still_created(tmp_path):
    (tmp_path / "fresh" / "objects").mkdir(parents=True)
    open_store(tmp_path / "fresh").create_run("e")
    assert (tmp_path / "fresh" / "nbtrack.db").stat().st_size > 0
