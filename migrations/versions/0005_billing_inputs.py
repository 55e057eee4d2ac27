"""billing inputs: customer rates, project cases, fees; monthly report runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        for kind in ("support", "project", "senior"):
            batch_op.add_column(sa.Column(f"rate_{kind}", sa.Numeric(10, 2), nullable=True))
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(
            sa.Column("project", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "case_fees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("added_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_fees_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_fees"),
    )
    op.create_index("ix_case_fees_case_id", "case_fees", ["case_id"])
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("customer_domain", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_runs"),
        sa.UniqueConstraint("month", "customer_domain", name="uq_report_runs_month"),
    )


def downgrade() -> None:
    op.drop_table("report_runs")
    op.drop_index("ix_case_fees_case_id", table_name="case_fees")
    op.drop_table("case_fees")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("project")
    with op.batch_alter_table("customers") as batch_op:
        for kind in ("support", "project", "senior"):
            batch_op.drop_column(f"rate_{kind}")
