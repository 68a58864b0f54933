"""Store URLs and engines: SQLite (WAL, busy timeout, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from service.store.jsonsafe import dumps

__all__ = ["DEFAULT_URL", "StoreError", "create_store_engine", "display_url", "resolve_url"]

DEFAULT_URL = "sqlite:///.pactline/pactline.db"
SQLITE_BUSY_MS = 30_000
WRITE = "pactline_write"  # execution option: this connection's transactions write


class StoreError(Exception):
    """The store cannot be opened or reached; the message names the URL (without password) and the cause."""


def resolve_url(url: str | None) -> str:
    """``url``, else ``$PACTLINE_STORE``, else the embedded SQLite file. A bare path means SQLite."""
    chosen = url or os.environ.get("PACTLINE_STORE") or DEFAULT_URL
    if "://" not in chosen:
        chosen = f"sqlite:///{chosen}"
    return chosen


def display_url(url: sa.URL | str) -> str:
    try:
        parsed = sa.make_url(url) if isinstance(url, str) else url
    except sa.exc.ArgumentError:
        return str(url)
    return parsed.render_as_string(hide_password=True)


def create_store_engine(url: str) -> sa.Engine:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(
            f"not a store URL: {url!r}; use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return sa.create_engine(
                parsed, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=dumps
            )
        except ModuleNotFoundError as exc:
            raise StoreError(
                f"the PostgreSQL driver is missing ({exc.name}); install it with pip install 'pactline[postgres]'"
            ) from None
    raise StoreError(
        f"unsupported store {backend!r} in {display_url(parsed)}; use sqlite:///... or postgresql+psycopg://..."
    )


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in str(url)
    kwargs: dict[str, Any] = {"json_serializer": dumps}
    if memory:
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})
    engine = sa.create_engine(url, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver, so BEGIN is emitted by the listener below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that later needs to write
        # can fail at once with SQLITE_BUSY in WAL mode, whatever the busy timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine
