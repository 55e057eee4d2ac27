"""triage and SLA alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_alerts_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("case_id", "kind", name="uq_alerts_case_id_kind"),
    )
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("triage_rule", sa.Text(), nullable=True))
        batch_op.create_index("ix_cases_review_due", ["review_due"])
        batch_op.create_index("ix_cases_response_due", ["response_due"])
        batch_op.create_index("ix_cases_resolve_due", ["resolve_due"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_resolve_due")
        batch_op.drop_index("ix_cases_response_due")
        batch_op.drop_index("ix_cases_review_due")
        batch_op.drop_column("triage_rule")
    op.drop_table("alerts")
