"""Runs, their results and profiles; the contracts registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(512), nullable=False),
        sa.Column("contract_id", sa.String(512), nullable=False),
        sa.Column("contract_version", sa.String(128), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("blocking", sa.Integer(), nullable=False),
        sa.Column("fail_on", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("report", JSONDoc, nullable=False),
        sa.Column("extra", JSONDoc, nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
    )
    op.create_index("ix_runs_dataset_started", "runs", ["dataset", "started_at"])
    op.create_index("ix_runs_started", "runs", ["started_at"])

    op.create_table(
        "run_results",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(1024), nullable=False),
        sa.Column("reason", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("column", sa.String(512), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed_rows", sa.BigInteger(), nullable=False),
        sa.Column("detail", JSONDoc, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_run_results_run_id_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_run_results"),
    )
    op.create_index("ix_run_results_reason", "run_results", ["reason"])

    op.create_table(
        "run_profiles",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("profile", JSONDoc, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_run_profiles_run_id_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", name="pk_run_profiles"),
    )

    op.create_table(
        "contracts",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(512), nullable=False),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_contracts"),
        sa.UniqueConstraint("contract_id", "version", name="uq_contracts_id_version"),
    )

    op.create_table(
        "contract_datasets",
        sa.Column("contract_pk", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(512), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_pk"], ["contracts.pk"], name="fk_contract_datasets_contract_pk_contracts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("contract_pk", "dataset", name="pk_contract_datasets"),
    )
    op.create_index("ix_contract_datasets_dataset", "contract_datasets", ["dataset"])
    op.create_index("ix_contract_datasets_name", "contract_datasets", ["name"])


def downgrade() -> None:
    op.drop_index("ix_contract_datasets_name", table_name="contract_datasets")
    op.drop_index("ix_contract_datasets_dataset", table_name="contract_datasets")
    op.drop_table("contract_datasets")
    op.drop_table("contracts")
    op.drop_table("run_profiles")
    op.drop_index("ix_run_results_reason", table_name="run_results")
    op.drop_table("run_results")
    op.drop_index("ix_runs_started", table_name="runs")
    op.drop_index("ix_runs_dataset_started", table_name="runs")
    op.drop_table("runs")
