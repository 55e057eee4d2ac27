"""The embedded inbound SMTP listener (aiosmtpd), for local use and small setups.

It accepts mail only for the support address (no relaying), refuses oversize mail
at the protocol level, and answers 250 only after the mail is committed: a client
that got 250 can forget the mail, so we must not lose it after that point.

The listener is a border of its own: every Authentication-Results field
in mail it takes was written by the sender, so it removes them all on arrival
(RFC 8601 section 5), and staff are recognised only by what it checks itself: a
DKIM signature of the From domain (daemon/mail/dkim_check.py), or an SMTP AUTH
login ([smtp_in] users, loopback only) equal to the From address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from daemon.clock import Clock
from daemon.domain.staff import ListenerProof
from daemon.inbound import InboundMail, IngestResult, Outcome
from daemon.mail.dkim_check import TxtLookup, verified_staff_signers
from daemon.mail.header_block import return_path_field, without_fields
from daemon.mail.identity import sha256_of
from daemon.mail.parse import dedupe_key
from daemon.mail.spooled import Raw
from daemon.passwords import hash_password, password_matches
from daemon.pipeline import Pipeline
from daemon.settings import Settings, SmtpInSettings, SmtpUser, is_loopback
from daemon.sources.prepare_pool import (
    Prepare,
    PrepareFailed,
    PrepareStopped,
    WorkersUnavailable,
    in_process,
)
from daemon.sources.smtp_spool import DataSpool, DataState
from daemon.store import repository

log = logging.getLogger(__name__)


class SupportMailHandler:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        pipeline: Pipeline,
        clock: Clock,
        on_committed: Callable[[], None] = lambda: None,
        dkim_lookup: TxtLookup | None = None,  # None: DNS; tests give their own keys
    ) -> None:
        self.support_address = settings.support.address.lower()
        self.max_attempts = settings.smtp_in.max_attempts
        self.engine = engine
        self.pipeline = pipeline
        self.clock = clock
        self.on_committed = on_committed
        self.dkim_lookup = dkim_lookup
        self.in_flight = 0
        self.accepting = True
        # Here, or in the daemon's worker processes (set by the service).
        self.prepare: Prepare = in_process(pipeline)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self.accepting:
            return "421 4.3.2 Service shutting down, try again later"
        if address.lower() != self.support_address:
            return "550 5.7.1 Relaying denied: this server only accepts mail for support"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if not self.accepting:
            return "421 4.3.2 Service shutting down, try again later"
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        login = session.auth_data if session.authenticated else None
        received_at = self.clock()
        self.in_flight += 1
        try:
            result = await asyncio.to_thread(
                self._ingest, raw, envelope.mail_from or "", login, received_at
            )
        except PrepareStopped:
            return "421 4.3.2 Service shutting down, try again later"
        except Exception:  # noqa: BLE001 - the database is down: the client keeps the mail
            log.exception("smtp ingest failed; answering 451 so the sender retries")
            return "451 4.3.0 Temporary failure, please try again later"
        finally:
            self.in_flight -= 1
        self.on_committed()
        if result.outcome is Outcome.DEFERRED:
            return "451 4.3.0 Cannot store this message now, please try again later"
        # Stored: as a case, on a case, or kept with a reason (ignored, rejected, a
        # recorded re-delivery). The reply says no more: which case a mail joined is
        # not for whoever can connect to port 25 to learn.
        return "250 2.0.0 OK"

    def _ingest(
        self, raw: bytes, mail_from: str, login: str | None, received_at: datetime
    ) -> IngestResult:
        """Verify what the listener can, then store the mail (in a worker thread)."""
        staff_domains = self.pipeline.settings.staff.domains
        proof = ListenerProof(
            smtp_login=login,
            dkim_domains=verified_staff_signers(raw, staff_domains, self.dkim_lookup),
        )
        # Stored byte for byte as received, less the Authentication-Results and
        # Return-Path fields: nothing that reads the stored mail later may take the
        # sender's word for them. On top, as a final delivery does (RFC 5321 4.4), the
        # envelope sender: the sender of last resort of a mail whose From is unreadable.
        mail = InboundMail(
            raw=without_fields(
                raw,
                b"authentication-results",
                b"return-path",
                prefix=return_path_field(mail_from),
            ),
            source="smtp",
            received_at=received_at,
            listener_proof=proof,
        )
        return self._take_up(mail)

    def _take_up(self, mail: InboundMail) -> IngestResult:
        """Prepare and store `mail`, counting its tries in the database first.

        The client keeps a mail until it gets 250, and sends it again after a 4xx or a
        lost connection: each delivery is a try of the same bytes. A try is committed
        before the work, so one that kills or hangs the daemon counts too. A try that
        fails (the preparation too slow, its process killed) is answered 451; the one
        that reaches `[smtp_in] max_attempts` keeps the mail raw as quarantined, with
        the reason, and is answered 250: no mail is retried for ever, none is lost.
        """
        uid = _content_uid(mail.raw)
        with self.engine.begin() as conn:
            [tried] = repository.count_attempts(
                conn, SOURCE, 0, [uid], self.clock()
            ).values()
        try:
            result, failed_try = self._quarantine_or_ingest(mail, uid, tried)
        except (OperationalError, InterfaceError, PrepareStopped, WorkersUnavailable):
            # The database went away, the daemon is stopping, or no parsing process
            # would start: not the mail's fault.
            self._give_back(uid)
            raise
        if result.outcome is not Outcome.DEFERRED:
            with self.engine.begin() as conn:
                repository.forget_attempts(conn, SOURCE, 0, [uid])
        elif failed_try:
            with self.engine.begin() as conn:
                repository.note_attempt_error(conn, SOURCE, 0, uid, result.reason or "failed")
        else:  # the database refused the bytes: the client keeps the mail, as before
            self._give_back(uid)
        return result

    def _give_back(self, uid: int) -> None:
        with contextlib.suppress(Exception), self.engine.begin() as conn:
            repository.uncount_attempts(conn, SOURCE, 0, [uid])

    def _quarantine_or_ingest(
        self, mail: InboundMail, uid: int, tried: repository.Attempts
    ) -> tuple[IngestResult, bool]:
        """The result, and whether it is a failed try (to be noted, not given back)."""
        if tried.count >= self.max_attempts:  # tried in full before, by a daemon that died
            why = tried.last_error or "processing never finished (the daemon crashed or hung)"
            return self._quarantine(mail, uid, f"quarantined after {tried.count} tries: {why}")
        try:
            prepared = self.prepare(mail, lambda: not self.accepting)
        except PrepareFailed as exc:
            log.warning("smtp mail not prepared (try %s): %s", tried.count + 1, exc)
            if tried.count + 1 >= self.max_attempts:
                return self._quarantine(
                    mail, uid, f"quarantined after {tried.count + 1} tries: {exc}"
                )
            return IngestResult(Outcome.DEFERRED, reason=str(exc)), True
        [result] = self.pipeline.ingest_prepared(self.engine, [prepared])
        return result, False

    def _quarantine(self, mail: InboundMail, uid: int, why: str) -> tuple[IngestResult, bool]:
        """Keep the mail raw as quarantined; 250 only if it is really stored (the
        pipeline reports a quarantine it could not store, for IMAP's sake)."""
        log.warning("quarantining smtp mail %s: %s", uid, why)
        [result] = self.pipeline.quarantine(self.engine, [(mail, why)])
        with self.engine.connect() as conn:
            stored = repository.known_inbound(conn, [dedupe_key(None, "", mail.raw)])
        if not stored:
            return IngestResult(Outcome.DEFERRED, reason=f"not storable: {why}"), True
        return result, False


SOURCE = "smtp"  # the listener's mail in mail_attempts (uidvalidity 0, uid from the bytes)


def _content_uid(raw: Raw) -> int:
    """A try-counting key for mail that has no UID: 63 bits of its SHA-256."""
    return int(sha256_of(raw)[:16], 16) >> 1


class StaffLogins:
    """aiosmtpd's authenticator: the [smtp_in] users, checked against their hashes."""

    def __init__(self, users: list[SmtpUser]) -> None:
        self.hashes = {user.login.strip().lower(): user.password_hash for user in users}
        # An unknown login costs a hash check too, so timing does not tell who exists.
        self.unknown = hash_password("no such user")

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode("utf-8", "replace").strip().lower()
        known = login in self.hashes
        if password_matches(data.password, self.hashes.get(login, self.unknown)) and known:
            log.info("smtp auth login=%s", login)
            return AuthResult(success=True, auth_data=login)
        log.warning("smtp auth refused login=%r peer=%s", login[:100], session.peer)
        return AuthResult(success=False, handled=False)


class ConnectionCounts:
    """The connections being served, in all and per client address (its IP)."""

    def __init__(self, most: int, most_per_client: int) -> None:
        self.most = most
        self.most_per_client = most_per_client
        self.total = 0
        self.per_client: dict[str, int] = {}

    def admit(self, client: str) -> bool:
        if self.total >= self.most or self.per_client.get(client, 0) >= self.most_per_client:
            return False
        self.total += 1
        self.per_client[client] = self.per_client.get(client, 0) + 1
        return True

    def release(self, client: str) -> None:
        self.total -= 1
        left = self.per_client.pop(client) - 1
        if left:
            self.per_client[client] = left


TOO_MANY = b"421 4.7.0 Too many connections, try again later\r\n"
END_OF_DATA = b".\r\n"  # at the start of a line


class SpoolingSMTP(SMTP):
    """aiosmtpd's SMTP server, but DATA is read into a DataSpool (not a list of lines)
    and connections over the caps are turned away before the greeting."""

    def __init__(self, handler: Any, counts: ConnectionCounts, **options: Any) -> None:
        super().__init__(handler, **options)
        self.counts = counts
        self.client: str | None = None  # set once admitted: released when lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.client is None:  # not a STARTTLS upgrade of a connection admitted before
            peer = transport.get_extra_info("peername")
            client = str(peer[0]) if isinstance(peer, tuple) else str(peer)
            if not self.counts.admit(client):
                log.warning("smtp connection refused, too many: peer=%s", client)
                assert isinstance(transport, asyncio.WriteTransport)
                transport.write(TOO_MANY)
                transport.close()
                return
            self.client = client
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.client is None:  # turned away: aiosmtpd never saw it
            return
        self.counts.release(self.client)
        self.client = None
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        return super().eof_received() if self.client is not None else False

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command name
        """As aiosmtpd's, but the content is spooled as it comes and held once."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        spool = DataSpool(self.data_size_limit)
        try:
            await self._read_data(spool)
            if spool.state is DataState.TOO_MUCH:
                await self.push("552 Error: Too much mail data")
            if spool.state is not DataState.NOMINAL:
                self._set_post_data_state()  # type: ignore[no-untyped-call]
                return
            content = spool.content()
        finally:
            spool.close()
        # decode_data=False: content and original_content are the same bytes, once.
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self, spool: DataSpool) -> None:
        """Feed DATA to the spool up to the line `.`, and read no further: what the
        client sent after it (pipelined commands) stays in the reader.

        Reading up to each `.<CRLF>` (and in chunks the size of the reader's limit
        between them) finds the end without a read per line; whether a `.<CRLF>` starts
        a line is told by the two bytes before it."""
        before = b"\r\n"  # DATA starts a line
        while True:
            try:
                chunk = await self._reader.readuntil(END_OF_DATA)
            except asyncio.LimitOverrunError as over:
                chunk = await self._reader.read(over.consumed)
                spool.feed(chunk)
                before = (before + chunk)[-2:]
                continue
            except asyncio.CancelledError:
                log.info("connection lost during DATA")  # the spool is closed by our caller
                self._writer.close()
                raise
            ahead = chunk[: -len(END_OF_DATA)]
            if (before + ahead)[-2:] == b"\r\n":
                spool.feed(ahead)
                return
            spool.feed(chunk)
            before = chunk[-2:]


async def start_listener(
    handler: SupportMailHandler, settings: SmtpInSettings
) -> asyncio.base_events.Server:
    """Serve on the running loop (not aiosmtpd's Controller thread)."""
    loop = asyncio.get_running_loop()
    logins = StaffLogins(settings.users) if settings.users else None
    # Without TLS, passwords may only cross loopback (settings refuse users elsewhere).
    plain_auth = logins is not None and is_loopback(settings.host)

    counts = ConnectionCounts(settings.max_connections, settings.max_connections_per_client)

    def factory() -> SMTP:
        return SpoolingSMTP(
            handler,
            counts,
            data_size_limit=settings.max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="oo-support",
            ident="oo-support",
            authenticator=logins,
            auth_require_tls=not plain_auth,
        )

    try:
        server = await loop.create_server(factory, host=settings.host, port=settings.port)
    except OSError as exc:
        # One line naming the key to change (as [web] listen's), not asyncio's wording.
        reason = exc.strerror or str(exc)
        raise OSError(
            exc.errno, f"[smtp_in] host/port {settings.host}:{settings.port}: {reason}"
        ) from None
    sockets: Any = server.sockets
    log.info("smtp listener on %s", ", ".join(str(s.getsockname()) for s in sockets))
    return server
