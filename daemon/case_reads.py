"""What the read commands ask of the database, as the documents they print.

`cases list|show|search`, `ignored list`, `triage misses` and `report` get their data here, through
App.reads; the command line only parses, calls and prints. Each method opens one
connection and leaves the database as it was. The modules behind a method (the
repository, the search, the report) are imported when it is called: a command pays
only for the query it runs (benchmarks/cli_startup.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy import Connection, Engine, Row

    from daemon.clock import Clock
    from daemon.domain.business_calendar import BusinessCalendar
    from daemon.outputs.reports import Report

# The kinds of mail kept without a case (daemon.pipeline.KEPT_KINDS, written out:
# importing the pipeline costs `ignored list` a fifth of a second).
# tests/integration/test_cli.py holds the two equal.
KEPT_KINDS = ("ignored", "rejected", "quarantined")


class NoSuchCase(LookupError):
    """A case number that names no case; the message says which."""

    def __init__(self, number: int) -> None:
        super().__init__(f"no case {number}")
        self.number = number


class CaseReads:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        calendar: Callable[[], BusinessCalendar] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        # Made only when a read needs it (a phone case's proposed fee, BR-10).
        self.calendar = calendar

    def cases(
        self,
        status: str = "open",
        *,
        customer_domain: str | None = None,
        priority: str | None = None,
        assignee: str | None = None,
        unassigned: bool = False,
        overdue: bool = False,
    ) -> list[dict[str, Any]]:
        """Case summaries, newest first; `overdue`: a deadline passed by now, not met."""
        from daemon.outputs import views
        from daemon.store import repository

        with self.engine.connect() as conn:
            rows = repository.list_cases(
                conn,
                status,
                customer_domain=customer_domain,
                priority=priority,
                assignee=assignee,
                unassigned=unassigned,
                overdue_at=self.clock() if overdue else None,
            )
        return [views.case_summary(row) for row in rows]

    def queue(
        self,
        *,
        customer_domain: str | None = None,
        priority: str | None = None,
        assignee: str | None = None,
        unassigned: bool = False,
        overdue: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int, list[str]]:
        """Open cases, the nearest unmet deadline first (the web console's queue): one
        page of summaries, how many match, and the customers with open cases."""
        from daemon.outputs import views
        from daemon.store import queue

        wanted = queue.QueueFilter(
            customer_domain=customer_domain,
            priority=priority,
            assignee=assignee,
            unassigned=unassigned,
            overdue_at=self.clock() if overdue else None,
        )
        with self.engine.connect() as conn:
            rows, total = queue.open_queue(conn, wanted, limit, offset)
            customers = queue.customer_domains(conn)
        return [views.case_summary(row) for row in rows], total, customers

    def case(self, number: int) -> dict[str, Any]:
        """One case with its messages, time, billing, proposed fees, alerts and history."""
        from daemon.outputs import views

        with self.engine.connect() as conn:
            row = existing_case(conn, number)
            calendar = self.calendar() if self.calendar and row.channel == "phone" else None
            return views.case_detail(conn, row, calendar)

    def summary(self, number: int) -> dict[str, Any]:
        from daemon.outputs import views

        with self.engine.connect() as conn:
            return views.case_summary(existing_case(conn, number))

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Case summaries matching `query`, best first."""
        from daemon.outputs import views
        from daemon.store import search

        with self.engine.connect() as conn:
            rows = search.search_cases(conn, query, limit)
        return [views.case_summary(row) for row in rows]

    def kept_mail(self) -> list[dict[str, Any]]:
        """Mail kept without a case, and repeated arrivals, newest first."""
        from daemon.outputs import views
        from daemon.store import repository

        with self.engine.connect() as conn:
            rows = repository.uncased_messages(conn, KEPT_KINDS)
            repeats = repository.duplicate_arrivals(conn)
        found = [views.uncased_summary(row) for row in rows]
        found += [views.duplicate_summary(row) for row in repeats]
        found.sort(key=lambda f: f["at"] or "", reverse=True)
        return found

    def attachment_files(self, number: int) -> list[tuple[dict[str, Any], bytes]]:
        """Each attachment of case `number` (as `cases show` lists them) with its bytes,
        read again from the stored raw mail, in the order the case received them."""
        from daemon.mail.parse import part_content
        from daemon.store import repository

        found: list[tuple[dict[str, Any], bytes]] = []
        with self.engine.connect() as conn:
            case = existing_case(conn, number)
            shown = repository.case_messages(conn, case.id)
            files = repository.attachments_of(conn, (m.id for m in shown))
            raws = repository.raw_of(conn, files)  # only the messages that have files
        for message in shown:
            for a in files.get(message.id, []):
                about = {
                    "message_id": message.message_id,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                }
                found.append((about, part_content(raws[message.id], a.part_index)))
        return found

    def triage_misses(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Cases whose priority or critical flag staff changed (at or after `since`),
        newest change first, with the classifier's verdict and the text it read."""
        from daemon.outputs.triage_misses import miss_document
        from daemon.store import corrections

        with self.engine.connect() as conn:
            found = corrections.corrected_cases(conn, since)
            ids = [row.id for row in found]
            changes = corrections.priority_changes(conn, ids)
            openings = corrections.opening_messages(conn, ids)
        return [miss_document(row, changes.get(row.id, []), openings.get(row.id)) for row in found]

    def report(self, month: str, timezone: str, customer: str | None = None) -> Report:
        """The monthly report (ValueError for a month that is not YYYY-MM)."""
        from daemon.outputs import reports

        with self.engine.connect() as conn:
            return reports.build_report(conn, month, timezone, customer, now=self.clock())


def existing_case(conn: Connection, number: int) -> Row[Any]:
    from daemon.store import repository

    row = repository.case_by_number(conn, number)
    if row is None:
        raise NoSuchCase(number)
    return row
