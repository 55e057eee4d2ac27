"""The composition root: builds everything from Settings.

Tests build the same App with their own settings, servers and clock. What only some
commands need (the pipeline, templates, metrics, the IMAP source, the relay) is built
and imported on first use: a read command such as `cases list` needs the settings and
the database only, and starts in a fraction of the time (benchmarks/cli_startup.py).
The running daemon itself is in daemon/service.py.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING, Any, Literal

from daemon.clock import Clock, system_clock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from daemon import outbox
    from daemon.case_reads import CaseReads
    from daemon.case_work import CaseWork
    from daemon.domain.business_calendar import BusinessCalendar
    from daemon.inbound import IngestResult
    from daemon.mail.render import TemplateRenderer
    from daemon.oauth import TokenProvider
    from daemon.ops.health import Health
    from daemon.ops.metrics import Metrics
    from daemon.pipeline import Pipeline
    from daemon.settings import Settings
    from daemon.sources.imap import ImapSource
    from daemon.sources.prepare_pool import PreparePool

log = logging.getLogger(__name__)

# What a command may do to the database (see App.open_database).
Access = Literal["read", "write", "migrate"]


class App:
    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        create_database_dir: bool = True,
        counts_metrics: bool = True,
    ) -> None:
        self.settings = settings
        # False for a one-shot command: nothing serves its /metrics, and the counters'
        # library (prometheus_client with its HTTP and WSGI servers) cost `poll --once`
        # ~2 MB of resident memory (empty pass VmHWM 73.6 -> 71.4 MB; issue 18).
        self.counts_metrics = counts_metrics
        # A read-only command must not create ./var (nor the SQLite file in it).
        self.create_database_dir = create_database_dir
        self.clock: Clock = clock or system_clock
        # False when the clock is fixed (--now): then mail arrives "now", not at INTERNALDATE.
        self.server_time = clock is None
        # Re-reads the config file on SIGHUP (set by `run`; None: templates only).
        self.reload_settings: Callable[[], Settings] | None = None

    @functools.cached_property
    def engine(self) -> Engine:
        """The one engine of the process; made on first use (check-config may have none)."""
        from daemon.store.engine import make_engine

        database = self.settings.database
        return make_engine(database.url, echo=database.echo, create_dir=self.create_database_dir)

    @functools.cached_property
    def reads(self) -> CaseReads:
        """The read commands' queries (`cases list|show|search`, `ignored list`, `report`)."""
        from daemon.case_reads import CaseReads

        return CaseReads(self.engine, self.clock, lambda: self.calendar)

    @functools.cached_property
    def work(self) -> CaseWork:
        """Staff work on cases without mail (`cases close`, `time add`, ...)."""
        from daemon.case_work import CaseWork

        return CaseWork(self)

    @functools.cached_property
    def calendar(self) -> BusinessCalendar:
        from daemon.domain.business_calendar import BusinessCalendar

        hours = self.settings.hours
        return BusinessCalendar(
            timezone=self.settings.support.timezone,
            hours=hours.opening_hours(),
            closed_dates=hours.closed_month_days(),
            holiday_country=hours.holiday_country,
            extra_closed=frozenset(hours.extra_closed),
        )

    @functools.cached_property
    def tokens(self) -> TokenProvider | None:
        """The OAuth2 token provider IMAP and SMTP both sign in with (None without
        [oauth]), so the two share one token and one refresh.

        On the system clock, not the app's: `--now` fixes business time, while a token
        expires in real time.
        """
        if self.settings.oauth is None:
            return None
        from daemon.oauth import TokenProvider

        return TokenProvider(self.settings.oauth)

    @functools.cached_property
    def renderer(self) -> TemplateRenderer:
        from daemon.mail.render import TemplateRenderer

        return TemplateRenderer(self.settings.templates.dir)

    @functools.cached_property
    def metrics(self) -> Metrics:
        from daemon.ops.metrics import Metrics

        return Metrics(self.outbox_depth)

    @functools.cached_property
    def health(self) -> Health:
        from daemon.ops.health import Health

        return Health()

    @functools.cached_property
    def pipeline(self) -> Pipeline:
        from daemon.pipeline import Pipeline

        pipeline = Pipeline(self.settings, self.renderer, self.calendar, self.clock)
        if self.counts_metrics:
            pipeline.observers.append(self.metrics.ingested)
        return pipeline

    def open_database(self, access: Access) -> tuple[str | None, str] | None:
        """Make sure the schema fits before a command touches the database.

        "migrate" (run, db upgrade, customers sync): the newest schema, then the
        customer registry from the config (BR-19). "write" (commands that take in mail
        or record work): the schema must be current; a database without any schema is
        created on first use, as the first start does. "read": the schema must be
        current, and nothing is written. A schema newer than the code is refused by all.
        """
        from daemon.store import migrate

        if access == "migrate":
            return self.prepare_database()
        with self.engine.connect() as conn:
            state = migrate.state_of(migrate.revision(conn))
        if state is migrate.SchemaState.EMPTY and access == "write":
            return self.prepare_database()
        if state is not migrate.SchemaState.CURRENT:
            migrate.require_current(self.engine)  # raises, saying what to do
        return None

    def prepare_database(self) -> tuple[str | None, str]:
        """Newest schema, and the customer registry from the config (BR-19).

        Returns the schema revision before and after (Alembic's own log lines are
        quiet unless -v; whoever calls this says what changed)."""
        from daemon.store import repository
        from daemon.store.migrate import upgrade

        revisions = upgrade(self.engine)
        with self.engine.begin() as conn:
            repository.sync_customers(conn, self.settings.customers, self.clock())
        return revisions

    def transport(self) -> outbox.Transport:
        from daemon import outbox

        s = self.settings
        return outbox.make_transport(s.smtp_out, s.outbox, self.tokens, s.support.address)

    def relay_probe(self, timeout: float) -> outbox.SmtpTransport:
        """The sender's own connection to [smtp_out] (EHLO, STARTTLS, AUTH), each network
        step bounded by `timeout` (check-config)."""
        from daemon import oauth, outbox

        s = self.settings
        if s.smtp_out is None:
            raise RuntimeError("no [smtp_out] section is configured")
        bounded = s.smtp_out.model_copy(update={"timeout": min(s.smtp_out.timeout, timeout)})
        # A token of its own when XOAUTH2: each check signs in afresh, as the oauth
        # check does, rather than reuse the running daemon's.
        tokens = oauth.TokenProvider(s.oauth) if s.oauth is not None else None
        return outbox.SmtpTransport(bounded, tokens, s.support.address)

    def imap_probe(self, timeout: float) -> ImapSource:
        """The daemon's own IMAP source (TLS, login method), each network step bounded by
        `timeout`, to connect with and nothing more (check-config): its database is one
        in memory, so a probe never creates ./var."""
        imap = self.settings.imap
        if imap is None:
            raise RuntimeError("no [imap] section is configured (or it has enabled = false)")
        bounded = imap.model_copy(update={"timeout": min(imap.timeout, timeout)})
        in_memory = self.settings.database.model_copy(update={"url": "sqlite://"})
        probe = self.settings.model_copy(update={"imap": bounded, "database": in_memory})
        return App(probe, None if self.server_time else self.clock).imap_source()

    def imap_source(self, on_committed: Callable[[], None] | None = None) -> ImapSource:
        from daemon.sources.imap import ImapSource

        if self.settings.imap is None:
            raise RuntimeError("no [imap] section is configured (or it has enabled = false)")
        return ImapSource(
            self.settings.imap,
            self.engine,
            self.pipeline,
            self.clock,
            on_committed or (lambda: None),
            self.server_time,
            tokens=self.tokens,  # the same as SMTP's
        )

    def prepare_pool(self) -> PreparePool:
        """The parsing worker processes (started on first use, or by .start())."""
        from daemon.sources.prepare_pool import PreparePool

        return PreparePool(self.settings)

    def register_call(self, caller: str, name: str, subject: str, body: str) -> IngestResult:
        """A phone inquiry as a case (BR-2), kept as a mail-shaped record of the call."""
        from daemon.inbound import InboundMail

        now = self.clock()
        record = EmailMessage()
        record["From"] = formataddr((name, caller))
        record["To"] = self.settings.support.address
        record["Subject"] = subject
        record["Date"] = format_datetime(now)
        record["Message-ID"] = (
            f"<call.{uuid.uuid4().hex}@{self.settings.support.message_id_domain}>"
        )
        record["X-OO-Channel"] = "phone"
        record.set_content(body)
        mail = InboundMail(record.as_bytes(), "phone", now, channel="phone")
        [result] = self.pipeline.ingest_batch(self.engine, [mail])
        return result

    def flush_outbox(
        self, should_stop: Callable[[], bool] | None = None, everything: bool = False
    ) -> outbox.FlushReport:
        """Send what is due; with `everything`, also what a relay put off and that waits
        for its next attempt (`outbox flush`), each once."""
        from daemon import outbox

        if everything:
            from daemon.store import repository

            with self.engine.begin() as conn:
                repository.make_queued_due(conn, self.clock())

        return outbox.flush(
            self.engine,
            self.transport(),
            self.settings.outbox,
            self.clock,
            should_stop,
            on_result=self.metrics.outbox_result if self.counts_metrics else None,
        )

    def outbox_counts(self) -> dict[str, int]:
        """Outbox rows by status (queued, sent, failed)."""
        from daemon.store import repository

        with self.engine.connect() as conn:
            return repository.outbox_counts(conn)

    def triage_pass(self) -> dict[str, int]:
        """One pass of the scheduler's reminder, escalation, on-call and SLA jobs, now."""
        from daemon.scheduler import triage_pass

        return triage_pass(self.engine, self.settings, self.calendar, self.renderer, self.clock())

    def triage_rehearsal(self) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """The real triage pass on a rehearsal: every transaction rolled back, nothing
        sent. Returns its counts and the mails it would have queued."""
        from daemon.outputs import views
        from daemon.scheduler import triage_pass
        from daemon.store import repository
        from daemon.store.engine import rehearsal

        with rehearsal(self.engine) as db:
            mark = repository.last_outbox_id(db.conn)
            counts = triage_pass(db, self.settings, self.calendar, self.renderer, self.clock())
            queued = repository.outbox_after(db.conn, mark)
            return counts, [views.queued_mail(row) for row in queued]

    def outbox_depth(self) -> float:
        from daemon.store import repository

        try:
            with self.engine.connect() as conn:
                return float(repository.outbox_depth(conn))
        except Exception:  # noqa: BLE001 - a scrape while the database is down
            return float("nan")

    def reload(self) -> None:
        """SIGHUP: templates and the customer registry, without dropping connections.

        Only `[[customers]]` is taken from the re-read file; other changed keys (a
        server, a port) need a restart, and the log says so.
        """
        from daemon.mail import samples
        from daemon.store import repository

        self.renderer.reload(lambda r: samples.render_all(r, self.settings, self.clock()))
        if self.reload_settings is None:
            return
        try:
            fresh = self.reload_settings()
        except Exception as exc:  # noqa: BLE001 - a broken edit must not stop the daemon
            log.error("config not reloaded: %s", exc)
            return
        with self.engine.begin() as conn:
            synced = repository.sync_customers(conn, fresh.customers, self.clock())
        self.settings = self.settings.model_copy(update={"customers": fresh.customers})
        self.pipeline.use_settings(self.settings)
        others = fresh.model_dump(exclude={"customers"}) != self.settings.model_dump(
            exclude={"customers"}
        )
        log.info(
            "customer registry reloaded",
            extra={"customers": len(fresh.customers), "synced": synced},
        )
        if others:
            log.warning("config changes other than [[customers]] take effect after a restart")


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Everything wired from `settings`; a given `clock` fixes the time (--now, tests)."""
    return App(settings, clock)
