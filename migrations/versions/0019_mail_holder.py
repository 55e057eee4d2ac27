"""mail_attempts.holder: the IMAP pass that holds a mail while it is tried (idle23)

Several daemons on one mailbox and database (two machines, a failover, an operator's
`poll --once` beside the service) each counted a try for the same healthy mail before
preparing it, and it reached `[imap] max_attempts` without having failed. A pass now
takes a mail up by writing its key here (a session-level advisory lock it holds while
it lives); a mail whose holder is alive is left to it, and only a holder that died
leaves a try that counts.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("mail_attempts", sa.Column("holder", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("mail_attempts", "holder")
