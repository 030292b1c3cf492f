"""Throwaway local servers for the team-store tests and benchmarks: PostgreSQL and S3.

PostgreSQL is Debian's, initialised in a temporary folder and listening only on
a Unix socket there; as root it runs as the `postgres` user (the server refuses
root). The S3-compatible server is moto's standalone server on 127.0.0.1, the
one s3fs tests itself against.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "nbtrack"
DATABASE = "nbtrack"
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if there is one."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    """A running server; `url(schema)` names a store whose tables live in that schema."""

    folder: Path
    bin: Path
    run_as: pwd.struct_passwd | None

    def url(self, schema: str | None = None) -> str:
        url = f"postgresql+psycopg://{SUPERUSER}@/{DATABASE}?host={quote(str(self.folder))}"
        if schema is not None:
            url += "&options=" + quote(f"-csearch_path={schema}")
        return url

    def new_schema(self) -> str:
        """An empty schema of its own, so each test gets a store nothing else has touched."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(host=str(self.folder), user=SUPERUSER, dbname=DATABASE, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return name

    def stop(self) -> None:
        _run_as(self.run_as, [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                              "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(*, durable: bool = False, max_connections: int = 300) -> PostgresServer:
    """Initialise and start a server in a new temporary folder.

    durable=False turns fsync off (tests); benchmarks pass durable=True to measure
    a server configured as a team would run it.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed; run scripts/system-packages.sh (make test does)")
    run_as = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="nbtrack-pg-"))
    if run_as is not None:
        os.chown(folder, run_as.pw_uid, run_as.pw_gid)
    data = folder / "data"
    settings = [f"max_connections={max_connections}", "listen_addresses=''",
                f"unix_socket_directories={folder}"]
    if not durable:
        settings += FAST_SETTINGS
    try:
        _run_as(run_as, [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER,
                         "-E", "UTF8", "--locale=C", *(["--no-sync"] if not durable else [])])
        options = " ".join(f"-c {s}" for s in settings)
        _run_as(run_as, [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                         "-l", str(folder / "server.log"), "start"])
        # A linguistic collation, as team servers have (en_US.UTF-8 and the like), not C:
        # text order is then not byte order, which the store must not rely on.
        _run_as(run_as, [str(bin_dir / "createdb"), "-h", str(folder), "-U", SUPERUSER, "-T", "template0",
                         "--locale-provider=icu", "--icu-locale=en-US", DATABASE])
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc}\n{detail}") from None
    return PostgresServer(folder, bin_dir, run_as)


def _run_as(user: pwd.struct_passwd | None, argv: list[str], *, check: bool = True) -> None:
    ids = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    subprocess.run(argv, check=check, capture_output=True, text=True, cwd="/", **ids)


@dataclass
class S3Server:
    """moto's S3 server; `environment()` is what a client (and its subprocesses) needs."""

    endpoint: str
    process: subprocess.Popen[bytes]

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def new_bucket(self) -> str:
        """An empty bucket of its own; returns its name."""
        name = f"nbtrack-{uuid.uuid4().hex[:16]}"
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        with urllib.request.urlopen(request, timeout=30):
            pass
        return name

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_s3(attempts: int = 3) -> S3Server:
    """moto's standalone server on a free port of 127.0.0.1, ready when this returns."""
    for _ in range(attempts):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    return S3Server(endpoint, process)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        process.kill()
        process.wait()
    raise RuntimeError("the S3-compatible server (moto) did not start; is moto[server] installed?")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
