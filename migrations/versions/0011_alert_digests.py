"""alerts: when each was mailed, or why never (digests and on-call page caps)

One mail now lists many alerts, and an on-call page may wait for a quiet period to
end or be withheld by a cap per sender or customer. Existing alerts were
all mailed when they were raised.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_alerts_kind_notified_at", ["kind", "notified_at"])
    # Else every page raised before the upgrade would look like one still waiting.
    op.execute("UPDATE alerts SET notified_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_index("ix_alerts_kind_notified_at")
        batch_op.drop_column("withheld")
        batch_op.drop_column("notified_at")
