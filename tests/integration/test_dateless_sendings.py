"""A device that writes no Date (a UPS, a printer, a cron job) sends the same text
again an hour or a day later: another inquiry, another case and ack (BR-2, BR-3);
a re-delivery of one sending (a client's retry, a re-read of the same IMAP message after
a crash, however much later) stays one mail. With no Date on either copy, when each
arrived tells the sendings apart (review25a; domain/dedupe.py same_mail). Against
the real listener, Dovecot and PostgreSQL."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import listener_in_thread, sql, write_config

from daemon.app import build_app
from daemon.settings import load_settings
from daemon.sources.smtp_listener import SupportMailHandler

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


def ups_mail(message_id: str | None) -> bytes:
    """What a UPS's mail agent writes: no Date, perhaps no Message-ID, the same text
    each time."""
    mid = f"Message-ID: {message_id}\r\n" if message_id else ""
    return (
        "From: ups@kunde.dk\r\nTo: support@oo.dk\r\nSubject: UPS on battery\r\n"
        f"{mid}\r\nUPS 1 on battery power.\r\n"
    ).encode()


def counts(pg_url: str) -> tuple[int, int, int]:
    [row] = sql(pg_url, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM outbox),"
                        " (SELECT count(*) FROM duplicates)")
    return tuple(int(n) for n in row)  # type: ignore[return-value]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Listener:
    port: int
    clock: Clock

    def send(self, raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            client.sendmail("ups@kunde.dk", ["support@oo.dk"], raw)


@pytest.fixture
def listener(tmp_path: Path, pg_url: str) -> Iterator[Listener]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, smtp_out=None,
                          extra={"smtp_in": {"enabled": True, "port": port}})
    clock = Clock()
    app = build_app(load_settings(config, environ={}), clock)
    handler = SupportMailHandler(app.settings, app.engine, app.pipeline, app.clock)
    try:
        with listener_in_thread(handler, app.settings.smtp_in):
            yield Listener(port, clock)
    finally:
        app.engine.dispose()


@pytest.mark.parametrize("message_id", [None, "<ups@ups.local>"])
def test_the_same_dateless_alarm_an_hour_later_is_another_case_its_retry_not(
    listener: Listener, pg_url: str, message_id: str | None
) -> None:
    """Before: the second and third alarms were taken for re-deliveries of the first
    (no case, no ack): two copies without a Date compared equal whenever they came."""
    alarm = ups_mail(message_id)
    listener.send(alarm)
    listener.clock.now = T0 + timedelta(seconds=90)  # the client's retry: the same sending
    listener.send(alarm)
    assert counts(pg_url) == (1, 1, 1)
    listener.clock.now = T0 + timedelta(hours=1)  # the power fails again
    listener.send(alarm)
    assert counts(pg_url) == (2, 2, 1)
    listener.clock.now = T0 + timedelta(hours=1, minutes=3)  # that one's retry
    listener.send(alarm)
    assert counts(pg_url) == (2, 2, 2)
    listener.clock.now = T0 + timedelta(days=1)  # and again the next day
    listener.send(alarm)
    listener.clock.now = T0 + timedelta(days=1, seconds=30)
    listener.send(alarm)
    assert counts(pg_url) == (3, 3, 3)


def append_at(dovecot: object, raw: bytes, when: datetime) -> None:
    """Deliver `raw` to INBOX as arrived at `when` (its INTERNALDATE)."""
    with dovecot.client() as client:  # type: ignore[attr-defined]
        client.append("INBOX", raw, msg_time=when)


def test_the_mailbox_tells_two_dateless_sendings_apart_by_their_arrival(
    tmp_path: Path, dovecot, pg_url: str
) -> None:
    """In service the arrival is the server's INTERNALDATE: two deliveries of the same
    Date-less text an hour apart are two cases, one of them delivered twice one."""
    settings = load_settings(write_config(tmp_path / "oo.toml", database_url=pg_url,
                                          imap=dovecot, smtp_out=None), environ={})
    app = build_app(settings)
    source = app.imap_source()
    try:
        alarm = ups_mail(None)
        append_at(dovecot, alarm, T0)
        append_at(dovecot, alarm, T0 + timedelta(seconds=20))  # one sending by two paths
        append_at(dovecot, alarm, T0 + timedelta(hours=2))
        report = source.poll_once()
        assert (report.created, report.duplicate) == (2, 1)
        assert counts(pg_url) == (2, 2, 1)
    finally:
        source.close()
        app.engine.dispose()


def test_a_crash_reread_of_the_same_imap_message_an_hour_later_stays_one_mail(
    tmp_path: Path, dovecot, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon stored the Date-less mail and died before its MOVE; it is read again
    an hour later, with a clock of our own (`--now`: the arrival is "now", not the
    INTERNALDATE): the same IMAP message, never a second case or a recorded arrival."""
    settings = load_settings(write_config(tmp_path / "oo.toml", database_url=pg_url,
                                          imap=dovecot, smtp_out=None), environ={})
    clock = Clock()
    app = build_app(settings, clock)
    source = app.imap_source()
    try:
        dovecot.append("INBOX", [ups_mail(None), ups_mail("<ups@ups.local>")])
        with monkeypatch.context() as crash:
            crash.setattr(source, "_move", lambda *args: None)  # died before the MOVE
            assert source.poll_once().created == 2
        clock.now = T0 + timedelta(hours=1)
        report = source.poll_once()
        assert (report.created, report.duplicate) == (0, 2)
        assert counts(pg_url) == (2, 2, 0)
        assert dovecot.count("INBOX") == 0
    finally:
        source.close()
        app.engine.dispose()
