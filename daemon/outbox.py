"""Delivering what the store queued: SMTP relay or a pickup directory, with retries.

Each row is sent inside its own transaction that holds the row's lock: if the
process dies mid-send, the lock goes with it and the row is still `queued`, so it
is sent later and never lost; other daemons skip locked rows (SKIP LOCKED), so a
row is never sent by two processes. The one unavoidable gap is a crash after the
relay accepted the mail and before our commit: that mail goes out a second time
with the same Message-ID, which clients show once. The pickup directory has no
such gap: the file name is the row id, so a repeat overwrites the same file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from daemon.clock import Clock
from daemon.settings import OutboxSettings, SmtpOutSettings
from daemon.store import repository

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later (4xx, connection refused, timeout)."""


class PermanentFailure(Exception):
    """The relay refused for good (5xx)."""


class Transport(Protocol):
    def send(
        self, outbox_id: int, envelope_from: str, recipients: list[str], raw: bytes
    ) -> None: ...

    def close(self) -> None: ...


class PickupDirTransport:
    """Writes `<dir>/<outbox id>.eml` atomically (the embedded default)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, outbox_id: int, envelope_from: str, recipients: list[str], raw: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            final = self.directory / f"{outbox_id:08d}.eml"
            partial = self.directory / f".{outbox_id:08d}.eml.tmp"
            with partial.open("wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            partial.replace(final)
        except OSError as exc:  # a full or read-only disk clears up; try again later
            raise TemporaryFailure(f"pickup dir: {exc}") from exc

    def close(self) -> None:
        pass


class SmtpTransport:
    """Sends through the configured relay, keeping one connection for a whole flush."""

    def __init__(self, settings: SmtpOutSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                client.starttls(context=context)
        if s.username:
            client.login(s.username, s.password)
        return client

    def send(self, outbox_id: int, envelope_from: str, recipients: list[str], raw: bytes) -> None:
        try:
            if self._client is None:
                self._client = self._connect()
            refused = self._client.sendmail(envelope_from, recipients, raw)
        except smtplib.SMTPResponseException as exc:
            self.close()
            failure = PermanentFailure if 500 <= exc.smtp_code < 600 else TemporaryFailure
            raise failure(f"relay answered {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _msg in exc.recipients.values()]
            failure = PermanentFailure if all(c >= 500 for c in codes) else TemporaryFailure
            raise failure(f"relay refused recipients: {exc.recipients!r}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"relay unreachable: {exc}") from exc
        if refused:
            log.warning("relay refused some recipients outbox=%s refused=%r", outbox_id, refused)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._client.quit()
            self._client = None


def make_transport(smtp_out: SmtpOutSettings | None, outbox: OutboxSettings) -> Transport:
    if smtp_out is None:
        return PickupDirTransport(outbox.pickup_dir)
    return SmtpTransport(smtp_out)


@dataclass
class FlushReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def flush(
    engine: Engine,
    transport: Transport,
    settings: OutboxSettings,
    clock: Clock,
    should_stop: object = None,
    limit: int | None = None,
) -> FlushReport:
    """Send every due row once; rows that fail temporarily wait for their next attempt."""
    report = FlushReport()
    try:
        while limit is None or report.sent + report.deferred + report.failed < limit:
            if callable(should_stop) and should_stop():
                break
            if not _send_next(engine, transport, settings, clock, report):
                break
    finally:
        transport.close()
    return report


def _send_next(
    engine: Engine,
    transport: Transport,
    settings: OutboxSettings,
    clock: Clock,
    report: FlushReport,
) -> bool:
    with engine.begin() as conn:
        row = repository.claim_next_outgoing(conn, clock())
        if row is None:
            return False
        try:
            transport.send(row.id, row.envelope_from, list(row.recipients), row.raw)
        except PermanentFailure as exc:
            repository.mark_outgoing(
                conn, row.id, status="failed", attempts=row.attempts + 1, last_error=str(exc)
            )
            log.error("send failed for good outbox=%s case_id=%s: %s", row.id, row.case_id, exc)
            report.failed += 1
            return True
        except TemporaryFailure as exc:
            attempts = row.attempts + 1
            if attempts >= settings.max_attempts:
                repository.mark_outgoing(
                    conn, row.id, status="failed", attempts=attempts, last_error=str(exc)
                )
                log.error("send gave up outbox=%s after %s attempts: %s", row.id, attempts, exc)
                report.failed += 1
                return True
            delay = min(
                settings.retry_base_seconds * 2 ** (attempts - 1), settings.retry_max_seconds
            )
            repository.mark_outgoing(
                conn,
                row.id,
                attempts=attempts,
                last_error=str(exc),
                next_attempt_at=clock() + timedelta(seconds=delay),
            )
            log.warning("send deferred outbox=%s retry_in=%ss: %s", row.id, delay, exc)
            report.deferred += 1
            # The relay is down: stop this flush instead of walking the whole queue.
            return False
        now = clock()
        repository.mark_outgoing(
            conn, row.id, status="sent", attempts=row.attempts + 1, sent_at=now, last_error=None
        )
    report.sent += 1
    log.info("sent outbox=%s message_id=%s", row.id, row.message_id)
    return True
