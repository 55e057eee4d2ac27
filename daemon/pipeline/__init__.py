"""The one way an inbound mail goes, step by step, Mailman-style.

Every source (IMAP, the SMTP listener, `ignored retry`) hands raw bytes to
`Pipeline.ingest_batch`. Each mail is first `read` (daemon/pipeline/read.py: pure, no
database), then the batch passes, in one transaction, through the steps of `STEPS`,
in that order; each step is one module with one `process(run, plan)` and a
docstring saying what it decides and by which business rule. A mail fails into the
shunt (daemon/pipeline/shunt.py): kept raw with why, listed by `ignored list`.
Nothing is half-written: a batch commits whole, or its mails go in one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeAlias

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from daemon.clock import Clock
from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.triage import Rule
from daemon.inbound import InboundMail, IngestResult, Outcome, Prepared
from daemon.mail.render import TemplateRenderer
from daemon.pipeline import shunt
from daemon.pipeline.acknowledge import Acknowledge
from daemon.pipeline.alert_critical import AlertCritical
from daemon.pipeline.batch import BatchLookups, Run, independent_runs
from daemon.pipeline.conversation import Conversation
from daemon.pipeline.dedupe import Dedupe
from daemon.pipeline.log_outcome import LogOutcome
from daemon.pipeline.plan import KEPT_KINDS, Plan
from daemon.pipeline.read import read
from daemon.pipeline.route import Route
from daemon.pipeline.step import Step, Tools
from daemon.pipeline.store import Store
from daemon.pipeline.triage import Triage, case_subject, worked_out_ahead
from daemon.settings import Settings
from daemon.store.statistics import IntakeStatistics

__all__ = ["KEPT_KINDS", "STEPS", "InboundMail", "Outcome", "Pipeline", "case_subject"]

# What a source writes in the transaction that stores its mails, given their results in
# their order: the IMAP pass forgets the stored mails' tries there (issue 18).
Settle: TypeAlias = Callable[[Connection, list[IngestResult]], None]

# The path of a mail after `read`, in order. Failing any of them: see shunt.py.
STEPS: tuple[type[Step], ...] = (
    Dedupe,  # seen before? then only recorded as a re-delivery
    Route,  # a new case, an existing case, or the ignored pile
    Triage,  # a new case's criticality, priority, deadlines, customer
    Store,  # cases, messages, attachments, re-deliveries (batched here)
    Acknowledge,  # the new case's acknowledgement, within the limits
    AlertCritical,  # a new critical case in normal hours: its supporters told at once
    Conversation,  # what a message on an existing case does to it
    LogOutcome,  # one log line per mail
)


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        renderer: TemplateRenderer,
        calendar: BusinessCalendar,
        clock: Clock,
    ) -> None:
        self.tools = Tools(settings, renderer, calendar)
        self.clock = clock
        self.steps = [step(self.tools) for step in STEPS]
        # Analyses a fresh database's intake tables once it holds some mail (statistics.py).
        self.statistics = IntakeStatistics()
        self.observers: list[
            Callable[[Sequence[InboundMail], Sequence[IngestResult], datetime], None]
        ] = []

    @property
    def settings(self) -> Settings:
        return self.tools.settings

    def use_settings(self, settings: Settings) -> None:
        """Settings re-read on SIGHUP (App.reload): every step reads them from here."""
        self.tools.settings = settings

    @property
    def triage_rules(self) -> tuple[Rule, ...]:
        return self.tools.triage_rules

    def prepare(self, mail: InboundMail) -> Prepared:
        """Step 1 for one mail, no database: see daemon/pipeline/read.py."""
        return read(mail, self.tools.settings)

    def prepare_ahead(self, mail: InboundMail) -> Prepared:
        """`prepare`, and the triage of a mail that may open a case: in a parsing worker,
        where it costs the daemon's own thread nothing (the step does it otherwise)."""
        return worked_out_ahead(self.prepare(mail), self.tools.triage_rules)

    def ingest_batch(self, engine: Engine, mails: Sequence[InboundMail]) -> list[IngestResult]:
        """Ingest and commit `mails`; raises only when the database is unreachable."""
        return self.ingest_prepared(engine, [self.prepare(mail) for mail in mails])

    def ingest_prepared(
        self, engine: Engine, prepared: Sequence[Prepared], settle: Settle | None = None
    ) -> list[IngestResult]:
        """As ingest_batch, for mails `prepare`d elsewhere (the parsing worker processes).
        `settle(conn, results)` runs last in the transaction that stores them, whichever
        way they were stored, and commits with them."""
        try:
            with engine.begin() as conn:
                results = self.run_steps(conn, prepared)
                if settle is not None:
                    settle(conn, results)
        except (OperationalError, InterfaceError):
            raise  # the database is gone: the caller retries the batch later
        except Exception as exc:  # noqa: BLE001 - the failure path: one mail at a time
            shunt.log.warning(
                "batch of %s not stored at once (%s); one by one", len(prepared), shunt.reason(exc)
            )
            with engine.begin() as conn:
                results = [shunt.store_alone(conn, item, self.run_steps) for item in prepared]
                if settle is not None:
                    settle(conn, results)
        self.statistics.stored(engine, len(prepared))
        self._observe([item.mail for item in prepared], results)
        return results

    def quarantine(
        self,
        engine: Engine,
        held: Sequence[tuple[InboundMail, str]],
        settle: Settle | None = None,
    ) -> list[IngestResult]:
        """Keep mails that failed too often raw, with why (shunt.keep_quarantined);
        `settle` as for ingest_prepared."""
        items = [shunt.quarantined(mail, why) for mail, why in held]
        with engine.begin() as conn:
            results = [shunt.keep_quarantined(conn, item, self.run_steps) for item in items]
            if settle is not None:
                settle(conn, results)
        self._observe([mail for mail, _ in held], results)
        return results

    def run_steps(self, conn: Connection, batch: Sequence[Prepared]) -> list[IngestResult]:
        """Every step over every mail of `batch`, in runs that do not depend on each
        other (batch.independent_runs); the results in the order of `batch`."""
        results: list[IngestResult] = []
        lookups = BatchLookups(conn, self.clock(), batch)
        for items in independent_runs(batch):
            run = Run(conn, self.clock(), [Plan(item) for item in items], batch=lookups)
            for step in self.steps:
                for plan in run.plans:
                    step.process(run, plan)
                step.finish(run)
            results += [plan.result() for plan in run.plans]
        return results

    def _observe(self, mails: Sequence[InboundMail], results: Sequence[IngestResult]) -> None:
        for observe in self.observers:  # metrics; after the commit, so they count only facts
            observe(mails, results, self.clock())
