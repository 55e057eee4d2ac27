"""messages.raw: compressed with lz4 instead of pglz on PostgreSQL

PostgreSQL compresses every bytea value over ~2 KB before it stores it, with pglz by
default. Most of a mailbox's bytes are base64 attachments, which pglz cannot shrink
(1.3 % over the benchmark corpus) but spends ~1.4 ms of the server's CPU a mail
trying, inside the batch INSERT the IMAP pass waits on. lz4 tries (and shrinks text
mail) at a fraction of that: 1,000 corpus mails re-inserted server-side took 1.5-1.8 s
with pglz, 0.34-0.55 s with lz4 (benchmarks/README.md, issue 18). The bytes stored
are the same; only new values are written with lz4, old ones stay readable as they are.

PostgreSQL built without lz4 keeps pglz (the setting then does not offer it); SQLite
has no such setting.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _lz4_available() -> bool:
    found = op.get_bind().execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
            " WHERE name = 'default_toast_compression'"
        )
    )
    return bool(found.scalar())


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and _lz4_available():
        op.execute("ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION DEFAULT")
