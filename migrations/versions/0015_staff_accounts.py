"""staff_accounts and web_login_attempts: sign-in to the web console

Staff sign in to the browser console with an account made by `oo-support staff add`
(an argon2 hash, never the password); failed attempts are counted in the database so
that every console process applies the same rate limit.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("email", name="uq_staff_accounts_email"),
    )
    op.create_table(
        "web_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_login_attempts"),
    )
    op.create_index("ix_web_login_attempts_at", "web_login_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_web_login_attempts_at", table_name="web_login_attempts")
    op.drop_table("web_login_attempts")
    op.drop_table("staff_accounts")
