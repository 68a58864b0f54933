"""service: everything a person touches — the CLI, the HTTP API, the store and the reports.

May import: contracts, checks, lineage. Nothing imports service.

Layout: ``cli/`` (one module per command group, registered in ``cli/__init__.py``),
``api/`` (FastAPI app, thin routers over the same functions the CLI calls), ``store/``
(SQLAlchemy tables, Alembic migrations, the functions that read and write them),
``reports/`` (terminal tables, JSON, HTML).
"""
