"""Fixtures shared by every test package.

``store_url``: a fresh, empty store URL, once on SQLite (a file under tmp_path) and once on a real
PostgreSQL server (a new database per test, dropped afterwards). The server comes from
``$PACTLINE_TEST_POSTGRES_URL`` or is started by ``scripts/start-postgres.sh``; a server that
cannot be reached fails the test. Only ``PACTLINE_SKIP_POSTGRES=1`` skips the PostgreSQL cases.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a reachable PostgreSQL server's scratch database (a superuser-free role with CREATEDB)."""
    if os.environ.get("PACTLINE_SKIP_POSTGRES") == "1":
        pytest.skip("PACTLINE_SKIP_POSTGRES=1")
    url = os.environ.get("PACTLINE_TEST_POSTGRES_URL")
    if not url:
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "start-postgres.sh")], capture_output=True, text=True, timeout=600
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            pytest.fail(f"no PostgreSQL server for the tests (scripts/start-postgres.sh): {proc.stderr.strip()}")
        url = proc.stdout.strip().splitlines()[-1]
        os.environ["PACTLINE_TEST_POSTGRES_URL"] = url
    return url


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import sqlalchemy as sa

    name = f"pactline_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {postgres_url} is not reachable: {exc.orig}")
    try:
        yield sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'pactline.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))
