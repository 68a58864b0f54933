"""service.store: where runs, their results and profiles, the contracts registry and lineage live.

``open_store(url)`` opens (and migrates) a store: an embedded SQLite file by default
(``.pactline/pactline.db``, or ``$PACTLINE_STORE``), PostgreSQL through ``postgresql+psycopg://``.
Tables are declared on ``schema.metadata``; Alembic revisions under ``migrations/versions``
create them, applied on every open. Lineage tables live in ``lineage.py`` on the same metadata.

May import: contracts, checks (result and profile types). Never imports HTTP code.
"""

from __future__ import annotations

from service.store import schema
from service.store.engine import DEFAULT_URL, StoreError, create_store_engine, display_url, resolve_url
from service.store.migrate import upgrade
from service.store.store import MAX_LIMIT, InvalidCursorError, RunExistsError, Store, contract_digest

__all__ = [
    "DEFAULT_URL",
    "MAX_LIMIT",
    "InvalidCursorError",
    "RunExistsError",
    "Store",
    "StoreError",
    "contract_digest",
    "open_store",
    "schema",
]


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url`` (None -> ``$PACTLINE_STORE`` -> ``sqlite:///.pactline/pactline.db``).

    The schema is migrated to the newest revision. Raises ``StoreError`` (one-line cause, URL
    without password) when the URL is not usable or the server cannot be reached.
    """
    import sqlalchemy as sa

    resolved = resolve_url(url)
    engine = create_store_engine(resolved)
    try:
        upgrade(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise StoreError(f"cannot open the store at {display_url(engine.url)}: {cause}") from None
    return Store(engine)
