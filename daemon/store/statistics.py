"""The planner's statistics of the tables the intake writes, taken once they matter.

PostgreSQL plans a statement psycopg has prepared (after its 5th run) once, generically,
and keeps that plan while the table grows: nothing but new statistics (an ANALYZE) or a
change of the table's definition makes it plan again. On a database that was never
analysed (a fresh install; autovacuum off, or not yet run) the intake's look-ups are
prepared while `messages` is a few pages, where a sequential scan is the cheaper plan,
and go on scanning the whole table for every batch after: the dedupe look-up of a
5,000-mail pass went from 14 ms to 0.9-1.6 s, 144 sequential scans instead of 28, when a
storage setting of `messages` made its first pages a little different (issue 18, pg23,
pg24). Custom plans for every statement (`plan_cache_mode`) would re-plan the
foreign-key checks of every row too, and without statistics still guess a look-up by a
column that is not unique (`message_id`) at 0.5 % of the table a value: a sequential
scan.

So the intake analyses those tables once itself, when it has stored enough mail for
the statistics to describe the table, and only if they have none worth the name. The
ANALYZE invalidates the plans prepared so far: the look-ups are planned again, with
statistics that scale as the table grows (the planner multiplies their row density by
the table's size at planning time). Once per process at most; a database analysed
already costs one catalog query.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# The tables the intake's look-ups read; the ones it writes a row a mail.
INTAKE_TABLES = ("messages", "cases")
# Mails stored by this process before it looks: a few batches, so the generic plans made
# until then scan at most this many rows, and the statistics describe more than a page.
ENOUGH_MAILS = 500

# The intake tables with no statistics or statistics from fewer rows than the intake
# has stored since: reltuples < 0 is "never analysed nor vacuumed" (PostgreSQL 14+),
# and a VACUUM without ANALYZE sets reltuples but leaves the statistics empty. Read
# through pg_stats, which any role may read for the columns it may read: pg_statistic
# itself is for superusers only, and a daemon's role is none (CI's `oo_ci` found it).
_STALE = text(
    "SELECT c.relname FROM pg_class c"
    " WHERE c.relname IN :tables AND c.relkind = 'r'"
    " AND c.relnamespace = to_regnamespace(current_schema())"
    " AND (c.reltuples < :rows"
    "      OR NOT EXISTS (SELECT FROM pg_stats s"
    "                     WHERE s.schemaname = current_schema() AND s.tablename = c.relname))"
).bindparams(bindparam("tables", expanding=True))


class IntakeStatistics:
    """Counts the mails this process stores; past ENOUGH_MAILS, analyses the intake
    tables once if their statistics are missing or from a much smaller table.

    Shared by the threads that store mail (the IMAP pass, the SMTP listener)."""

    def __init__(self, enough: int = ENOUGH_MAILS) -> None:
        self.enough = enough
        self._stored = 0
        self._looked = False
        self._lock = threading.Lock()

    def stored(self, engine: Engine, mails: int) -> None:
        """`mails` were committed: look, once, when the count passes `enough`."""
        with self._lock:
            self._stored += mails
            if self._looked or self._stored < self.enough:
                return
            self._looked = True
        if engine.dialect.name == "postgresql":
            analyse_stale(engine, self.enough)


def analyse_stale(engine: Engine, rows: int) -> list[str]:
    """ANALYZE the intake tables whose statistics are missing or from fewer than `rows`
    rows; the names analysed. SKIP_LOCKED: another daemon analysing them (or a
    migration holding them) is not waited for; its statistics serve as well. A failure
    is logged, never raised: the mail is committed and plans only cost time."""
    try:
        with engine.begin() as conn:
            stale = [
                str(name)
                for name in conn.execute(_STALE, {"tables": INTAKE_TABLES, "rows": rows}).scalars()
            ]
            if stale:
                # Names from the fixed INTAKE_TABLES only, as the catalog spells them.
                conn.exec_driver_sql(f"ANALYZE (SKIP_LOCKED) {', '.join(sorted(stale))}")
    except Exception as exc:  # noqa: BLE001 - statistics are an optimisation, never a failure
        log.warning("intake tables not analysed: %s", exc)
        return []
    if stale:
        log.info("analysed %s: their statistics were missing or from a small table", stale)
    return sorted(stale)
