"""`nbtrack import` of a hostile archive or store: nothing written outside, nothing read outside, no hang.

The hostile sources are built the way an attacker would: crafted tar and zip
members, rows written with sqlite3 into a real store made by nbtrack, blobs
replaced by links, FIFOs and folders.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from nbtrack.errors import UnsafeArchive
from nbtrack.store import open_store
from nbtrack.store.archives import extract_archive

CANARY = b"canary: must stay as it is\n"


def make_store(folder: Path) -> tuple[object, list[str]]:
    """A real store with two ended runs, each with an artifact."""
    source = open_store(folder, artifacts=folder / "objects")
    ids = []
    for n in range(2):
        run = source.create_run("hostile", params={"n": n, "name": f"run{n}"}, tags={"k": "v"})
        source.log_metrics(run, [("loss", s, 1.0 / (s + 1), 1000 + s) for s in range(5)])
        source.add_artifact(run, f"out{n}.txt", data=f"bytes of run {n}".encode())
        source.end_run(run, "finished")
        ids.append(run)
    source.close()
    return source, ids


def one_error_line(result) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nbtrack: error: "), result.stderr
    return lines[0]


# -- 1. archives ---------------------------------------------------------------------


def chained_symlink_tar(path: Path, store: Path, canary: Path) -> Path:
    """The CVE-2025-4517 pattern: symlinks chained through long folder names until the resolved
    path passes PATH_MAX, where tarfile's "data" filter stops checking; then a hard link
    through them onto the canary, and a file member written through that link."""
    long_name = "d" * 247
    steps = "abcdefghijklmnop"
    with tarfile.open(path, "w") as tf:
        tf.add(store, arcname="store")  # a genuine store: without the guard, the import succeeds
        here = ""
        for step in steps:
            folder = tarfile.TarInfo(os.path.join(here, long_name))
            folder.type = tarfile.DIRTYPE
            tf.addfile(folder)
            link = tarfile.TarInfo(os.path.join(here, step))
            link.type, link.linkname = tarfile.SYMTYPE, long_name
            tf.addfile(link)
            here = os.path.join(here, long_name)
        # Past PATH_MAX: realpath() leaves it unresolved, the kernel follows it back to the top.
        chain_path = os.path.join(*steps, "l" * 254)
        chain = tarfile.TarInfo(chain_path)
        chain.type, chain.linkname = tarfile.SYMTYPE, "../" * len(steps)
        tf.addfile(chain)
        # Lexically inside (each ".." drops one step), really: up to / and down to the canary.
        escape = tarfile.TarInfo("escape")
        escape.type, escape.linkname = tarfile.SYMTYPE, chain_path + "/.." * len(steps) + str(canary.parent)
        tf.addfile(escape)
        hard = tarfile.TarInfo("canarylink")
        hard.type, hard.linkname = tarfile.LNKTYPE, f"escape/{canary.name}"
        tf.addfile(hard)
        payload = b"overwritten by the archive\n"
        member = tarfile.TarInfo("canarylink")
        member.size = len(payload)
        tf.addfile(member, io.BytesIO(payload))
    return path


def test_a_chained_symlink_tar_leaves_a_file_outside_unchanged_and_fails_in_one_line(cli, tmp_path, store_path):
    make_store(tmp_path / "src" / "store")
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "canary.txt"
    canary.write_bytes(CANARY)
    archive = chained_symlink_tar(tmp_path / "cve.tar", tmp_path / "src" / "store", canary)
    temp = tmp_path / "temp"
    temp.mkdir()
    result = cli("import", archive, env={"TMPDIR": str(temp)})
    assert canary.read_bytes() == CANARY
    line = one_error_line(result)
    assert "symbolic link" in line and "nothing was imported" in line
    assert list(temp.iterdir()) == []  # the private extraction folder is gone
    assert not store_path.exists()


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "fifo", "chardev", "blockdev"])
def test_every_tar_member_but_a_file_or_folder_is_refused_before_anything_is_written(tmp_path, kind):
    member = tarfile.TarInfo("store/objects/member")
    member.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE,
                   "chardev": tarfile.CHRTYPE, "blockdev": tarfile.BLKTYPE}[kind]
    member.linkname = "nbtrack.db" if kind.endswith("link") else ""
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tf:
        tf.addfile(member)
    folder = tmp_path / "out"
    folder.mkdir(mode=0o700)
    with pytest.raises(UnsafeArchive, match="nothing was imported"):
        extract_archive(archive, folder)
    assert not (folder / "store" / "objects" / "member").exists()


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/tmp/x", "a/b/../../../x", "C:/x", "..\\x"])
def test_a_zip_name_that_could_leave_the_folder_is_refused(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, b"x")
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UnsafeArchive, match="would land outside"):
        extract_archive(archive, folder)
    assert list(folder.iterdir()) == []


def test_a_zip_symlink_and_a_duplicate_member_are_refused(tmp_path):
    link = zipfile.ZipInfo("store/link")
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(tmp_path / "link.zip", "w") as zf:
        zf.writestr(link, "/etc/passwd")
    with zipfile.ZipFile(tmp_path / "twice.zip", "w") as zf:
        zf.writestr("store/a", b"first")
        zf.writestr("store/a", b"second")
    for name, message in [("link.zip", "symbolic link"), ("twice.zip", "twice")]:
        folder = tmp_path / name.replace(".zip", "")
        folder.mkdir()
        with pytest.raises(UnsafeArchive, match=message):
            extract_archive(tmp_path / name, folder)
    assert (tmp_path / "twice" / "store" / "a").read_bytes() == b"first"


def test_a_zip_bomb_stops_at_the_byte_bound_without_writing_the_rest(tmp_path):
    bound = 16 * 1024**2
    archive = tmp_path / "bomb.zip"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("store/objects/zeros", "w", force_zip64=True) as member:
            for _ in range(1024):  # 1 GiB of zeros
                member.write(zeros)
    assert archive.stat().st_size < 1.1 * 1024**2  # a ~1 MB archive
    folder = tmp_path / "out"
    folder.mkdir()
    started = time.monotonic()
    with pytest.raises(UnsafeArchive, match=f"more than {bound} bytes"):
        extract_archive(archive, folder, max_bytes=bound)
    written = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert written <= bound
    assert time.monotonic() - started < 10


def test_the_byte_and_member_bounds_come_from_the_environment(cli, tmp_path, store_path):
    make_store(tmp_path / "src" / "store")
    archive = tmp_path / "store.tar"
    with tarfile.open(archive, "w") as tf:
        tf.add(tmp_path / "src" / "store", arcname="store")
    few = one_error_line(cli("import", archive, env={"NBTRACK_IMPORT_MAX_MEMBERS": "3"}))
    assert "more than 3 members" in few and "NBTRACK_IMPORT_MAX_MEMBERS" in few
    small = one_error_line(cli("import", archive, env={"NBTRACK_IMPORT_MAX_BYTES": "1000"}))
    assert "more than 1000 bytes" in small and "NBTRACK_IMPORT_MAX_BYTES" in small
    bad = one_error_line(cli("import", archive, env={"NBTRACK_IMPORT_MAX_BYTES": "lots"}))
    assert "NBTRACK_IMPORT_MAX_BYTES must be a whole number" in bad
    assert cli("import", archive).returncode == 0
