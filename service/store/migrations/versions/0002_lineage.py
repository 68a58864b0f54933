"""The lineage graph: nodes, jobs, edges with intervals, datasets, runs and assertions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "lineage_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lineage_meta"),
    )
    op.create_table(
        "lineage_nodes",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(2048), nullable=False),
        sa.Column("dataset", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_lineage_nodes"),
    )
    op.create_table(
        "lineage_jobs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(2048), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lineage_jobs"),
    )
    op.create_table(
        "lineage_edges",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("job", sa.Integer(), nullable=False),
        sa.Column("origin", sa.SmallInteger(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("retired_at", sa.BigInteger(), nullable=True),
        sa.Column("dataset_level", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lineage_edges"),
    )
    op.create_table(
        "lineage_datasets",
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("owners", JSONDoc, nullable=False),
        sa.Column("is_feature", sa.Boolean(), nullable=False),
        sa.Column("contract_id", sa.String(512), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_lineage_datasets"),
    )
    op.create_table(
        "lineage_runs",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(256), nullable=False),
        sa.Column("job", sa.String(2048), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("reads", JSONDoc, nullable=False),
        sa.Column("writes", JSONDoc, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_lineage_runs"),
    )
    op.create_index("ix_lineage_runs_time", "lineage_runs", ["time"])
    op.create_table(
        "lineage_assertions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(1024), nullable=False),
        sa.Column("column", sa.String(1024), nullable=True),
        sa.Column("assertion", sa.String(512), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(256), nullable=False),
        sa.Column("job", sa.String(2048), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_lineage_assertions"),
    )
    op.create_index("ix_lineage_assertions_dataset", "lineage_assertions", ["dataset"])


def downgrade() -> None:
    op.drop_index("ix_lineage_assertions_dataset", table_name="lineage_assertions")
    op.drop_table("lineage_assertions")
    op.drop_index("ix_lineage_runs_time", table_name="lineage_runs")
    op.drop_table("lineage_runs")
    op.drop_table("lineage_datasets")
    op.drop_table("lineage_edges")
    op.drop_table("lineage_jobs")
    op.drop_table("lineage_nodes")
    op.drop_table("lineage_meta")
