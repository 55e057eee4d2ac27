"""One sending is one case, however the paths it took wrote its Date (redteam25a;
BR-2, BR-3). A device that writes no Date and sends once, its mail reaching the desk
by two paths whose MTAs each add a Date (seconds apart), or a server that rewrites the
Date in its own zone (the same instant), was two or three cases and acks: the Date
was compared as written. A reused Message-ID and text sent again later is still
another mail (review23b)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from harness import write_config
from sqlalchemy import text

from daemon.app import App, build_app
from daemon.inbound import InboundMail
from daemon.settings import load_settings
from daemon.store.migrate import upgrade

SENT = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@pytest.fixture
def app(tmp_path: Path) -> App:
    cfg = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path / 'oo.db'}")
    app = build_app(load_settings(cfg, environ={}), lambda: SENT)
    upgrade(app.engine)
    return app


def scan(date: str | None) -> bytes:
    dated = f"Date: {date}\r\n" if date else ""
    return (
        "From: scanner@kunde.dk\r\nTo: support@oo.dk\r\nSubject: Scan fra MFP\r\n"
        f"Message-ID: <scan0001@mfp.local>\r\n{dated}\r\nScannet dokument.\r\n"
    ).encode()


def deliver(app: App, raw: bytes, source: str, after: timedelta) -> None:
    app.pipeline.ingest_batch(app.engine, [InboundMail(raw, source, SENT + after)])


def counts(app: App) -> tuple[int, int, int]:
    with app.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("cases", "outbox", "duplicates")
        )


def test_a_dateless_mail_and_its_copies_dated_on_the_way_are_one_case(app: App) -> None:
    deliver(app, scan(None), "imap:INBOX", timedelta(seconds=5))
    deliver(app, scan("Mon, 23 Nov 2026 10:00:02 +0100"), "smtp", timedelta(seconds=6))
    deliver(app, scan("Mon, 23 Nov 2026 09:00:04 +0000"), "imap:Other", timedelta(seconds=9))
    assert counts(app) == (1, 1, 2)  # one case, one ack, two re-deliveries recorded


def test_a_date_rewritten_in_another_zone_is_the_same_mail(app: App) -> None:
    deliver(app, scan("Mon, 23 Nov 2026 10:00:00 +0100"), "smtp", timedelta(seconds=5))
    deliver(app, scan("23 Nov 2026 09:00:00 -0000"), "imap:INBOX", timedelta(seconds=20))
    assert counts(app) == (1, 1, 1)


def test_the_same_text_sent_again_later_is_still_another_mail(app: App) -> None:
    deliver(app, scan("Mon, 23 Nov 2026 10:00:00 +0100"), "smtp", timedelta(seconds=5))
    deliver(app, scan("Mon, 23 Nov 2026 11:00:00 +0100"), "smtp", timedelta(hours=1))
    deliver(app, scan(None), "smtp", timedelta(hours=2))  # no Date, arrived an hour later
    assert counts(app)[:2] == (3, 3)


def test_a_dateless_mail_is_one_mail_with_its_retry_and_another_40_minutes_later(
    app: App,
) -> None:
    """No Date on either copy: each counts as sent when it arrived (review25a). An SMTP
    client's retry after a lost answer minutes later is the same sending; the same text
    40 minutes later is another (a device's second alarm), no longer lost."""
    deliver(app, scan(None), "smtp", timedelta(seconds=5))
    deliver(app, scan(None), "smtp", timedelta(minutes=4))
    assert counts(app) == (1, 1, 1)
    deliver(app, scan(None), "smtp", timedelta(minutes=40))
    assert counts(app) == (2, 2, 1)


def without_id(trace: str, date: str | None = "Mon, 23 Nov 2026 10:00:00 +0100",
               body: str = "Scannet dokument.") -> bytes:
    return (trace + scan(date).decode().replace("Message-ID: <scan0001@mfp.local>\r\n", "")
            .replace("Scannet dokument.", body)).encode()


def test_a_mail_without_message_id_by_two_paths_is_one_case(app: App) -> None:
    """Without a Message-ID the identity was the hash of the whole bytes, trace fields
    included: one mail by two paths (the listener, the mailbox behind the border MTA)
    was two cases and two acks. Its identity is now its sender, Date and body."""
    listener = "Return-Path: <scanner@kunde.dk>\r\n"
    mailbox = (
        "Return-Path: <scanner@kunde.dk>\r\nDelivered-To: support@oo.dk\r\n"
        "Received: from mx.oo.dk by imap.oo.dk with LMTP; Mon, 23 Nov 2026 10:00:03 +0100\r\n"
        "Received: from mfp.kunde.dk by mx.oo.dk; Mon, 23 Nov 2026 10:00:02 +0100\r\n"
    )
    deliver(app, without_id(listener), "smtp", timedelta(seconds=2))
    deliver(app, without_id(mailbox), "imap:INBOX", timedelta(seconds=3))
    assert counts(app) == (1, 1, 1)
    # Another text, or the same text at another time, is another mail.
    deliver(app, without_id(listener, body="Andet dokument."), "smtp", timedelta(seconds=4))
    deliver(app, without_id(listener, date="Mon, 23 Nov 2026 11:00:00 +0100"), "smtp",
            timedelta(hours=1))
    assert counts(app)[:2] == (3, 3)


def test_a_later_sending_by_two_paths_is_one_case_too(app: App) -> None:
    """review25a: the device's second alarm an hour later reached the desk by two paths
    too, each MTA dating it: the copy that came second was compared only with the first
    sending (an hour off) and the variant of its own Date as written, and was a third
    case and ack. Each later sending is compared in turn (pipeline/dedupe.py)."""
    deliver(app, scan("Mon, 23 Nov 2026 10:00:02 +0100"), "smtp", timedelta(seconds=2))
    deliver(app, scan("Mon, 23 Nov 2026 09:00:04 +0000"), "imap:INBOX", timedelta(seconds=4))
    deliver(app, scan("Mon, 23 Nov 2026 11:00:02 +0100"), "smtp", timedelta(hours=1))
    deliver(app, scan("Mon, 23 Nov 2026 10:00:05 +0000"), "imap:INBOX",
            timedelta(hours=1, seconds=5))
    assert counts(app) == (2, 2, 2)
    # Re-delivered as first read, each is still the mail it was.
    deliver(app, scan("Mon, 23 Nov 2026 11:00:02 +0100"), "imap:Other", timedelta(days=2))
    deliver(app, scan("Mon, 23 Nov 2026 10:00:02 +0100"), "imap:Other", timedelta(days=2))
    assert counts(app) == (2, 2, 4)
    deliver(app, scan("Mon, 23 Nov 2026 12:00:02 +0100"), "smtp", timedelta(hours=2))
    assert counts(app)[:2] == (3, 3)


def test_a_dated_variant_stored_by_the_daemon_before_is_still_known(app: App) -> None:
    """Before review25a a later sending was stored under the variant of its Date as
    written; re-read after the upgrade (a crash, another path), it is still that mail."""
    from daemon.mail.identity import variant_key

    deliver(app, scan("Mon, 23 Nov 2026 10:00:00 +0100"), "smtp", timedelta(seconds=5))
    later = scan("Mon, 23 Nov 2026 11:00:00 +0100")
    deliver(app, later, "smtp", timedelta(hours=1))
    assert counts(app) == (2, 2, 0)
    with app.engine.begin() as conn:
        first, second = conn.execute(text(
            "SELECT dedupe_key FROM messages WHERE dedupe_key IS NOT NULL ORDER BY id")).scalars()
        old = variant_key(first, (None, "", "", "Mon, 23 Nov 2026 11:00:00 +0100"))
        conn.execute(text("UPDATE messages SET dedupe_key = :old WHERE dedupe_key = :new"),
                     {"old": old, "new": second})
    deliver(app, later, "imap:INBOX", timedelta(hours=3))
    assert counts(app) == (2, 2, 1)
