"""duplicates: every re-delivery of a stored mail, with the message it repeats

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_pk", sa.Integer, sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_uidvalidity", sa.BigInteger),
        sa.Column("source_uid", sa.BigInteger),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_duplicates_message_pk", "duplicates", ["message_pk"])


def downgrade() -> None:
    op.drop_index("ix_duplicates_message_pk", table_name="duplicates")
    op.drop_table("duplicates")
