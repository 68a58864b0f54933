"""The migrated schema is exactly the declared metadata, on both backends; migrations ship with the package."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.store import open_store
from service.store.migrate import MIGRATIONS, head_revisions, target_metadata


def test_migrations_create_exactly_the_metadata(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, target_metadata())
            current = set(context.get_current_heads())
        assert diff == []
        assert current == head_revisions()
        tables = set(sa.inspect(store.engine).get_table_names())
        assert set(target_metadata().tables) | {"alembic_version"} == tables
    finally:
        store.close()


def test_migrations_form_one_line_of_revisions() -> None:
    assert len(head_revisions()) == 1
    assert (MIGRATIONS / "env.py").is_file() and (MIGRATIONS / "script.py.mako").is_file()


def test_migrations_are_package_data() -> None:
    """setuptools packages need an __init__.py; the .mako template is covered by package-data."""
    from setuptools import find_packages

    root = Path(__file__).resolve().parents[2]
    packages = find_packages(str(root), include=["service*"])
    assert {"service.store", "service.store.migrations", "service.store.migrations.versions"} <= set(packages)
    pyproject = (root / "pyproject.toml").read_text()
    assert '"*.mako"' in pyproject
