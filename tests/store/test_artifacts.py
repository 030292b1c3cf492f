"""Artifacts: content-addressed bytes, names that cannot escape, bytes verified on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nbtrack.errors import ArtifactNotFound, IntegrityError, InvalidArtifactName
from nbtrack.store.blobs import Blobs


def test_artifact_bytes_are_stored_once_under_their_sha256(store):
    a, b = store.create_run("e"), store.create_run("e")
    first = store.add_artifact(a, "model.bin", data=b"weights")
    second = store.add_artifact(b, "copy.bin", data=b"weights")
    digest = hashlib.sha256(b"weights").hexdigest()
    assert first.sha256 == second.sha256 == digest and first.size == 7
    assert list(store.blobs.list()) == [digest]
    assert store.read_artifact(a, "model.bin") == b"weights"
    assert store.run(b).artifacts == {"copy.bin": digest}


def test_artifact_from_a_file_streams_and_hashes(store, tmp_path):
    source = tmp_path / "big.bin"
    payload = bytes(range(256)) * 20_000
    source.write_bytes(payload)
    run_id = store.create_run("e")
    artifact = store.add_artifact(run_id, "data/big.bin", path=source, media_type="application/x-test")
    assert artifact.sha256 == hashlib.sha256(payload).hexdigest()
    assert store.artifact(run_id, "data/big.bin").media_type == "application/x-test"
    assert store.run(run_id).artifact("data/big.bin") == payload
    assert store.blobs.temp_files() == []


@pytest.mark.parametrize("name", [
    "../escape", "a/../../b", "/abs", "a//b", ".", "..", "a/.", "", "x" * 300,
    "with space", "back\\slash", "nul\x00", "c:\\windows", "file:x", "a?b", "a#b", "a;b",
])
def test_artifact_names_that_could_escape_or_confuse_are_refused(store, name):
    run_id = store.create_run("e")
    with pytest.raises(InvalidArtifactName):
        store.add_artifact(run_id, name, data=b"x")
    assert store.artifacts(run_id) == []


def test_missing_artifact_is_not_found(store):
    run_id = store.create_run("e")
    with pytest.raises(ArtifactNotFound):
        store.artifact(run_id, "nope.txt")


def test_corrupted_blob_is_never_returned(store):
    run_id = store.create_run("e")
    artifact = store.add_artifact(run_id, "a.txt", data=b"original")
    Path(store.blobs.path(artifact.sha256)).write_bytes(b"tampered")
    assert not store.blobs.verify(artifact.sha256)
    with pytest.raises(IntegrityError, match="corrupt"):
        store.read_artifact(run_id, "a.txt")


@pytest.mark.parametrize("bad", ["../" + "a" * 61, "A" * 64, "0" * 63, "g" * 64, "../../etc/passwd"])
def test_blob_paths_are_built_only_from_a_sha256(tmp_path, bad):
    blobs = Blobs(str(tmp_path / "objects"))
    with pytest.raises(IntegrityError):
        blobs.path(bad)


def test_relogging_an_artifact_name_points_it_at_the_new_bytes(store):
    run_id = store.create_run("e")
    store.add_artifact(run_id, "a.txt", data=b"one")
    store.add_artifact(run_id, "a.txt", data=b"two")
    assert store.read_artifact(run_id, "a.txt") == b"two"
