"""cases: the classifier's own verdict (priority, critical, reason), kept as it was

Staff correct the classifier (#priority, #critical, `cases priority|critical`); the
case's priority and critical flag then hold the correction, and its critical_reason
what made it critical (staff, say). `oo-support triage misses` lists the verdict beside
the correction as training data for the rules. Cases from before: the verdict is their
priority, flag and reason now when staff never changed them, else unknown (NULL).

Plain ADD/DROP COLUMN (no batch copy): on SQLite a copy of `cases` would drop the
search triggers of 0012.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("triage_priority", "triage_critical", "triage_reason")


def upgrade() -> None:
    op.add_column("cases", sa.Column("triage_priority", sa.String(length=16), nullable=True))
    op.add_column("cases", sa.Column("triage_critical", sa.Boolean(), nullable=True))
    op.add_column("cases", sa.Column("triage_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE cases SET triage_priority = priority, triage_critical = critical, "
        "triage_reason = critical_reason WHERE NOT EXISTS (SELECT 1 FROM case_events e "
        "WHERE e.case_id = cases.id AND e.action = 'priority')"
    )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("cases", name)
