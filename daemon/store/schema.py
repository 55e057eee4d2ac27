"""The database schema (SQLAlchemy Core). Migrations in migrations/ must match it.

Times are stored in UTC and always come back timezone-aware (UTCDateTime), on
PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Sequence,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect

# Case numbers start here so a reference always has six digits ([OO#100001]).
FIRST_CASE_NUMBER = 100001


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive input is a bug."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC there and re-attach it on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

case_number_seq = Sequence("case_number_seq", start=FIRST_CASE_NUMBER, metadata=metadata)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("domain", String(255), nullable=False, unique=True),
    Column("name", Text, nullable=False, default=""),
    Column("agreement", Boolean, nullable=False, default=False),
    Column("primary_supporter", String(320)),
    Column("secondary_supporter", String(320)),
    Column("language", String(2)),
    Column("created_at", UTCDateTime, nullable=False),
    # The customer's own hourly rates excl. VAT, where agreed (BR-15); NULL: the list rate.
    Column("rate_support", Numeric(10, 2)),
    Column("rate_project", Numeric(10, 2)),
    Column("rate_senior", Numeric(10, 2)),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    # From case_number_seq on PostgreSQL, MAX+1 in one statement on SQLite (repository).
    Column("number", BigInteger, nullable=False, unique=True),
    Column("subject", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("critical", Boolean, nullable=False, default=False),
    Column("critical_reason", Text),
    Column("channel", String(16), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.id")),
    Column("customer_email", String(320), nullable=False),
    Column("customer_domain", String(255), nullable=False),
    Column("agreement", Boolean, nullable=False, default=False),
    Column("language", String(2), nullable=False),
    Column("assignee", String(320)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("review_due", UTCDateTime),
    Column("reviewed_at", UTCDateTime),
    Column("response_due", UTCDateTime),
    Column("resolve_due", UTCDateTime),
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    # Facts staff should see at a glance, e.g. "unverified staff sender".
    Column("flags", JSON, nullable=False, default=list),
    Column("triage_rule", Text),  # the classification rule that matched, for staff
    # The classifier's own verdict, kept when staff correct priority and critical above
    # (`triage misses`): NULL for cases from before migration 0017 that staff changed.
    Column("triage_priority", String(16)),
    Column("triage_critical", Boolean),
    Column("triage_reason", Text),  # why, critical or not: the rule and its words
    # Staff marked it new work: a project, billed in full (BR-14).
    Column("project", Boolean, nullable=False, default=False, server_default=false()),
    # Its terms (BR-15, BR-18 example 4): the senior rate, and the agreed time in minutes
    # that is billed instead of the time logged ("Afregnes efter den aftalte tid").
    Column("project_senior", Boolean, nullable=False, default=False, server_default=false()),
    Column("project_estimate_minutes", Integer),
    # Why it looks like new work on arrival (the words matched), for staff to decide.
    Column("possible_project", Text),
    # A customer writing on a case closed too long ago gets a new case linked to it.
    Column("linked_case_id", Integer, ForeignKey("cases.id")),
    Index("ix_cases_status_created_at", "status", "created_at"),
    Index("ix_cases_customer_email", "customer_email"),
    # The scheduler's questions: which open cases are near or past a deadline.
    Index("ix_cases_review_due", "review_due"),
    Index("ix_cases_response_due", "response_due"),
    Index("ix_cases_resolve_due", "resolve_due"),
)

# Every mail in or out, including mail that became no case (kind "rejected"):
# the raw RFC 5322 bytes are kept, so nothing that reached the daemon is lost.
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), index=True),
    Column("direction", String(3), nullable=False),  # "in" | "out"
    # in: customer, staff, note (#internal), auto (automatic, on a case), bounce,
    #     ignored (automatic, no case), rejected; out: ack, reply, notice
    Column("kind", String(16), nullable=False),
    Column("message_id", Text),
    Column("in_reply_to", Text),
    Column("references", Text),
    Column("from_addr", String(320)),
    Column("from_name", Text),
    Column("to_addrs", JSON, nullable=False, default=list),
    Column("cc_addrs", JSON, nullable=False, default=list),
    Column("subject", Text, nullable=False, default=""),
    Column("body_text", Text, nullable=False, default=""),
    Column("at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    # Inbound only: "mid:"/"nid:" + sha256 of (Message-ID or Date) + sender + body, or
    # "sha:<sha256 of the bytes>" (daemon/mail/identity.py dedupe_key).
    # Unique, so a mail delivered twice, re-read after a crash, or raced by a
    # second daemon can never become a second case.
    Column("dedupe_key", String(80), unique=True),
    Column("source", String(64), nullable=False),  # "imap:INBOX", "smtp", "daemon"
    Column("source_uidvalidity", BigInteger),
    Column("source_uid", BigInteger),
    Column("reject_reason", Text),
    Column("created_at", UTCDateTime, nullable=False),
)
# The indexes below marked "migrations: ..." are declared by name and columns only;
# what is particular to a database (a partial index's WHERE, PostgreSQL's hash method)
# is in the migration that makes them. A dialect option here would load the dialect's
# package (for postgresql_*: every PostgreSQL driver module) on every command, a read
# on SQLite included (benchmarks/cli_startup.py); tests/integration/test_migrations.py
# checks that the migrated databases have them as the migrations say.
# Migrations: USING hash on PostgreSQL (0001); a plain index on SQLite.
Index("ix_messages_message_id", messages.c.message_id)
# The acknowledgements of the last hour, for the rate limits (domain/ack_policy.py).
# Migrations: partial, WHERE kind = 'ack', on both databases (0008).
Index("ix_messages_ack_at", messages.c.at)

# A mail that arrives again (the same identity: Message-ID, sender and content) is not
# stored twice; each arrival is recorded here with the message it repeats, so nothing
# that reached the daemon goes unaccounted for (`oo-support ignored list`). A re-read
# of the same IMAP message (after a crash) is no new arrival and is not recorded.
duplicates = Table(
    "duplicates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_pk", Integer, ForeignKey("messages.id"), nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("source_uidvalidity", BigInteger),
    Column("source_uid", BigInteger),
    Column("raw_sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_pk", Integer, ForeignKey("messages.id"), nullable=False, index=True),
    # The content stays in messages.raw; part_index finds it there again.
    Column("part_index", Integer, nullable=False),
    Column("filename", Text, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", Integer, nullable=False),
)

# Transactional outbox: a row is written in the same transaction as what caused it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_pk", Integer, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("case_id", Integer, ForeignKey("cases.id")),
    Column("envelope_from", String(320), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # queued | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    # Migrations: partial, WHERE status = 'queued', on both databases (0004).
    Index("ix_outbox_queued", "next_attempt_at", "id"),
)

time_entries = Table(
    "time_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("minutes", Integer, nullable=False),
    Column("staff", String(320), nullable=False),
    Column("at", UTCDateTime, nullable=False),  # when the work started (BR-16)
    Column("kind", String(16), nullable=False),  # support | project | senior (BR-15)
    Column("after_hours", Boolean, nullable=False),
    Column("message_pk", Integer, ForeignKey("messages.id")),  # the #time command's mail
    Column("created_at", UTCDateTime, nullable=False),
    # Taken back (`time remove`): billed no more from then on; kept for the months
    # that billed it (domain/monthly_billing.py credits it in the month it went).
    Column("removed_at", UTCDateTime),
    Column("removed_by", String(320)),
)

# Every reminder, escalation, page and SLA breach, once per case and kind: the unique
# key is what keeps two daemons (or a re-run) from sending one twice. One mail may
# list many alerts; on-call pages wait out a quiet period or a cap, so
# the row also says when a mail about it was queued, or why none ever will be.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # NULL with withheld NULL: a page waiting for the follow-up (domain/paging.py).
    Column("notified_at", UTCDateTime),
    Column("withheld", String(32)),  # sender_cap | customer_cap | office_open | settled
    UniqueConstraint("case_id", "kind", name="uq_alerts_case_id_kind"),
    # The pager's questions: what waits, and what was paged in this window.
    Index("ix_alerts_kind_notified_at", "kind", "notified_at"),
)

# Fixed charges on a case, e.g. the on-call fee for a non-critical call (BR-10).
case_fees = Table(
    "case_fees",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("amount", Numeric(10, 2), nullable=False),  # DKK excl. VAT
    Column("added_by", String(320), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A case's history: who did what to it and when, whether by mail (#status, #assign,
# ...), at the command line (`cases close`, `cases reply`, ...) or as a customer whose
# reply reopened it. `detail` holds what changed, e.g. {"from": "open", "to": "closed"}.
case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),  # when it happened (a mail's arrival)
    Column("actor", String(320), nullable=False),  # an address, or a login name
    Column("action", String(32), nullable=False),  # status, priority, assign, note, reply, ...
    Column("detail", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
)

# One monthly report mail per customer and month, whichever daemon sends it.
report_runs = Table(
    "report_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),
    Column("customer_domain", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("month", "customer_domain", name="uq_report_runs_month"),
)

mailbox_state = Table(
    "mailbox_state",
    metadata,
    Column("mailbox", String(255), primary_key=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# How often each mail of a mailbox was taken up, across passes and restarts: counted
# before a batch is processed (and committed first), so a mail that crashes or hangs
# the daemon still counts; after `[imap] max_attempts` it is quarantined. The row is
# removed once the mail is stored (or left in the mailbox). `holder`: the key of the
# advisory lock of the IMAP pass taking the mail up (repository.take_up_mails); a row
# of count 0 is a mail held and not yet counted.
mail_attempts = Table(
    "mail_attempts",
    metadata,
    Column("source", String(255), primary_key=True),
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("last_error", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("holder", BigInteger),
)

# Staff who may sign in to the web console (`oo-support staff add`), argon2 hashes.
staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The last change: a new password or a sign-out; a session issued before it is over.
    Column("updated_at", UTCDateTime, nullable=False),
)

# Sign-in attempts of the web console, for its rate limits: in the database, so every
# console process on it counts the same attempts.
web_login_attempts = Table(
    "web_login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account", String(320), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_web_login_attempts_at", "at"),
)


# Full-text search (`cases search`) is built differently per database, so it is not
# declared above but made by migration 0012, and daemon/store/search.py queries it:
# - PostgreSQL: GIN indexes on to_tsvector('danish', ...) of a case's subject and of the
#   texts people wrote on it (the messages of SEARCHED_KINDS), each cut to a length
#   that keeps a tsvector far below its 1 MB limit, whatever a mail holds;
# - SQLite: two contentless FTS5 tables, kept by triggers, over the same texts.
# The expressions here, in the migration and in search.py must stay the same, or
# PostgreSQL stops using the indexes (tests/integration/test_staff_cli.py checks it).
# A later migration that rebuilds cases or messages on SQLite (batch_alter_table copies
# the table) drops their triggers, and must create them again.
SEARCH_SUBJECT_CHARS = 1_000
SEARCH_BODY_CHARS = 100_000
# What people wrote: not the daemon's acknowledgements and notices (the same words on
# every case) nor automatic mail, bounces, or mail that became no case.
SEARCHED_KINDS = ("customer", "staff", "note", "phone", "reply")
SEARCH_INDEXES = ("ix_cases_search", "ix_messages_search")  # PostgreSQL
SEARCH_TABLES = ("search_cases", "search_messages")  # SQLite FTS5, and their shadow tables


def declared_here(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's include_name: leave the search objects above out of schema comparisons
    (autogenerate, tests/integration/test_migrations.py); they are not declared here."""
    if name is None:
        return True
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    if type_ == "table":
        return not any(name == t or name.startswith(f"{t}_") for t in SEARCH_TABLES)
    return True
