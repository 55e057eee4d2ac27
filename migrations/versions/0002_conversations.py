"""conversations: case flags and links, time entries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("linked_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_cases_linked_case_id_cases", "cases", ["linked_case_id"], ["id"]
        )
        batch_op.create_index("ix_cases_customer_email", ["customer_email"])
    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("staff", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("after_hours", sa.Boolean(), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_time_entries_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name="fk_time_entries_message_pk_messages"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_time_entries"),
    )
    op.create_index("ix_time_entries_case_id", "time_entries", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_time_entries_case_id", table_name="time_entries")
    op.drop_table("time_entries")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_customer_email")
        batch_op.drop_constraint("fk_cases_linked_case_id_cases", type_="foreignkey")
        batch_op.drop_column("linked_case_id")
        batch_op.drop_column("flags")
