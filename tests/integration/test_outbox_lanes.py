"""The outbox over several relay connections at once (daemon/outbox_lanes.py), on
PostgreSQL and a real SMTP server: one claim and one commit per batch of mails, one
mail on each connection, and still never a row sent twice, also with two senders (two
daemons) draining the same queue at the same time."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import customer_mail, parse_mail, write_config

from daemon.app import App, build_app
from daemon.outbox import FlushReport, SmtpTransport, flush, make_transport
from daemon.outbox_lanes import SmtpLanes
from daemon.pipeline import InboundMail
from daemon.settings import load_settings
from daemon.store.schema import outbox


@pytest.fixture(autouse=True)
def _engines() -> Iterator[None]:
    """Each test's engine disposed after it, so its database can be dropped at once."""
    yield
    for app in _APPS:
        app.engine.dispose()
    _APPS.clear()


_APPS: list[App] = []


def make_app(tmp_path: Path, pg_url: str, sink, connections: int) -> App:
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, smtp_out=sink,
        extra={"smtp_out": {"connections": connections},
               "support": {"ack_limit_per_domain_per_hour": 1000,
                           "ack_limit_total_per_hour": 1000}},
    )
    app = build_app(load_settings(config, environ={}))
    _APPS.append(app)
    return app


def queue_acks(app: App, count: int) -> None:
    mails = [InboundMail(customer_mail(i), "test", app.clock()) for i in range(count)]
    app.pipeline.ingest_batch(app.engine, mails)


def statuses(app: App) -> Counter[str]:
    with app.engine.connect() as conn:
        return Counter(row.status for row in conn.execute(outbox.select()))


def captured_ids(sink) -> list[str]:
    return [parse_mail(mail.data)["Message-ID"] for mail in sink.messages]


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_two_senders_with_four_connections_each_never_send_a_row_twice(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, pipelining: bool
) -> None:
    smtp_sink.pipelining = pipelining
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=4)
    queue_acks(app, 60)
    assert isinstance(app.transport(), SmtpLanes)
    reports: list[FlushReport] = []

    def sender() -> None:
        reports.append(flush(app.engine, app.transport(), app.settings.outbox, app.clock))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    ids = captured_ids(smtp_sink)
    assert len(ids) == 60 and len(set(ids)) == 60, "a row was sent twice or not at all"
    assert sum(report.sent for report in reports) == 60
    assert statuses(app) == {"sent": 60}
    assert flush(app.engine, app.transport(), app.settings.outbox, app.clock).sent == 0


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_a_refused_recipient_fails_its_row_only_and_the_batch_goes_on(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, pipelining: bool
) -> None:
    smtp_sink.pipelining = pipelining
    smtp_sink.refuse_rcpt = {"kunde3@firma3.dk"}
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=4)
    queue_acks(app, 8)

    report = app.flush_outbox()

    assert (report.sent, report.failed, report.deferred) == (7, 1, 0)
    assert statuses(app) == {"sent": 7, "failed": 1}
    recipients = [to for mail in smtp_sink.messages for to in mail.recipients]
    assert "kunde3@firma3.dk" not in recipients and len(recipients) == 7


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_a_temporary_refusal_defers_the_batch_and_a_later_flush_sends_each_once(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, pipelining: bool
) -> None:
    smtp_sink.pipelining = pipelining
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=3)
    queue_acks(app, 5)
    smtp_sink.refuse(451)

    first = app.flush_outbox()

    assert first.sent == 0 and first.deferred >= 1  # a relay deferring ends the flush
    assert smtp_sink.messages == []
    smtp_sink.refuse(None)
    with app.engine.begin() as conn:  # the retry is due now
        conn.execute(outbox.update().values(next_attempt_at=app.clock()))
    assert app.flush_outbox().sent == 5
    ids = captured_ids(smtp_sink)
    assert len(ids) == len(set(ids)) == 5
    assert statuses(app) == {"sent": 5}


