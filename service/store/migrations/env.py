"""Alembic environment: runs on the connection ``service.store.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from service.store.migrate import target_metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only programmatic use is supported
    raise RuntimeError("the store's migrations run through service.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
