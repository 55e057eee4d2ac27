"""mailbox_state: drop last_uid, which nothing read

Mail is found by what is in the folder (moved out, or flagged, once stored) and
recognised by its identity, so a UID high-water mark was never needed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mailbox_state") as batch_op:
        batch_op.drop_column("last_uid")


def downgrade() -> None:
    with op.batch_alter_table("mailbox_state") as batch_op:
        batch_op.add_column(
            sa.Column("last_uid", sa.BigInteger(), nullable=False, server_default="0")
        )
