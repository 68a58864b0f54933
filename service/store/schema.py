"""The store's tables, on one SQLAlchemy ``MetaData``.

Every table lives on ``metadata``; the Alembic migrations under ``service/store/migrations``
create exactly these (a test compares the migrated schema with this metadata). To add a table:
declare it here (or in a module of this package that imports ``metadata``, as ``lineage.py``
does), then add a revision under ``migrations/versions`` whose ``down_revision`` is the current head.

Times are stored as UTC without a zone (``UTCDateTime``), so SQLite and PostgreSQL agree;
JSON columns are JSONB on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

__all__ = [
    "JSONDoc",
    "UTCDateTime",
    "contract_datasets",
    "contracts",
    "metadata",
    "run_profiles",
    "run_results",
    "runs",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A point in time: aware datetimes go in as UTC, come out aware (UTC). Naive ones are UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class _JSONDoc(sa.types.TypeDecorator[Any]):
    """JSON, as JSONB on PostgreSQL. The PostgreSQL dialect's types are imported only when that is
    the store's backend: a SQLite store (every pipeline hook's default) does not pay for them."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


JSONDoc: Any = _JSONDoc()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("dataset", sa.String(512), nullable=False),
    sa.Column("contract_id", sa.String(512), nullable=False),
    sa.Column("contract_version", sa.String(128), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("blocking", sa.Integer, nullable=False),  # results that blocked the batch
    sa.Column("fail_on", sa.String(16), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("report", JSONDoc, nullable=False),  # Report.to_dict() without the results
    sa.Column("extra", JSONDoc, nullable=True),
    sa.Index("ix_runs_dataset_started", "dataset", "started_at"),
    sa.Index("ix_runs_started", "started_at"),
)

run_results = sa.Table(
    "run_results",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("rule", sa.String(1024), nullable=False),
    sa.Column("reason", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("column", sa.String(512), nullable=True),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("failed_rows", sa.BigInteger, nullable=False),
    sa.Column("detail", JSONDoc, nullable=False),  # observed, threshold, samples, message
    sa.Index("ix_run_results_reason", "reason"),
)

run_profiles = sa.Table(
    "run_profiles",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("profile", JSONDoc, nullable=False),  # DatasetProfile.to_dict()
)

contracts = sa.Table(
    "contracts",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contract_id", sa.String(512), nullable=False),
    sa.Column("version", sa.String(128), nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # the text as registered (YAML or JSON)
    sa.Column("format", sa.String(8), nullable=False),  # "yaml" | "json"
    sa.Column("sha256", sa.String(64), nullable=False),  # of the canonical model, not the text
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("contract_id", "version", name="uq_contracts_id_version"),
)

contract_datasets = sa.Table(
    "contract_datasets",
    metadata,
    sa.Column("contract_pk", sa.Integer, sa.ForeignKey("contracts.pk", ondelete="CASCADE"), primary_key=True),
    sa.Column("dataset", sa.String(512), primary_key=True),  # the qualified name
    sa.Column("name", sa.String(512), nullable=False),  # the schema object's plain name
    sa.Index("ix_contract_datasets_dataset", "dataset"),
    sa.Index("ix_contract_datasets_name", "name"),
)
