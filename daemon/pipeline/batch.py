"""Batching: how the store step makes a few statements serve a whole batch of mails.

Every other step sees one mail at a time (`process(run, plan)`). What they read from
the database they read from the `Run` they are given, which looks each thing up once
for all the mails of the run, the first time a step asks; what they write, the store
step (daemon/pipeline/store.py) writes in bulk. That is the only place batching
shows: in this module and in the store step.

A batch is cut into runs that do not depend on each other (`independent_runs`), so
the lookups made once per run stay true for every mail in it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from daemon.domain.ack_policy import AcksSent
from daemon.domain.case_threading import CaseView, participants
from daemon.domain.references import find_reference
from daemon.inbound import Prepared
from daemon.mail.identity import HEAD_BYTES, date_stamp, sent_at
from daemon.mail.parse import ParsedMail
from daemon.pipeline.plan import Plan
from daemon.store import repository


@dataclass(frozen=True)
class Candidates:
    """The existing cases the mails of a run name, and our mails their bounces name."""

    by_number: dict[int, CaseView]
    # Message-ID -> the cases holding it, the first stored first (usually one: see
    # repository.cases_by_message_id)
    by_message_id: dict[str, tuple[CaseView, ...]]
    outbound: dict[str, tuple[int, int | None]]  # Message-ID -> (message pk, case id)
    # The cases' rows, by id, as read for the views (the conversation step's too).
    rows: dict[int, Row[Any]] = field(default_factory=dict)


@dataclass
class BatchLookups:
    """What the runs of one batch look up once between them, not once per run: they
    share one transaction, and neither changes within it but by the runs themselves
    (the acks they queue are counted on as they go). A batch of 100 corpus mails is
    cut into ~3 runs; each lookup is a round trip (issue 18)."""

    conn: Connection
    now: datetime
    items: Sequence[Prepared]

    @functools.cached_property
    def customers(self) -> dict[str, Row[Any]]:
        """Registered customers by domain, for the sender of every mail of the batch
        (more than the new cases need; one query rather than one a run)."""
        domains = (item.parsed.sender_domain for item in self.items if item.parsed)
        return repository.customers_by_domain(self.conn, domains)

    @functools.cached_property
    def acks_sent(self) -> AcksSent:
        """Acknowledgements of the last hour (the rate limits), counted on by every run
        of the batch as it queues its own."""
        since = self.now - timedelta(hours=1)
        return AcksSent.counted(repository.ack_recipients_since(self.conn, since))


@dataclass
class Run:
    """One transaction's worth of mails, and what the database knew as it started."""

    conn: Connection
    now: datetime
    plans: list[Plan]
    # The identities met so far in this run (the dedupe step).
    first_of_key: dict[str, Plan] = field(default_factory=dict)
    # Shared with the batch's other runs; None: a run alone looks up for itself.
    batch: BatchLookups | None = None
    # Case columns written by the conversation step, not yet sent (write_cases).
    case_writes: dict[int, dict[str, Any]] = field(default_factory=dict)

    @functools.cached_property
    def stored(self) -> dict[str, Row[Any]]:
        """Identity -> the stored message, for every mail of the run stored already."""
        return repository.known_inbound(self.conn, (p.item.key for p in self.plans))

    def stored_of(self, keys: Sequence[str]) -> dict[str, Row[Any]]:
        """The stored messages of identities not among the run's own keys (`stored`):
        variants the dedupe step made (daemon/pipeline/dedupe.py), rarely needed."""
        found = {key: self.stored[key] for key in keys if key in self.stored}
        missing = [key for key in keys if key not in found]
        if missing:
            more = repository.known_inbound(self.conn, missing)
            found.update(more)
            # Their heads at once, for `stored_date`: a later sending is compared with
            # the variants of three slots (pipeline/dedupe.py `_variant`).
            unread = [row.id for row in more.values() if row.id not in self._stored_heads]
            if unread:
                heads = repository.inbound_heads(self.conn, unread, HEAD_BYTES)
                self._stored_heads.update({pk: heads.get(pk, b"") for pk in unread})
        return found

    def stored_date(self, stored: Row[Any]) -> tuple[str, datetime | None]:
        """The Date field as written (identity.date_stamp) of a stored message, and when
        it was sent (identity.sent_at; `stored.at` is its arrival): read from its stored
        bytes, once for all of the run's stored mails (only a mail met again, a re-read
        after a crash, asks)."""
        head = self._stored_heads.get(stored.id)
        if head is None:  # a variant's original (`stored_of`)
            heads = repository.inbound_heads(self.conn, [stored.id], HEAD_BYTES)
            head = self._stored_heads[stored.id] = heads.get(stored.id, b"")
        return date_stamp(head), sent_at(head, stored.at)

    @functools.cached_property
    def _stored_heads(self) -> dict[int, bytes]:
        pks = [row.id for row in self.stored.values()]
        return repository.inbound_heads(self.conn, pks, HEAD_BYTES)

    @functools.cached_property
    def candidates(self) -> Candidates:
        """Asked by the route step, after dedupe: only fresh mails are looked up."""
        return find_candidates(self.conn, [p.item for p in self.plans if p.repeats is None])

    @functools.cached_property
    def customers(self) -> dict[str, Row[Any]]:
        """Registered customers by domain, for the senders of the new cases (triage)."""
        if self.batch is not None:
            return self.batch.customers
        return repository.customers_by_domain(
            self.conn, (p.parsed.sender_domain for p in self.plans if p.opens_case)
        )

    @functools.cached_property
    def acks_sent(self) -> AcksSent:
        """Acknowledgements of the last hour (the rate limits), counted on as we send."""
        if self.batch is not None:
            return self.batch.acks_sent
        since = self.now - timedelta(hours=1)
        return AcksSent.counted(repository.ack_recipients_since(self.conn, since))

    @functools.cached_property
    def _cases_now(self) -> dict[int, Row[Any]]:
        """The rows of the cases the run's mails go on, when the conversation step first
        asks: those the route step read already (find_candidates, in this transaction)
        as it read them, since no step before the conversation step writes an existing
        case (the store step inserts, the acks and alerts are new cases') and the route
        step locked them against other transactions (review21); the others (a bounce's
        case, found by our own mail it names) read now. Reading them all again cost a
        statement a run (issue 18, pass21)."""
        wanted = {p.case_id for p in self.plans if p.on_existing_case and p.case_id}
        # Only if the route step asked: the candidates are not looked up for this.
        read = self.candidates.rows if "candidates" in self.__dict__ else {}
        rows = {case_id: read[case_id] for case_id in wanted if case_id in read}
        if len(rows) < len(wanted):
            rows |= repository.case_rows(self.conn, wanted - rows.keys())
        return rows

    def case_row(self, case_id: int) -> Row[Any]:
        """The row of an existing case as it is now (the conversation step).

        The cases the run's mails go on are read in one query; each row is handed out
        once, so a second mail on the same case in the run reads it again, with what
        the first one wrote (a staff "#status closed" before a customer's reply)."""
        row = self._cases_now.pop(case_id, None)
        if row is not None:
            return row
        self.write_cases()  # read back what this run changed
        return repository.case_rows(self.conn, [case_id])[case_id]

    def change_case(self, case_id: int, **values: Any) -> None:
        """Set columns of a case, written with the run's other case changes at once
        (write_cases): the per-reply UPDATE was a round trip for each reply."""
        self.case_writes.setdefault(case_id, {}).update(values)
        self.case_changed(case_id)

    def write_cases(self) -> None:
        """Send the case changes held so far; before anything reads or writes cases."""
        if self.case_writes:
            repository.update_cases(self.conn, self.case_writes)
            self.case_writes = {}

    def case_changed(self, case_id: int | None = None) -> None:
        """A case was written (None: maybe any case): its row read ahead is stale."""
        if case_id is None:
            self._cases_now.clear()
        else:
            self._cases_now.pop(case_id, None)


