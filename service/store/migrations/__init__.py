"""Alembic migrations of the store, applied by ``open_store`` (see ``service.store.migrate``).

One revision per schema change under ``versions/``; revision ids are short ordered numbers
(``0001``, ``0002``, ...) and each ``down_revision`` names the previous one.
"""
