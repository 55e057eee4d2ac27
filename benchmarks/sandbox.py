"""A throwaway Dovecot and PostgreSQL database under one temporary directory, and the
daemon's config pointing at them: what each benchmark run starts from.

Every run gets fresh servers, so no run inherits another's mailbox index, table bloat
or sequence values.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.floor import psycopg_url
from daemon.settings import Settings, SupportSettings
from tests.harness import clean_env, write_config
from tests.servers import Dovecot, postgres_database


def benchmark_overrides() -> dict[str, dict[str, Any]]:
    """Settings every benchmark changes from the daemon's defaults (results record them).

    The acknowledgement limits (per address, domain and in all, per wall-clock hour) are
    lifted:
    the corpus spans four weeks but is drained in seconds, so the limit would suppress
    acks the daemon in service would send, and the benchmark would measure less work
    than the daemon really does. Its lookup still runs. Only set where the daemon has
    the setting (its config refuses unknown keys).
    """
    overrides: dict[str, dict[str, Any]] = {}
    limits = ("ack_limit_per_hour", "ack_limit_per_domain_per_hour", "ack_limit_total_per_hour")
    lifted = {key: 1_000_000 for key in limits if key in SupportSettings.model_fields}
    if lifted:
        overrides["support"] = lifted
    # The scheduler's reminders and SLA alerts go to the same relay; counted as acks they
    # would end the wait early. The triage benchmark measures the scheduler on its own.
    if "scheduler" in Settings.model_fields:
        overrides["scheduler"] = {"enabled": False}
    return overrides


@dataclass(frozen=True)
class Sandbox:
    root: Path
    dovecot: Dovecot
    database_url: str  # SQLAlchemy form, as the daemon's config wants it

    def write_config(self, smtp_out: Any, extra: dict[str, dict[str, Any]] | None = None) -> Path:
        """The daemon's TOML config: this Dovecot, this database, `smtp_out` as relay,
        with benchmark_overrides() and then `extra` applied."""
        sections = benchmark_overrides()
        for name, values in (extra or {}).items():
            sections.setdefault(name, {}).update(values)
        return write_config(self.root / "oo.toml", database_url=self.database_url,
                            imap=self.dovecot, smtp_out=smtp_out, extra=sections)

    def filled(self, n: int, seed: int) -> Path:
        """n corpus mails in INBOX and the database migrated by the daemon itself (`db
        upgrade`, as an operator would); the config written for it (no relay)."""
        self.dovecot.append("INBOX", generate(n, seed))
        config = self.write_config(smtp_out=None)
        subprocess.run([sys.executable, "-m", "daemon", "db", "upgrade", "--config",
                        str(config)], cwd=report.REPO, env=clean_env(), check=True,
                       capture_output=True)
        return config

    def query(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Ask the database directly, not through the daemon's code under test."""
        with psycopg.connect(psycopg_url(self.database_url)) as conn:
            return conn.execute(statement, params).fetchall()

    def checkpoint(self) -> None:
        """Write out dirty buffers now, so a timed phase does not pay for the WAL and
        checkpoint work the phase before it caused."""
        with psycopg.connect(psycopg_url(self.database_url), autocommit=True) as conn:
            conn.execute("CHECKPOINT")


@contextlib.contextmanager
def sandbox(name: str) -> Iterator[Sandbox]:
    """Start Dovecot and create a database; remove both (and the directory) afterwards."""
    # Dovecot reads mail as the `dovecot` user, who must be able to enter the directory;
    # mkdtemp makes it 0700.
    root = Path(tempfile.mkdtemp(prefix=f"oo-bench-{name}-"))
    root.chmod(0o755)
    dovecot = Dovecot(root / "imap")
    try:
        dovecot.start()
        with postgres_database(f"oo_bench_{name}") as url:
            yield Sandbox(root, dovecot, url)
    finally:
        dovecot.kill()  # not stop(): the graceful stop costs ~1.1 s; the mail is discarded
        shutil.rmtree(root, ignore_errors=True)
