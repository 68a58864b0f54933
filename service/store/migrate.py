"""Apply the store's Alembic migrations programmatically (``open_store`` does it on every open).

Several processes may open the same store at once (``pactline serve --workers 4``): on
PostgreSQL an advisory lock, on SQLite a lock file next to the database, lets one of them
migrate while the others wait and then find nothing to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from service.store import schema

__all__ = ["EXTENSION_MODULES", "alembic_config", "head_revisions", "target_metadata", "upgrade"]

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
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current(connection: sa.Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


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
    heads = head_revisions()
    with engine.connect() as conn:
        current = _current(conn)
        conn.rollback()
    if current == heads:
        return
    lock = _sqlite_lock(engine) if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with lock, engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
