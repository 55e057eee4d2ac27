"""Schema migrations (Alembic), run by `oo-support db upgrade` and at every start."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from daemon.resources import migrations_dir

# Any constant works; it only has to be the same in every daemon process.
_MIGRATION_LOCK = 0x0051_0001


def alembic_config() -> Config:
    """Alembic's settings for the migrations installed with the package.

    No alembic.ini: that file is for developers running `alembic` in a checkout, and
    it is not installed. Its logging sections are not needed here (env.py sets up no
    logging; the daemon's own does).
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; safe when two daemons start at once."""
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Held until commit: a second daemon waits, then finds nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
