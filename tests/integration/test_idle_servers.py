"""IDLE (RFC 2177) against servers that say things Dovecot does not, through a relay
in front of Dovecot (tests/servers.py IdleRelay): untagged data before the "+"
continuation, and a line trickled a byte at a time that never ends (idle23)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from harness import MailWait, customer_mail, sql, wait_until, write_config
from servers import IdleRelay

from daemon.app import build_app
from daemon.settings import load_settings
from daemon.sources.imap import ImapSource


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


def _source(tmp_path: Path, dovecot, pg_url: str, relay: IdleRelay, **imap: object) -> ImapSource:
    settings = load_settings(write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=None,
        extra={"imap": {"poll_interval": 600, "idle": True, "port": relay.port, **imap}},
    ), environ={})
    return build_app(settings).imap_source()


def test_mail_announced_before_idles_continuation_is_taken_at_once(
    tmp_path: Path, dovecot, pg_url: str
) -> None:
    """RFC 3501 lets a server send untagged data at any time, so "* 1 EXISTS" may come
    before the "+" that answers IDLE. imapclient's idle() takes the first line for the
    "+" and raised "Unexpected IDLE response": the session dropped, logged in again
    after a backoff, with an error. The announcement must end the wait at once, and
    the session go on (DONE after the "+", the next pass on it)."""
    relay = IdleRelay((dovecot.host, dovecot.port))
    source = _source(tmp_path, dovecot, pg_url, relay)
    try:
        assert source.poll_once().total == 0
        dovecot.append("INBOX", [customer_mail(1)])
        relay.before_continuation = b"* 1 EXISTS\r\n"
        with MailWait(source) as wait:  # else the wait would go on for poll_interval
            ended = wait.ends_within(30)
        assert wait.failures == [], f"the wait ended in an error: {wait.failures}"
        assert ended, "the wait did not see the mail announced before the continuation"
        assert relay.before_continuation is None  # the line was said
        assert source.poll_once().created == 1  # the same session, in order
        assert relay.sessions == 1
    finally:
        source.close()
        relay.close()


def test_server_trickling_a_line_in_idle_is_dropped_and_signed_in_again(
    tmp_path: Path, dovecot, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A server (or something between) that sends a byte every half second and never
    ends the line held the IDLE line reader for ever: each byte came within the
    connection's timeout, and the loop did not beat until the watchdog restarted the
    daemon. A whole line gets `timeout` seconds: then the session is dropped with a
    WARNING naming the server, signed in again, and the loop beats on."""
    relay = IdleRelay((dovecot.host, dovecot.port), trickle=True, pause=0.5)
    source = _source(tmp_path, dovecot, pg_url, relay, timeout=3)
    beats: list[float] = []
    source.beat = lambda: beats.append(time.monotonic())
    stop = threading.Event()
    loop = threading.Thread(target=source.run, args=(stop,))
    try:
        with caplog.at_level(logging.WARNING, logger="daemon.sources.imap"):
            loop.start()
            wait_until(lambda: relay.sessions >= 2, 60, "a second session after the trickle")
            dovecot.append("INBOX", [customer_mail(1)])
            wait_until(lambda: sql(pg_url, "SELECT count(*) FROM cases") == [(1,)], 60,
                       "the mail taken on the new session")
            beats.append(time.monotonic())  # the last gap: up to now
    finally:
        stop.set()
        loop.join(30)
        relay.close()
    assert not loop.is_alive()
    gaps = [later - earlier for earlier, later in zip(beats, beats[1:], strict=False)]
    # Bounded by the line's 3 s and the backoff's first wait, far below the watchdog's.
    assert max(gaps) < 10, max(gaps)
    server = f"127.0.0.1:{relay.port}"
    assert any(r.levelno == logging.WARNING and server in r.getMessage()
               and "line" in r.getMessage() for r in caplog.records), \
        [r.getMessage() for r in caplog.records]
