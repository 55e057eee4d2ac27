"""time_entries.removed_at, removed_by: a time entry taken back (`time remove`)

A time entry logged by mistake ("#time 250" for 25, the wrong case) could not be
corrected: the customer's bill and every later monthly report billed it. It is not
deleted: a month's report depends only on what was known by its end (domain/
monthly_billing.py), so the entry is known from when it was logged until it was
removed, and the month it is removed in credits what earlier months billed of it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("time_entries", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("time_entries", sa.Column("removed_by", sa.String(320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("time_entries") as batch:
        batch.drop_column("removed_by")
        batch.drop_column("removed_at")
