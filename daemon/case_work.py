"""Staff work on a case without mail: what `cases close|reopen|assign|priority|note|
reply|move|fee|project`, `time add` and `ignored retry` do, through App.work.

Each change is one transaction, recorded in the case's history under `actor` at the
app's clock; a change that cannot be made raises Refused and leaves the case as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from daemon.case_reads import existing_case
from daemon.domain.domain_names import canonical_domain

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

    from daemon.app import App
    from daemon.domain.billing import Fee
    from daemon.domain.commands import Command
    from daemon.inbound import IngestResult
    from daemon.mail.compose import Outgoing


class Refused(Exception):
    """A change the app turns down; the message says why, in one line."""


# Kept mail that `ignored retry` may run through the pipeline again.
RETRIABLE_KINDS = ("rejected", "quarantined")


class CaseWork:
    def __init__(self, app: App) -> None:
        self.app = app

    def apply(self, number: int, name: str, value: str | None, actor: str) -> dict[str, Any]:
        """What the staff command `#name value` (`#name` when `value` is None) does by
        mail; the case's summary after."""
        from daemon.domain.commands import Command
        from daemon.outputs import views

        command = Command(name, () if value is None else (value,))
        with self.app.engine.begin() as conn:
            return views.case_summary(self._change(conn, number, command, actor))

    def _change(self, conn: Connection, number: int, command: Command, actor: str) -> Row[Any]:
        """`command` applied as by mail, now (Refused, and the caller's transaction
        rolled back, if it cannot be); the case's row after."""
        from daemon import staff_actions
        from daemon.alert_queue import AlertMailer

        app = self.app
        now = app.clock()
        applied = staff_actions.change_case(
            conn,
            existing_case(conn, number),
            [command],
            actor=actor,
            at=now,
            now=now,
            calendar=app.calendar,
            limits=staff_actions.command_limits(app.settings.staff),
            alerts=AlertMailer(app.settings, app.renderer),
        )
        if applied.errors:  # leaving the caller's block rolls the transaction back
            raise Refused(f"[OO#{number}] not changed: {applied.errors[0]}")
        return existing_case(conn, number)

    def note(self, number: int, actor: str, text: str) -> str:
        """An internal note; its Message-ID."""
        from daemon import staff_actions

        app = self.app
        with app.engine.begin() as conn:
            row = existing_case(conn, number)
            return staff_actions.add_note(
                conn, app.settings, app.calendar, row, actor=actor, text=text, now=app.clock()
            )

    def reply(self, number: int, actor: str, text: str) -> Outgoing:
        """A reply to the customer from the support address, queued (not yet sent)."""
        from daemon import staff_actions

        app = self.app
        with app.engine.begin() as conn:
            row = existing_case(conn, number)
            return staff_actions.answer_customer(
                conn,
                app.settings,
                app.renderer,
                app.calendar,
                row,
                actor=actor,
                body=text,
                now=app.clock(),
            )

    def move(self, number: int, customer_domain: str, actor: str) -> dict[str, Any]:
        """Put the case under the customer of `customer_domain` (one of [[customers]]);
        "@Firma.dk" is firma.dk."""
        from daemon import staff_actions
        from daemon.domain.case_changes import Event
        from daemon.outputs import views
        from daemon.store import repository

        app = self.app
        now = app.clock()
        domain = canonical_domain(customer_domain.strip().lstrip("@"))
        with app.engine.begin() as conn:
            row = existing_case(conn, number)
            customer = repository.customers_by_domain(conn, [domain]).get(domain)
            if customer is None:  # a typo would silently take the case out of its agreement
                raise Refused(
                    f"no customer has the domain {customer_domain!r}" + self._known_domains()
                )
            repository.update_case(
                conn,
                row.id,
                customer_domain=domain,
                updated_at=now,
                customer_id=customer.id,
                agreement=bool(customer.agreement),  # BR-22
            )
            moved_to = Event("move", {"from": row.customer_domain, "to": domain})
            staff_actions.record(conn, row.id, [moved_to], actor, now, now)
            return views.case_summary(existing_case(conn, number))

    def _known_domains(self) -> str:
        known = sorted(d for c in self.app.settings.customers for d in c.domains)
        if not known:
            return " ([[customers]] is empty)"
        return " (known: " + ", ".join(known[:10]) + (", ..." if len(known) > 10 else "") + ")"

    def add_fee(
        self, number: int, charge: Fee, actor: str, *, oncall: bool = False, force: bool = False
    ) -> None:
        """A fixed charge on the case. The on-call fee only where BR-10 puts it (a
        non-critical call that came in after hours), unless `force`d: then the history
        keeps why it did not apply."""
        from daemon import staff_actions
        from daemon.domain.billing import oncall_fee_refusal
        from daemon.domain.case_changes import Event
        from daemon.outputs import views
        from daemon.store import repository

        app = self.app
        now = app.clock()
        with app.engine.begin() as conn:
            row = existing_case(conn, number)
            details: dict[str, object] = {
                "description": charge.description,
                "amount": views.money(charge.amount),
            }
            if oncall:
                refusal = oncall_fee_refusal(
                    channel=row.channel,
                    after_hours=not app.calendar.is_open(row.created_at),
                    critical=row.critical,
                    fees=repository.billing_inputs(conn, [row])[row.id].fees,
                )
                if refusal and not force:
                    raise Refused(f"[OO#{number}] no on-call fee: {refusal}; --force to add it")
                if refusal:
                    details["forced"] = refusal
            repository.add_fee(conn, row.id, charge, actor, now)
            staff_actions.record(conn, row.id, [Event("fee", details)], actor, now, now)

    def mark_project(
        self,
        number: int,
        actor: str,
        *,
        on: bool = True,
        senior: bool | None = None,
        estimate_minutes: int | None = None,
        no_estimate: bool = False,
    ) -> dict[str, Any]:
        """Mark the case project work, or not (`on`), with its terms: the senior rate or
        the project rate (`senior`; None keeps the case's) and the agreed time
        (`estimate_minutes`; `no_estimate` drops it; neither keeps it). What `#project`
        does by mail, by the same rules (BR-14, BR-15, BR-18 example 4). The case's
        summary after, with its terms."""
        from daemon.domain.commands import KEEP, NO_ESTIMATE, Command, project_args
        from daemon.outputs import views

        rate = KEEP if senior is None else ("senior" if senior else "project")
        estimate: int | str = NO_ESTIMATE if no_estimate else (estimate_minutes or KEEP)
        command = Command("project", project_args(on, rate, estimate))
        with self.app.engine.begin() as conn:
            row = self._change(conn, number, command, actor)
            return views.case_summary(row) | {"project_terms": views.terms_document(row)}

    def add_time(
        self, number: int, minutes: int, kind: str, actor: str, at: datetime | None = None
    ) -> dict[str, Any]:
        """Log work that started `at`; the entry as stored. Without `at` the work is
        taken as just done (case_changes.just_done), as `#time` by mail takes it, so the
        same work logged at the same instant by mail, at the command line or in the web
        console is priced alike (BR-16)."""
        from daemon import staff_actions
        from daemon.domain.case_changes import Event, just_done
        from daemon.store import repository

        app = self.app
        now = app.clock()
        if at is None:
            done = just_done(minutes, kind, now, app.calendar)
            at, after_hours = done.started_at, done.after_hours
        else:
            after_hours = not app.calendar.is_open(at)  # BR-16: when the work started
        entry = {
            "minutes": minutes,
            "staff": actor,
            "at": at,
            "kind": kind,
            "after_hours": after_hours,
            "created_at": now,
        }
        with app.engine.begin() as conn:
            row = existing_case(conn, number)
            repository.insert_time_entries(conn, [{"case_id": row.id, **entry}])
            logged = Event(
                "time",
                {
                    "minutes": minutes,
                    "kind": kind,
                    "started_at": at.isoformat(),
                    "after_hours": entry["after_hours"],
                },
            )
            staff_actions.record(conn, row.id, [logged], actor, now, now)
        return entry

    def remove_time(self, number: int, entry_id: int, actor: str) -> dict[str, Any]:
        """Take back a time entry logged by mistake; the entry as it was. Not deleted:
        the months that billed it keep it, and the month of its removal credits it
        (domain/monthly_billing.py). Refused when the case has no such entry, or it
        was taken back already."""
        from daemon import staff_actions
        from daemon.domain.case_changes import Event
        from daemon.store import repository

        now = self.app.clock()
        with self.app.engine.begin() as conn:
            row = existing_case(conn, number)
            entry = repository.time_entry_of(conn, row.id, entry_id)
            if entry is None:
                raise Refused(f"case {number} has no time entry {entry_id}")
            if entry.removed_at is not None:
                raise Refused(f"time entry {entry_id} was removed already")
            if now < entry.created_at:
                # `--now` before the entry was logged: it would never have been on any
                # bill, and a month that billed and mailed it would never credit it
                # (domain/monthly_billing.known_before).
                raise Refused(
                    f"time entry {entry_id} was logged at {entry.created_at.isoformat()};"
                    " it cannot be taken back before then"
                )
            repository.remove_time_entry(conn, entry.id, now, actor)
            removed = {
                "id": entry.id,
                "minutes": entry.minutes,
                "kind": entry.kind,
                "started_at": entry.at.isoformat(),
                "after_hours": entry.after_hours,
                "staff": entry.staff,
            }
            staff_actions.record(conn, row.id, [Event("time_removed", removed)], actor, now, now)
        return removed

    def retry_kept(self, message_pk: int) -> IngestResult:
        """Run a rejected or quarantined mail through the pipeline again; the kept copy
        is marked retried unless the pipeline deferred it (then it stays as it was)."""
        from daemon.inbound import InboundMail, Outcome
        from daemon.store import repository

        engine = self.app.engine
        with engine.connect() as conn:
            kept = repository.kept_message(conn, message_pk)
        if kept is None or kept.kind not in RETRIABLE_KINDS:
            raise Refused(f"no rejected or quarantined message {message_pk}")
        # The kept copy steps aside first (its identity may be the mail's own, which would
        # make the retry a duplicate); if the retry keeps the mail again, that is a new
        # kept record, with the new reason.
        with engine.begin() as conn:
            repository.set_kept_state(conn, kept.id, "retried", None)
        mail = InboundMail(raw=bytes(kept.raw), source=kept.source, received_at=kept.at)
        try:
            [result] = self.app.pipeline.ingest_batch(engine, [mail])
        except BaseException:
            with engine.begin() as conn:
                repository.set_kept_state(conn, kept.id, kept.kind, kept.dedupe_key)
            raise
        if result.outcome is Outcome.DEFERRED:  # not stored at all: keep the old record
            with engine.begin() as conn:
                repository.set_kept_state(conn, kept.id, kept.kind, kept.dedupe_key)
        return result