def independent_runs(batch: Sequence[Prepared]) -> list[list[Prepared]]:
    """The batch cut before any mail that answers, or names the case of, an earlier one.

    Cases are looked up once per run, so a reply that arrives in the same batch as the
    mail it answers (or a customer's reply after a staff "#status closed") must be
    stored after it, when the earlier mail's case exists and its state is written.
    """
    runs: list[list[Prepared]] = []
    current: list[Prepared] = []
    ids: set[str] = set()
    numbers: set[int] = set()
    for item in batch:
        parsed = item.parsed
        mine = set(thread_ids(parsed)) if parsed else set()
        number = find_reference(parsed.subject) if parsed else None
        if current and (mine & ids or (number is not None and number in numbers)):
            runs.append(current)
            current, ids, numbers = [], set(), set()
        current.append(item)
        if parsed is not None:
            ids |= mine | ({parsed.message_id} if parsed.message_id else set())
            if number is not None:
                numbers.add(number)
    if current:
        runs.append(current)
    return runs


def find_candidates(conn: Connection, batch: Sequence[Prepared]) -> Candidates:
    numbers: set[int] = set()
    ids: set[str] = set()
    bounced: set[str] = set()
    for item in batch:
        parsed = item.parsed
        if parsed is None:
            continue
        number = find_reference(parsed.subject)
        if number is not None:
            numbers.add(number)
        ids.update(thread_ids(parsed))
        bounce = item.bounce
        if bounce is not None and bounce.original_message_id:
            bounced.add(bounce.original_message_id)
    id_by_number = repository.cases_by_number(conn, numbers)
    id_by_message = repository.cases_by_message_id(conn, ids)
    case_ids = set(id_by_number.values()).union(*id_by_message.values())
    # Locked: the conversation step decides on these rows (Run._cases_now), after the
    # store step; a close by another transaction meanwhile waits for this one, and is
    # not lost under a reply's "wake" (test_a_reply_is_judged_on_the_case_as_another_
    # transaction_left_it). The rows' UPDATE would lock them later in any case.
    rows = repository.case_rows(conn, case_ids, locked=True)
    addresses = repository.case_addresses(conn, case_ids)
    views = {
        case_id: CaseView(
            id=row.id,
            number=row.number,
            status=row.status,
            customer_email=row.customer_email,
            customer_domain=row.customer_domain,
            resolved_at=row.resolved_at,
            participants=participants(addresses.get(case_id, set()) | {row.customer_email}),
            registered_customer=row.customer_id is not None,
            linked_case_id=row.linked_case_id,
        )
        for case_id, row in rows.items()
    }
    outbound = repository.outbound_by_message_id(conn, bounced)
    return Candidates(
        by_number={n: views[i] for n, i in id_by_number.items()},
        by_message_id={m: tuple(views[i] for i in held) for m, held in id_by_message.items()},
        outbound={m: (row.id, row.case_id) for m, row in outbound.items()},
        rows=rows,
    )


def thread_ids(parsed: ParsedMail) -> list[str]:
    """Message-IDs a mail answers, the most direct first."""
    ids = [parsed.in_reply_to] if parsed.in_reply_to else []
    return ids + list(reversed(parsed.references))
