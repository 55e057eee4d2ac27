"""Shared fixtures: real Dovecot, a real SMTP sink and a fresh PostgreSQL database.

The servers themselves live in tests/servers.py (importable without pytest, so
benchmarks use them too). No daemon imports here.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline in any property test: hypothesis's default (200 ms) is a
# timed assertion, and on a shared 2-core machine the first example of a test (zone
# files, caches) took 336 ms once and 12 ms when retried (FlakyFailure in
# test_business_calendar). Speed is measured by benchmarks/, never asserted by tests.
settings.register_profile("oneoffice", deadline=None)
settings.load_profile("oneoffice")

# Make tests/servers.py importable as `servers` whatever pytest's import mode is
# (with --import-mode=importlib pytest does not put tests/ on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import run_cli, write_config  # noqa: E402
from servers import DatabaseDropper, Dovecot, SmtpSink, postgres_database  # noqa: E402


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot of its own for each test (function scope, by measurement: start takes
    ~0.03 s and the kill() teardown ~0.005 s, so isolation costs nothing worth saving).

    Not under pytest's tmp_path: Dovecot reads mail as the `dovecot` user, who cannot
    enter /tmp/pytest-of-root (mode 0700).
    """
    root = Path(tempfile.mkdtemp(prefix="oo-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        # kill(), not stop(): the graceful stop costs ~1.1 s and this mail is discarded.
        server.kill()
        if server.log_path.exists():
            # Captured, so pytest shows it only for a failing test.
            print(f"--- {server.log_path} (tail)")
            print(server.log_path.read_text(errors="replace")[-3000:])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 capturing what the code under test sends."""
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def _database_dropper() -> Iterator[DatabaseDropper]:
    """Drops each test's database while the next tests run (see DatabaseDropper); the
    session ends only when all are gone."""
    dropper = DatabaseDropper()
    try:
        yield dropper
    finally:
        dropper.close()


@pytest.fixture
def pg_url(_database_dropper: DatabaseDropper) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database, dropped after the test (in the
    background, by the session's DatabaseDropper)."""
    with postgres_database(dropper=_database_dropper) as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a database that `oo-support db upgrade` brought to the newest schema,
    made once per test process (each xdist worker) and only copied, never connected to,
    by the tests: PostgreSQL refuses to copy a template that has a connection open."""
    with postgres_database("oo_template") as url:
        config = write_config(tmp_path_factory.mktemp("template") / "oo.toml", database_url=url)
        run_cli("db", "upgrade", config=config)
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_pg_url(_migrated_template: str, _database_dropper: DatabaseDropper) -> Iterator[str]:
    """Like pg_url, but at the newest schema already: a copy of the session's migrated
    template, for tests whose subject is not the migration itself (a copy takes ~0.05 s,
    `db upgrade` in a subprocess ~0.6 s). The copy is the test's own; nothing it writes
    reaches the template or another test."""
    with postgres_database(template=_migrated_template, dropper=_database_dropper) as url:
        yield url
