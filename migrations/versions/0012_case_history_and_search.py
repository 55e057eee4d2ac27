"""case_events (a case's history), and full-text search over subjects and texts

case_events records who did what to a case, by mail or at the command line.

Search differs per database (daemon/store/schema.py, "Full-text search"):
PostgreSQL gets GIN indexes on to_tsvector('danish', ...); SQLite gets contentless
FTS5 tables kept by triggers, filled here from what is stored already. The lengths
and message kinds below are schema.SEARCH_SUBJECT_CHARS, SEARCH_BODY_CHARS and
SEARCHED_KINDS as of this revision, written out so the migration stays as it was.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = "('customer', 'staff', 'note', 'phone', 'reply')"
_SEARCHED = f"case_id IS NOT NULL AND kind IN {_KINDS}"

_POSTGRESQL = [
    "CREATE INDEX ix_cases_search ON cases"
    " USING gin (to_tsvector('danish', left(subject, 1000)))",
    "CREATE INDEX ix_messages_search ON messages"
    f" USING gin (to_tsvector('danish', left(body_text, 100000))) WHERE {_SEARCHED}",
]

# Contentless (content=''): the texts stay in cases and messages only; a row is removed
# with the 'delete' command and the values it was added with, which the triggers have.
_SQLITE = [
    "CREATE VIRTUAL TABLE search_cases USING fts5("
    "subject, content='', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_messages USING fts5("
    "body_text, content='', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO search_cases (rowid, subject) SELECT id, substr(subject, 1, 1000) FROM cases",
    "INSERT INTO search_messages (rowid, body_text)"
    f" SELECT id, substr(body_text, 1, 100000) FROM messages WHERE {_SEARCHED}",
    """CREATE TRIGGER search_cases_insert AFTER INSERT ON cases BEGIN
        INSERT INTO search_cases (rowid, subject) VALUES (new.id, substr(new.subject, 1, 1000));
    END""",
    """CREATE TRIGGER search_cases_delete AFTER DELETE ON cases BEGIN
        INSERT INTO search_cases (search_cases, rowid, subject)
        VALUES ('delete', old.id, substr(old.subject, 1, 1000));
    END""",
    """CREATE TRIGGER search_cases_update AFTER UPDATE OF subject ON cases BEGIN
        INSERT INTO search_cases (search_cases, rowid, subject)
        VALUES ('delete', old.id, substr(old.subject, 1, 1000));
        INSERT INTO search_cases (rowid, subject) VALUES (new.id, substr(new.subject, 1, 1000));
    END""",
    f"""CREATE TRIGGER search_messages_insert AFTER INSERT ON messages
    WHEN new.case_id IS NOT NULL AND new.kind IN {_KINDS} BEGIN
        INSERT INTO search_messages (rowid, body_text)
        VALUES (new.id, substr(new.body_text, 1, 100000));
    END""",
    f"""CREATE TRIGGER search_messages_delete AFTER DELETE ON messages
    WHEN old.case_id IS NOT NULL AND old.kind IN {_KINDS} BEGIN
        INSERT INTO search_messages (search_messages, rowid, body_text)
        VALUES ('delete', old.id, substr(old.body_text, 1, 100000));
    END""",
    # Two triggers, one for each side: a message may enter or leave the searched set.
    f"""CREATE TRIGGER search_messages_update_old AFTER UPDATE OF case_id, kind, body_text
    ON messages WHEN old.case_id IS NOT NULL AND old.kind IN {_KINDS} BEGIN
        INSERT INTO search_messages (search_messages, rowid, body_text)
        VALUES ('delete', old.id, substr(old.body_text, 1, 100000));
    END""",
    f"""CREATE TRIGGER search_messages_update_new AFTER UPDATE OF case_id, kind, body_text
    ON messages WHEN new.case_id IS NOT NULL AND new.kind IN {_KINDS} BEGIN
        INSERT INTO search_messages (rowid, body_text)
        VALUES (new.id, substr(new.body_text, 1, 100000));
    END""",
]
_SQLITE_TRIGGERS = [
    "search_cases_insert",
    "search_cases_delete",
    "search_cases_update",
    "search_messages_insert",
    "search_messages_delete",
    "search_messages_update_old",
    "search_messages_update_new",
]


def upgrade() -> None:
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL if dialect == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_messages_search")
        op.execute("DROP INDEX ix_cases_search")
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE search_messages")
        op.execute("DROP TABLE search_cases")
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.drop_table("case_events")
