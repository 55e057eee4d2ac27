"""Schema migrations (Alembic), and the check that the database fits this program.

Only `oo-support run`, `db upgrade` and `customers sync` migrate. Every other command
checks the schema's revision against `SCHEMA_HEAD` with one query (Alembic itself is
imported only to migrate: it costs a read command a third of a second) and refuses,
in one line, to work on a database older or newer than the code.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from daemon.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision under migrations/versions; a test holds it to Alembic's head.
SCHEMA_HEAD = "0021"
# Every revision this program knows, oldest first (the file names' prefixes).
KNOWN_REVISIONS = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0008", "0010", "0011", "0012", "0013",
    "0014", "0015", "0017", "0018", "0019", "0020", "0021",
)

# Any constant works; it only has to be the same in every daemon process.
_MIGRATION_LOCK = 0x0051_0001


class SchemaError(Exception):
    """The database's schema does not fit this program; the message says what to do."""


class SchemaState(Enum):
    EMPTY = "empty"  # no schema at all: a first start creates it
    CURRENT = "current"
    OLDER = "older"  # `oo-support db upgrade` brings it to SCHEMA_HEAD
    NEWER = "newer"  # written by a newer oo-support: this one must not touch it


def revision(conn: Connection) -> str | None:
    """The schema's Alembic revision, or None when the database has no schema."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def state_of(current: str | None) -> SchemaState:
    if current is None:
        return SchemaState.EMPTY
    if current == SCHEMA_HEAD:
        return SchemaState.CURRENT
    return SchemaState.OLDER if current in KNOWN_REVISIONS else SchemaState.NEWER


def require_current(engine: Engine) -> None:
    """Raise SchemaError unless the schema is exactly the one this program was built for."""
    with engine.connect() as conn:
        current = revision(conn)
    state = state_of(current)
    if state is SchemaState.CURRENT:
        return
    if state is SchemaState.EMPTY:
        raise SchemaError(
            "the database has no schema yet: `oo-support db upgrade` (or `run`) creates it"
        )
    raise SchemaError(mismatch(current, state))


def mismatch(current: str | None, state: SchemaState) -> str:
    if state is SchemaState.NEWER:
        return (
            f"the database schema ({current}) is newer than this program ({SCHEMA_HEAD}):"
            " install the oo-support that wrote it"
        )
    return (
        f"the database schema ({current}) is older than this program ({SCHEMA_HEAD}):"
        " run `oo-support db upgrade`"
    )


def alembic_config() -> Config:
    """Alembic's settings for the migrations installed with the package.

    No alembic.ini: that file is for developers running `alembic` in a checkout, and
    it is not installed. Its logging sections are not needed here (env.py sets up no
    logging; the daemon's own does).
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest schema; safe when two daemons start at once.

    Returns (revision before, revision after). A schema newer than the code is refused.
    """
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Held until commit: a second daemon waits, then finds nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        before = revision(conn)
        if state_of(before) is SchemaState.NEWER:
            raise SchemaError(mismatch(before, SchemaState.NEWER))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, SCHEMA_HEAD
