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
