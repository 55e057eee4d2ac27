"""mail_attempts: how often each mailbox message was taken up (the quarantine)

A mail that fails every pass, or crashes the daemon, was re-read for ever and held
back its batch. Its tries are now counted per mailbox
identity, before it is processed, and after `[imap] max_attempts` it is quarantined.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_attempts",
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "uidvalidity", "uid"),
    )


def downgrade() -> None:
    op.drop_table("mail_attempts")
