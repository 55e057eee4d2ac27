"""project terms and possible projects on cases

A case marked project is billed at the project or the senior rate, and by the agreed
time when it has an estimate ("Afregnes efter den aftalte tid", BR-15, BR-18 example
4); a new case about something new is flagged a possible project on arrival, with
the words that suggested it ("noget nyt der skal tilføjes", BR-14).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite batch mode copies `cases` into a new
# table, and the full-text search triggers on it (0012) would be lost with the old one.
# SQLite adds and (from 3.35) drops a column in place.
_COLUMNS = ("project_senior", "project_estimate_minutes", "possible_project")


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column("project_senior", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("cases", sa.Column("project_estimate_minutes", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("possible_project", sa.Text(), nullable=True))


def downgrade() -> None:
    for column in reversed(_COLUMNS):
        op.drop_column("cases", column)
