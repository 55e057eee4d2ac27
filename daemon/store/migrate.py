"""Schema migrations (Alembic), run by `oo-support db upgrade` and at every start."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from daemon.settings import PACKAGE_ROOT

# Any constant works; it only has to be the same in every daemon process.
_MIGRATION_LOCK = 0x0051_0001


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; safe when two daemons start at once."""
    config = Config(str(PACKAGE_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PACKAGE_ROOT / "migrations"))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Held until commit: a second daemon waits, then finds nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
