"""messages.raw: stored out of line uncompressed (STORAGE EXTERNAL) on PostgreSQL

0018 made PostgreSQL compress raw mail with lz4 rather than pglz. What is left of it is
still ~16 % of the server's CPU in the IMAP pass's COPY of messages (issue 18, pg23's
profile: TOAST of raw, lz4 4 %), for little: most of a mailbox's bytes are base64
attachments, which lz4 gives up on (164 MB of the benchmark's 224 MB), and the text
mail it does shrink shrinks by a sixth (60 -> 50 MB). Stored as it came, raw costs ~5 %
more disk and WAL, and reading a stored mail's header (the dedupe step's
`inbound_heads`, `substr(raw, 1, n)`) fetches only its first chunks instead of
decompressing the whole value. The bytes stored are the same; only new values are
written this way, old ones stay readable as they are.

It waited for pg24's statistics (daemon/store/statistics.py): the changed heap had
flipped the dedupe look-up's cached plan on a never-analysed table to a sequential scan.

SQLite has no such setting.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE messages ALTER COLUMN raw SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE messages ALTER COLUMN raw SET STORAGE EXTENDED")
