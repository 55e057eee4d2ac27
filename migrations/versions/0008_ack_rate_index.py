"""messages: partial index over the acknowledgements, by time, for the ack limits

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every new case counts the acks of the last hour (per address, per domain, in
    # all): without this index that is a scan of every message ever stored.
    op.create_index(
        "ix_messages_ack_at",
        "messages",
        ["at"],
        postgresql_where=sa.text("kind = 'ack'"),
        sqlite_where=sa.text("kind = 'ack'"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_ack_at", table_name="messages")
