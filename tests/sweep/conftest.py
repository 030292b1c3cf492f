"""Servers for the sweep tests that write into a team store (PostgreSQL + S3), started only when used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_servers import PostgresServer, S3Server, start_postgres, start_s3


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = start_s3()
    yield server
    server.stop()
