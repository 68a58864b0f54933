"""Apply the store's Alembic migrations programmatically (``open_store`` does it on every open).

Several processes may open the same store at once (``pactline serve --workers 4``): on
PostgreSQL an advisory lock, on SQLite a lock file next to the database, lets one of them
migrate while the others wait and then find nothing to do.

A store already at ``HEAD`` is recognised with one plain query of its version table, without
importing Alembic (~75 ms at every start of the pipeline hook); Alembic is loaded only to migrate.
A test keeps ``HEAD`` equal to the heads of the migration scripts.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from service.store import schema

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["EXTENSION_MODULES", "HEAD", "alembic_config", "head_revisions", "target_metadata", "upgrade"]

HEAD = frozenset({"0002"})  # the newest revision of migrations/versions (a test keeps them equal)

MIGRATIONS = Path(__file__).with_name("migrations")
# Modules of this package that add tables to ``schema.metadata``; imported when they exist.
EXTENSION_MODULES = ("service.store.lineage",)
_PG_LOCK_KEY = 0x7061_6374  # "pact"


def target_metadata() -> sa.MetaData:
    """``schema.metadata`` with every extension module's tables on it."""
    for name in EXTENSION_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return schema.metadata


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revisions() -> set[str]:
    """The heads of the migration scripts, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


_VERSIONS = sa.table("alembic_version", sa.column("version_num", sa.String))


def _current(connection: sa.Connection) -> set[str]:
    """The store's revisions (Alembic's version table; empty for a new store)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return set()
    return set(connection.execute(sa.select(_VERSIONS.c.version_num)).scalars())


@contextlib.contextmanager
def _sqlite_lock(engine: sa.Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: sa.Engine) -> None:
    """Bring the store's schema to the newest revision; cheap when it already is."""
    with engine.connect() as conn:
        current = _current(conn)
        conn.rollback()
    if current == HEAD:
        return
    from alembic import command

    lock = _sqlite_lock(engine) if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with lock, engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