def test_one_connection_is_the_single_transport(tmp_path: Path, migrated_pg_url: str,
                                                 smtp_sink) -> None:
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=1)
    assert isinstance(make_transport(app.settings.smtp_out, app.settings.outbox), SmtpTransport)
    queue_acks(app, 3)
    assert app.flush_outbox().sent == 3
    assert len(set(captured_ids(smtp_sink))) == 3


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_a_mail_refused_at_its_final_dot_fails_alone_and_the_rest_go_once(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, pipelining: bool
) -> None:
    """554 to the "." comes after the batch's commit, while the next batch is claimed:
    that row's "sent" is undone (failed, one attempt), and every other mail goes once."""
    smtp_sink.pipelining = pipelining
    smtp_sink.refuse_data = {"kunde4@firma4.dk": 554}
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=3)
    queue_acks(app, 10)

    report = app.flush_outbox()

    assert (report.sent, report.failed, report.deferred) == (9, 1, 0)
    with app.engine.connect() as conn:
        rows = conn.execute(outbox.select().where(outbox.c.status != "sent")).all()
    assert [(row.status, row.attempts, row.sent_at) for row in rows] == [("failed", 1, None)]
    assert "554" in (rows[0].last_error or "")
    assert rows[0].recipients == ["kunde4@firma4.dk"]
    ids = captured_ids(smtp_sink)
    assert len(ids) == len(set(ids)) == 9


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_a_451_at_the_final_dot_defers_that_mail_and_a_later_flush_sends_it_once(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, pipelining: bool
) -> None:
    smtp_sink.pipelining = pipelining
    smtp_sink.refuse_data = {"kunde1@firma1.dk": 451}
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=3)
    queue_acks(app, 10)

    first = app.flush_outbox()

    assert first.deferred == 1 and first.failed == 0  # a relay deferring ends the flush
    assert statuses(app)["sent"] == first.sent
    with app.engine.connect() as conn:
        deferred = conn.execute(outbox.select().where(outbox.c.attempts == 1,
                                                      outbox.c.status == "queued")).one()
    assert deferred.recipients == ["kunde1@firma1.dk"] and deferred.sent_at is None
    smtp_sink.refuse_data = {}
    with app.engine.begin() as conn:  # the retry is due now
        conn.execute(outbox.update().values(next_attempt_at=app.clock()))
    second = app.flush_outbox()
    assert first.sent + second.sent == 10
    ids = captured_ids(smtp_sink)
    assert len(ids) == len(set(ids)) == 10
    assert statuses(app) == {"sent": 10}


@pytest.mark.parametrize("connections", [1, 3], ids=["one-connection", "lanes"])
def test_a_421_at_the_final_dot_uses_up_no_attempt(
    tmp_path: Path, migrated_pg_url: str, smtp_sink, connections: int
) -> None:
    """421 ("closing") to the "." comes after our commit of "sent": the relay, not the
    mail, failed, so the row is queued again with the attempts it had (a 421 on every
    try must not use up max_attempts and fail the mail), and goes once when it is back."""
    smtp_sink.refuse_data = {"kunde2@firma2.dk": 421}
    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=connections)
    queue_acks(app, 4)

    first = app.flush_outbox()

    assert first.relay_error and "421" in first.relay_error
    with app.engine.connect() as conn:
        rows = conn.execute(outbox.select()).all()
    [row] = [row for row in rows if row.recipients == ["kunde2@firma2.dk"]]
    assert (row.status, row.attempts, row.sent_at) == ("queued", 0, None)
    assert "421" in (row.last_error or "")
    # The flush stopped there (the relay is down): the rest is queued, untried.
    assert all(r.attempts == (1 if r.status == "sent" else 0) for r in rows)
    smtp_sink.refuse_data = {}
    app.flush_outbox()
    assert statuses(app) == {"sent": 4}
    ids = captured_ids(smtp_sink)
    assert len(ids) == len(set(ids)) == 4


def test_a_claim_marks_its_rows_sent_uncommitted_and_another_claim_skips_them(
    tmp_path: Path, migrated_pg_url: str, smtp_sink
) -> None:
    """claim_due_outgoing_as_sent (the batch path's claim, one statement): the rows come
    back as they were claimed (attempts before the mark, oldest first), a second sender's
    claim meanwhile gets the others, a rollback leaves them queued as before, a commit
    leaves them sent with one attempt more."""
    from daemon.store import repository

    app = make_app(tmp_path, migrated_pg_url, smtp_sink, connections=4)
    queue_acks(app, 6)
    now = app.clock()
    with app.engine.begin() as conn:
        conn.execute(outbox.update().values(attempts=2))
    with app.engine.connect() as first, app.engine.connect() as second:
        claim_one = first.begin()
        one = repository.claim_due_outgoing_as_sent(first, now, 4, now)
        claim_two = second.begin()
        two = repository.claim_due_outgoing_as_sent(second, now, 4, now)
        assert [row.attempts for row in one + two] == [2] * 6
        ids = [row.id for row in one + two]
        assert len(one) == 4 and len(two) == 2 and len(set(ids)) == 6
        assert [row.id for row in one] == sorted(row.id for row in one)
        assert all(row.raw and row.recipients and row.case_number for row in one + two)
        claim_one.rollback()
        claim_two.commit()
    with app.engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(outbox.select())}
    assert {(rows[r.id].status, rows[r.id].attempts) for r in one} == {("queued", 2)}
    assert {(rows[r.id].status, rows[r.id].attempts) for r in two} == {("sent", 3)}
    assert all(rows[r.id].sent_at is not None and rows[r.id].last_error is None for r in two)


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelining"])
def test_lanes_on_sqlite_send_each_row_once(tmp_path: Path, smtp_sink, pipelining: bool) -> None:
    """SQLite has one writer: the batch path claims the next batch after the commit, on
    its one connection (no claim ahead on a second), and still sends every row once."""
    from daemon.store.migrate import upgrade

    smtp_sink.pipelining = pipelining
    app = make_app(tmp_path, f"sqlite:///{tmp_path}/oo.db", smtp_sink, connections=3)
    upgrade(app.engine)
    queue_acks(app, 10)

    report = app.flush_outbox()

    assert (report.sent, report.failed, report.deferred) == (10, 0, 0)
    ids = captured_ids(smtp_sink)
    assert len(ids) == len(set(ids)) == 10
    assert statuses(app) == {"sent": 10}
