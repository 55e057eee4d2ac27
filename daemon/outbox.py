"""Delivering what the store queued: SMTP relay or a pickup directory, with retries.

Never twice while PostgreSQL stays up; over SMTP, at most once in one narrow window.
Each row is sent inside its own database transaction, which holds the row's lock
(other daemons skip it: SKIP LOCKED); over several relay connections
(daemon/outbox_lanes.py, `_Batches`) a batch of rows, one per connection, shares
one such transaction and one commit. The transport transfers the whole mail but the
final "." of DATA, then we commit `sent`, then the "." goes out. A crash before the
commit leaves the relay with an unfinished DATA, which it discards, and the row still
`queued`: sent later, once. A kill of this process between the COMMIT leaving and
the "." loses that one mail: the row says `sent`, the relay threw the DATA away. The
commit does not wait for the WAL flush (synchronous_commit off for it), which keeps
that window to a loopback round trip (measured: 3 acks lost in 78 kills over five
seeds, against 3 in 20 while it waited); the price is that a crash of PostgreSQL
itself (not a clean restart) within wal_writer_delay after a send makes that mail go
again. SMTP offers no exactly-once; committing after the relay's 250 would turn the
window into a second copy on every kill. The pickup directory has no window at all:
the file name is the row id, so a repeat overwrites the same file.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import smtplib
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, Row, text

from daemon import tls
from daemon.clock import Clock
from daemon.oauth import OAuthError, TokenProvider, xoauth2_string
from daemon.ops.backoff import mail_retry_delay
from daemon.settings import OutboxSettings, SmtpOutSettings
from daemon.store import repository
from daemon.store.repository import ClaimedOutgoing

if TYPE_CHECKING:
    from sqlalchemy.engine import RootTransaction

    from daemon.outbox_lanes import Batch, SmtpLanes

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later (4xx, connection refused, timeout)."""


class PermanentFailure(Exception):
    """The relay refused for good (5xx)."""


class RelayUnavailable(TemporaryFailure):
    """Nothing can be handed over now: the relay is down or refuses our login, its
    certificate or our token is refused, the pickup dir is full. No mail's fault, so
    no mail's attempt: sending pauses (with backoff) and the queue waits as it is."""


# Called by a transport at its point of no return; raises if the commit failed,
# and then the transport must abandon the mail.
CommitSent = Callable[[], None]


class Transport(Protocol):
    def send(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        commit: CommitSent,
    ) -> None: ...

    def close(self) -> None: ...


class PickupDirTransport:
    """Writes `<dir>/<outbox id>.eml` atomically (the embedded default)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        commit: CommitSent,
    ) -> None:
        final = self.directory / f"{outbox_id:08d}.eml"
        partial = self.directory / f".{outbox_id:08d}.eml.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            partial.replace(final)
        except OSError as exc:  # a full or read-only disk clears up; try again later
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)  # a half-written file only fills the disk
            raise RelayUnavailable(f"pickup dir: {exc}") from exc
        commit()  # a repeat after a crash here rewrites the same file

    def close(self) -> None:
        pass


class SmtpTransport:
    """Sends through the configured relay, keeping one connection for a whole flush."""

    def __init__(
        self,
        settings: SmtpOutSettings,
        tokens: TokenProvider | None = None,
        default_user: str = "",
    ) -> None:
        self.settings = settings
        self.tokens = tokens  # the sign-in token for auth = "xoauth2"
        # The XOAUTH2 mailbox when [smtp_out] username is empty: the support address.
        self.default_user = default_user
        self._client: smtplib.SMTP | None = None
        self._mail_accepted = False

    def check(self) -> None:
        """Connect, greet, secure and log in as a send would, then hang up (check-config)."""
        self._client = self._connect()
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client = self._open_secured()
        if s.auth == "xoauth2":
            self._xoauth2_login(client)
        elif s.username:
            client.login(s.username, s.password)
        return client

    def _xoauth2_login(self, client: smtplib.SMTP) -> None:
        """AUTH XOAUTH2 with a bearer token (Microsoft 365). A refused token is dropped and
        the failure is temporary: the mail waits for the retry, which brings a new token."""
        user = self.settings.username or self.default_user
        try:
            if self.tokens is None:
                raise TemporaryFailure('smtp_out auth = "xoauth2" needs an [oauth] section')
            try:
                token = self.tokens.token()
            except OAuthError as exc:
                raise TemporaryFailure(f"smtp XOAUTH2 sign-in for {user}: {exc}") from exc
            try:
                client.auth("XOAUTH2", _xoauth2_answer(user, token))
            except smtplib.SMTPAuthenticationError as exc:
                self.tokens.invalidate(token)
                raise TemporaryFailure(
                    f"smtp XOAUTH2 login refused for {user}: {exc.smtp_code} {exc.smtp_error!r}"
                ) from exc
        except TemporaryFailure:
            with contextlib.suppress(OSError):
                client.close()  # not yet self._client: close() would not end it
            raise

    def _open_secured(self) -> smtplib.SMTP:
        """Connect and greet as `security` says. TLS is verified (daemon/tls.py), and a
        relay that does not offer STARTTLS is refused, never used in plain text."""
        s = self.settings
        server = f"smtp {s.host}:{s.port}"
        context = None if s.security == "none" else tls.client_context(s.ca_file)
        client: smtplib.SMTP
        with tls.named_tls_failures(server, "smtp_out"):
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            # DATA ends with a small write after our commit; without NODELAY, Nagle holds
            # it until the relay's delayed ACK (40 ms) and every mail costs that much.
            if client.sock is not None:
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.ehlo()
            if s.security == "starttls":
                if not client.has_extn("starttls"):
                    raise tls.starttls_not_offered(server)
                with tls.named_tls_failures(server, "smtp_out"):
                    client.starttls(context=context)
                client.ehlo()  # capabilities change under TLS
        except BaseException:
            with contextlib.suppress(OSError):
                client.close()
            raise
        return client

    def send(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        commit: CommitSent,
    ) -> None:
        self.until_dot(outbox_id, envelope_from, recipients, raw)
        try:
            commit()
        except BaseException:
            # The commit failed (or we are being stopped): abandon the unfinished DATA
            # by dropping the connection, so the relay discards it.
            self.abort()
            raise
        self.dot(outbox_id)

    def until_dot(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        previous: PendingDot | None = None,
    ) -> None:
        """The mail up to (not including) the final "." of its DATA; raises as send()
        would before its commit. `previous`, this connection's last mail, committed
        `sent` and waiting for its ".": that "." goes out first, and with PIPELINING
        its answer is read after this mail's envelope went out (one round trip for
        both, as RFC 2920 allows); `previous.settle` hears its outcome either way."""
        try:
            if previous is not None and not self._pipelines(envelope_from, recipients):
                self._dot_before(previous)  # the "." alone, and its answer
            self._until_dot(outbox_id, envelope_from, recipients, raw, previous)
        finally:
            if previous is not None and not previous.settled:
                if previous.dot_out:  # the "." went out, only its answer is missing
                    previous.settle(None, "no answer after DATA")
                else:
                    self.abort()  # the relay discards its DATA
                    previous.settle(TemporaryFailure("connection dropped before the dot"))

    def _pipelines(self, envelope_from: str, recipients: list[str]) -> bool:
        """Whether the last mail's "." can go in one write with this envelope: the relay
        pipelines and the envelope can be written (else it is refused after the ".")."""
        if self._client is None or not self._client.has_extn("pipelining"):
            return False
        try:
            _envelope_lines(envelope_from, recipients)
        except UnicodeEncodeError:
            return False
        return True

    def _dot_before(self, previous: PendingDot) -> None:
        client = self._client
        if client is None:  # cannot be: the mail's DATA is open on this connection
            previous.settle(TemporaryFailure("connection lost before the final dot"))
            return
        try:
            previous.dot_out = True
            client.send(b".\r\n")
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            previous.settle(TemporaryFailure(f"connection lost while sending: {exc}"))
            return
        previous.settle(self._dot_answer(previous.outbox_id, close=True))

    def _dot_answer(self, outbox_id: int, close: bool) -> BaseException | None:
        """The relay's answer to a mail's final ".": None when it took the mail. `close`:
        hang up on a refusal (as send() does); with a pipelined envelope behind the "."
        the connection goes on (that envelope's answers follow)."""
        assert self._client is not None
        try:
            reply = self._client.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            # The final line went out, only the answer is missing: the relay has it.
            log.warning("no answer after DATA outbox=%s: %s", outbox_id, exc)
            return None
        if reply[0] == 250:
            return None
        if close:
            self.close()
        return _refusal(reply)

    def _until_dot(
        self,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        raw: bytes,
        previous: PendingDot | None,
    ) -> None:
        reused = self._client is not None
        if self._client is None:
            self._client = self._connect_or_pause()
        stage = "mail"  # then "data" (envelope answered)
        self._mail_accepted = False  # MAIL FROM answered 250: a break is this mail's
        try:
            client = self._client
            try:
                self._envelope(client, outbox_id, envelope_from, recipients, previous)
            except (smtplib.SMTPServerDisconnected, OSError):
                if not reused:
                    raise
                # A kept connection the relay has closed since (idle timeout, a limit
                # of mails per connection, a 421 to the last "."): once more, on a new one.
                self.abort()
                self._client = client = self._connect_or_pause()
                self._envelope(client, outbox_id, envelope_from, recipients, None)
            stage = "data"
            client.send(_dot_stuffed(raw))
        except RelayUnavailable:
            self.close()
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise _refusal((exc.smtp_code, exc.smtp_error)) from exc
        except UnicodeEncodeError as exc:  # a non-ASCII address; SMTPUTF8 is not used
            self.abort()
            raise PermanentFailure(f"address not sendable without SMTPUTF8: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            if stage == "mail" and not self._mail_accepted:
                # Even a new connection broke at once: the relay's trouble.
                raise RelayUnavailable(f"relay unreachable: {exc}") from exc
            # Broke while this mail was on the wire (before its "." went out): counted
            # against it, so a mail that always breaks the connection gives up in the end.
            raise TemporaryFailure(f"connection lost while sending: {exc}") from exc
        except BaseException:
            # Stopped meanwhile: drop the connection, so the relay discards the DATA.
            self.abort()
            raise

    def dot(self, outbox_id: int) -> None:
        """The final "." of the mail until_dot left open, once its commit is done, and
        the relay's answer; raises what the relay refused with."""
        client = self._client
        if client is None:
            raise TemporaryFailure("connection lost before the final dot")
        try:
            client.send(b".\r\n")
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"connection lost while sending: {exc}") from exc
        failure = self._dot_answer(outbox_id, close=True)
        if failure is not None:
            raise failure

    def _envelope(
        self,
        client: smtplib.SMTP,
        outbox_id: int,
        envelope_from: str,
        recipients: list[str],
        previous: PendingDot | None = None,
    ) -> None:
        """MAIL FROM, RCPT TO and DATA, answered 354 on return. With PIPELINING (RFC
        2920) the commands go in one write and their answers are read after: one round
        trip a mail instead of two and one per recipient; the answer to `previous`'s
        ".", sent just before, is the first of them."""
        if not client.has_extn("pipelining"):
            _check_mail_from(client.mail(envelope_from))
            self._mail_accepted = True
            accepted = [to for to in recipients if _rcpt(client, to, outbox_id)]
            if not accepted:
                raise PermanentFailure(f"relay refused every recipient of outbox {outbox_id}")
            client.putcmd("data")
            _expect(client.getreply(), 354)
            return
        lines = _envelope_lines(envelope_from, recipients)
        if previous is None or previous.settled:
            client.send(lines)
        else:
            # One write: a "." and the next envelope in two would have the relay answer
            # in two writes too, the second held by its Nagle until our delayed ACK.
            previous.dot_out = True
            try:
                client.send(b".\r\n" + lines)
            except (smtplib.SMTPException, OSError) as exc:
                previous.settle(TemporaryFailure(f"connection lost while sending: {exc}"))
                raise
            previous.settle(self._dot_answer(previous.outbox_id, close=False))
            if self._client is None:  # no answer: the connection is gone
                raise smtplib.SMTPServerDisconnected("closed after the last mail's dot")
        mail_reply = client.getreply()
        self._mail_accepted = mail_reply[0] == 250
        rcpt_replies = [client.getreply() for _ in recipients]
        data_reply = client.getreply()
        taken = [reply[0] in (250, 251) for reply in rcpt_replies]
        temporary = next((r for r in rcpt_replies if 400 <= r[0] < 500), None)
        if data_reply[0] == 354 and (mail_reply[0] != 250 or temporary or not any(taken)):
            # The relay reads a message now, which must not end: drop the connection,
            # and the relay discards the unfinished DATA.
            self.abort()
        _check_mail_from(mail_reply)
        for to, reply in zip(recipients, rcpt_replies, strict=True):
            if reply[0] >= 500:
                log.warning(
                    "relay refused recipient outbox=%s to=%s: %s %r",
                    outbox_id, to, reply[0], reply[1],
                )
        if temporary is not None:
            raise smtplib.SMTPResponseException(temporary[0], temporary[1])
        if not any(taken):
            raise PermanentFailure(f"relay refused every recipient of outbox {outbox_id}")
        _expect(data_reply, 354)

    def _connect_or_pause(self) -> smtplib.SMTP:
        """_connect(), with every failure a RelayUnavailable: before MAIL FROM, nothing
        that goes wrong (a refused login included) is the fault of the mail in hand."""
        try:
            return self._connect()
        except RelayUnavailable:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise RelayUnavailable(
                f"relay refused our login: {exc.smtp_code} {exc.smtp_error!r}"
            ) from exc
        except (TemporaryFailure, tls.TlsError) as exc:  # a token refused; a certificate
            raise RelayUnavailable(str(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            raise RelayUnavailable(f"relay answered {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RelayUnavailable(f"relay unreachable: {exc}") from exc

    def abort(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._client.quit()
            self._client = None


def _xoauth2_answer(user: str, token: str) -> Callable[..., str]:
    def answer(challenge: bytes | None = None) -> str:
        # smtplib asks first with no challenge: the initial response. A 334 after it
        # carries the server's error (JSON), which XOAUTH2 acknowledges with an empty line.
        return xoauth2_string(user, token) if challenge is None else ""

    return answer


def _envelope_lines(envelope_from: str, recipients: list[str]) -> bytes:
    """MAIL FROM, every RCPT TO and DATA, as one pipelined write (RFC 2920)."""
    commands = [f"MAIL FROM:{_quoted(envelope_from)}"]
    commands += [f"RCPT TO:{_quoted(to)}" for to in recipients]
    return ("\r\n".join([*commands, "DATA"]) + "\r\n").encode("ascii")


# smtplib.quoteaddr parses the address with email.utils.parseaddr (7-14 us a call), and a
# lane builds a mail's envelope twice (may it follow the last "." in one write? then the
# write): four parses a mail for two addresses, the sender always the same. Each address's
# quote kept, the same string (issue 18, flush20: the lanes' CPU an ack); bounded, as the
# recipients are many.
_quoted = functools.lru_cache(maxsize=4096)(smtplib.quoteaddr)


class PendingDot:
    """A mail committed `sent` whose final "." is still to go out on its connection, and
    who hears the outcome: None when the relay took it, else the failure send() would
    have raised. Settled once; later settles are ignored."""

    def __init__(self, outbox_id: int, answered: Callable[[BaseException | None], None]) -> None:
        self.outbox_id = outbox_id
        self.dot_out = False  # its "." written (or being written)
        self.settled = False
        self._answered = answered

    def settle(self, outcome: BaseException | None, warning: str = "") -> None:
        if self.settled:
            return
        self.settled = True
        if warning:
            log.warning("%s outbox=%s", warning, self.outbox_id)
        self._answered(outcome)


def _refusal(reply: tuple[int, bytes | str]) -> TemporaryFailure | PermanentFailure:
    """What a relay's refusal means for the mail: 421 ("service not available, closing")
    for every mail, 5xx for good, anything else for now."""
    code, message = reply
    if code == 421:
        return RelayUnavailable(f"relay answered 421 {message!r}")
    if 500 <= code < 600:
        return PermanentFailure(f"relay answered {code} {message!r}")
    return TemporaryFailure(f"relay answered {code} {message!r}")


def _check_mail_from(reply: tuple[int, bytes]) -> None:
    if reply[0] != 250:
        # The envelope sender is the same for every mail: refused here (530
        # authentication required, a sender not allowed), refused for all.
        raise RelayUnavailable(f"relay refused MAIL FROM: {reply[0]} {reply[1]!r}")


def _expect(reply: tuple[int, bytes], code: int) -> None:
    if reply[0] != code:
        raise smtplib.SMTPResponseException(reply[0], reply[1])


def _rcpt(client: smtplib.SMTP, recipient: str, outbox_id: int) -> bool:
    code, message = client.rcpt(recipient)
    if code in (250, 251):
        return True
    if code >= 500:
        log.warning(
            "relay refused recipient outbox=%s to=%s: %s %r", outbox_id, recipient, code, message
        )
        return False
    raise smtplib.SMTPResponseException(code, message)


def _dot_stuffed(raw: bytes) -> bytes:
    r"""The DATA payload up to (not including) the terminating "." line (RFC 5321 4.5.2):
    line ends made CRLF, a line's leading "." doubled, a CRLF at the end.

    The same bytes as re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", raw) and then
    re.sub(rb"(?m)^\.", b"..", ...), at about a third of the CPU (35 -> 13 us a 3.3 KB
    corpus ack; issue 18, flush20): our acks have CRLF line ends already (as many CR as LF as
    CRLF: no bare one), and a line start in (?m) is the string's start or after a LF."""
    crlf = raw.count(b"\r\n")
    if raw.count(b"\r") == crlf and raw.count(b"\n") == crlf:
        data = raw  # no bare CR or LF: nothing to make CRLF
    else:
        data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", raw)
    data = data.replace(b"\n.", b"\n..")
    if data.startswith(b"."):
        data = b"." + data
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def make_transport(
    smtp_out: SmtpOutSettings | None,
    outbox: OutboxSettings,
    tokens: TokenProvider | None = None,
    default_user: str = "",
) -> Transport:
    from daemon.outbox_lanes import SmtpLanes

    if smtp_out is None:
        return PickupDirTransport(outbox.pickup_dir)
    if smtp_out.connections > 1:
        return SmtpLanes(smtp_out, tokens, default_user)
    return SmtpTransport(smtp_out, tokens, default_user)


@dataclass
class FlushReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    # Set when sending paused because nothing could be handed over (RelayUnavailable).
    relay_error: str | None = None


def flush(
    engine: Engine,
    transport: Transport,
    settings: OutboxSettings,
    clock: Clock,
    should_stop: Callable[[], bool] | None = None,
    limit: int | None = None,
    on_result: Callable[[str, str], None] | None = None,
) -> FlushReport:
    """Send every due row once; rows that fail temporarily wait for their next attempt.

    `on_result(kind, result)` hears of each row: result sent, deferred or failed.
    """
    report = FlushReport()

    def count(kind: str, result: str) -> None:
        setattr(report, result, getattr(report, result) + 1)
        if on_result is not None:
            on_result(kind, result)

    from daemon.outbox_lanes import SmtpLanes

    try:
        if isinstance(transport, SmtpLanes) and (limit is None or limit > 1):
            _flush_batches(engine, transport, settings, clock, count, report, should_stop,
                           limit)
        else:
            while limit is None or report.sent + report.deferred + report.failed < limit:
                if should_stop is not None and should_stop():
                    break
                if not _send_next(engine, transport, settings, clock, count):
                    break
    except RelayUnavailable as exc:
        report.relay_error = str(exc)
        log.warning("sending paused: nothing can be handed over", extra={"error": str(exc)})
    finally:
        transport.close()
    return report


def _flush_batches(
    engine: Engine,
    lanes: SmtpLanes,
    settings: OutboxSettings,
    clock: Clock,
    count: Callable[[str, str], None],
    report: FlushReport,
    should_stop: Callable[[], bool] | None,
    limit: int | None,
) -> None:
    with contextlib.ExitStack() as stack:
        conns = [stack.enter_context(engine.connect())]
        if conns[0].dialect.name == "postgresql":
            # A second connection: the next batch is claimed on one while the last one,
            # claimed on the other, waits for its lanes (SQLite has one writer at a time).
            conns.append(stack.enter_context(engine.connect()))
            for conn in conns:
                # For the whole flush on these connections, and undone before they go
                # back to the pool: a batch's commit does not wait for the WAL flush, as
                # _send_next's does not (see there), at no extra round trip per batch.
                conn.exec_driver_sql("SET synchronous_commit TO OFF")
                conn.commit()
                stack.callback(_synchronous_commit_again, conn)
        _Batches(conns, lanes, settings, clock, count).run(report, should_stop, limit)


def _synchronous_commit_again(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    try:
        if conn.in_transaction():
            conn.rollback()
        conn.exec_driver_sql("RESET synchronous_commit")
        conn.commit()
    except Exception:  # noqa: BLE001 - never back to the pool with commits not waiting
        conn.invalidate()


def _send_next(
    engine: Engine,
    transport: Transport,
    settings: OutboxSettings,
    clock: Clock,
    count: Callable[[str, str], None],
) -> bool:
    with engine.connect() as conn:
        transaction = conn.begin()
        row = repository.claim_next_outgoing(conn, clock())
        if row is None:
            transaction.rollback()
            return False

        def commit_sent() -> None:
            repository.mark_outgoing(
                conn,
                row.id,
                status="sent",
                attempts=row.attempts + 1,
                sent_at=clock(),
                last_error=None,
            )
            if conn.dialect.name == "postgresql":
                # A kill of this process between the COMMIT leaving and the final "."
                # of DATA loses the mail: PostgreSQL commits anyway. Not waiting for
                # the WAL flush shrinks that window from a flush (~ms) to a loopback
                # round trip; the price is a resend (a duplicate, not a loss) if
                # PostgreSQL itself crashes within wal_writer_delay of this commit.
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            transaction.commit()

        try:
            transport.send(row.id, row.envelope_from, list(row.recipients), row.raw, commit_sent)
        except RelayUnavailable as exc:
            # The row stays as it was (attempts, next attempt); only the reason is kept,
            # in the claim's own transaction (no gap for another daemon to take it).
            if not transaction.is_active:  # after our commit: undo "sent"
                transaction = conn.begin()
                repository.mark_outgoing(
                    conn, row.id, status="queued", attempts=row.attempts, sent_at=None
                )
            repository.mark_outgoing(conn, row.id, last_error=str(exc))
            transaction.commit()
            raise
        except (PermanentFailure, TemporaryFailure) as exc:
            if not transaction.is_active:  # refused after our commit: undo "sent"
                transaction = conn.begin()
            retry = isinstance(exc, TemporaryFailure)
            report_as = _record_failure(conn, row, exc, retry, settings, clock)
            transaction.commit()
            count(row.kind, report_as)
            # A relay that is down stays down for a while: end this flush.
            return report_as != "deferred"
    count(row.kind, "sent")
    log.info(
        "sent",
        extra={"case": row.case_number, "outbox": row.id, "kind": row.kind,
               "message_id": row.message_id},
    )
    return True


@dataclass
class _Claim:
    """Rows claimed and marked `sent` in `transaction`, not yet committed; `batch` once
    they are started on the lanes."""

    conn: Connection
    transaction: RootTransaction
    rows: list[ClaimedOutgoing]
    batch: Batch | None = None
    committed: bool = False


class _Batches:
    """The batch path of flush (daemon/outbox_lanes.py): up to `width` due rows at once,
    one on each lane, in one claim and one commit; each row as _send_next would.

    A batch's claim marks its rows `sent` in the same statement, in a transaction nobody
    sees before its COMMIT (a crash rolls it back), so a batch costs two round trips
    to PostgreSQL: the claim and the COMMIT. On PostgreSQL the next batch is claimed
    on a second connection while this one is on the wire, and started on the lanes
    before this one's "."s go, so each lane's "." leaves with its next envelope. The
    relay's answers to a batch's "."s are read by its lanes before the next batch's
    envelopes: all in before that batch is committed. A row the relay refused after our
    commit is then settled in a transaction of its own, as before, and the batches
    claimed since wait (rolled back, their DATA dropped: nothing of them sent).

    One mail a connection at most is committed and not yet ended by its "." (a lane
    holds one open DATA): what a kill at the wrong moment can lose."""

    def __init__(
        self,
        conns: list[Connection],
        lanes: SmtpLanes,
        settings: OutboxSettings,
        clock: Clock,
        count: Callable[[str, str], None],
    ) -> None:
        self.conns = conns
        self.lanes = lanes
        self.settings = settings
        self.clock = clock
        self.count = count
        self._turn = 0  # the connection the next claim goes on
        self.live: list[_Claim] = []  # claimed, not yet let go (committed or withdrawn)
        self.committed: _Claim | None = None  # the last batch, its answers not yet read

    def run(
        self, report: FlushReport, should_stop: Callable[[], bool] | None, limit: int | None
    ) -> None:
        def width() -> int:
            """How many rows the next claim may take; 0 when sending should end."""
            if should_stop is not None and should_stop():
                return 0
            if limit is None:
                return self.lanes.width
            in_flight = sum(len(claim.rows) for claim in self.live)
            if self.committed is not None:
                in_flight += len(self.committed.rows)
            done = report.sent + report.deferred + report.failed + in_flight
            return max(0, min(self.lanes.width, limit - done))

        try:
            current = self._claim(width())
            while current is not None:
                following = self._claim(width()) if len(self.conns) > 1 else None
                if not self._commit(current, following):
                    break
                if following is not None and following.batch is None:
                    following = None  # withdrawn after a refusal at a "."
                current = following or self._claim(width())
        except BaseException:
            for claim in list(self.live):
                with contextlib.suppress(Exception):
                    self._let_go(claim, RuntimeError("the flush ended before its commit"))
            with contextlib.suppress(Exception):  # what went out is counted; this error wins
                self.collect()
            raise
        self.collect()

    def _claim(self, width: int) -> _Claim | None:
        """Up to `width` due rows claimed and marked `sent` (uncommitted), started on
        the lanes unless a batch is on them still (then _commit starts them)."""
        if width <= 0:
            return None
        conn = self.conns[self._turn]
        transaction = conn.begin()
        try:
            now = self.clock()
            rows = repository.claim_due_outgoing_as_sent(conn, now, width, now)
        except BaseException:
            transaction.rollback()
            raise
        if not rows:
            transaction.rollback()
            return None
        self._turn = (self._turn + 1) % len(self.conns)
        claim = _Claim(conn, transaction, rows)
        self.live.append(claim)
        if not any(other.batch is not None for other in self.live if other is not claim):
            claim.batch = self.lanes.start(rows)
        return claim

    def _let_go(self, claim: _Claim, error: BaseException) -> None:
        """A claim that will not be committed: its lanes drop their DATA (nothing of it
        sent), its marks rolled back. A committed one's "."s go out."""
        if claim in self.live:
            self.live.remove(claim)
        if claim.batch is not None:
            claim.batch.open(None if claim.committed else error)
        if not claim.committed and claim.transaction.is_active:
            claim.transaction.rollback()

    def _commit(self, current: _Claim, following: _Claim | None) -> bool:
        """Commit `current` once its lanes reached their "."s (the last batch's answers
        read by then), start `following` and let current's "."s go. False when sending
        should end for now (a row deferred)."""
        assert current.batch is not None
        arrived, ended = current.batch.wait_arrived()
        last, self.committed = self.committed, None
        if last is not None:
            assert last.batch is not None
            answers = last.batch.answers()
            if any(exc is not None for _row, exc in answers):
                # Refused after our commit: what was claimed since waits.
                withdrawn = RuntimeError("withdrawn: the relay refused a mail at its dot")
                self._let_go(current, withdrawn)
                if following is not None:
                    self._let_go(following, withdrawn)
                return self._settle_late(answers)
            self._report(answers, {}, None)
        conn, rows = current.conn, current.rows
        reports: dict[int, str] = {}
        down: RelayUnavailable | None = None
        early = [(rows[index], exc) for index, exc in ended.items()]  # ended before "."
        # The lanes that ended early are settled in the claim's own transaction: no gap
        # in which another daemon could take their rows.
        for index, row in enumerate(rows):
            if row.id in arrived:
                continue
            exc = ended.get(index)
            if isinstance(exc, (PermanentFailure, TemporaryFailure)) and not isinstance(
                exc, RelayUnavailable
            ):
                retry = isinstance(exc, TemporaryFailure)
                reports[row.id] = _record_failure(conn, row, exc, retry, self.settings, self.clock)
                continue
            # Not the mail's fault (or not known): as it was claimed, no attempt used.
            repository.mark_outgoing(
                conn, row.id, status="queued", attempts=row.attempts, sent_at=None,
                last_error=str(exc) if isinstance(exc, RelayUnavailable) else row.last_error,
            )
            if isinstance(exc, RelayUnavailable):
                down = down or exc
        current.transaction.commit()  # without waiting for the WAL flush: see _flush_batches
        current.committed = True
        unexpected = any(
            not isinstance(exc, (RelayUnavailable, PermanentFailure, TemporaryFailure))
            for _row, exc in early
        )
        carry_on = all(result != "deferred" for result in reports.values())
        if following is not None:
            if carry_on and down is None and not unexpected:
                following.batch = self.lanes.start(following.rows)
            else:
                self._let_go(following, RuntimeError("withdrawn: sending ends"))
        self.live.remove(current)
        current.batch.open(None)  # committed: its "."s go out
        self.committed = current
        if down is not None or unexpected:
            self.collect()  # what did go out is counted before we stop
        self._report(early, reports, down)
        return carry_on

    def collect(self) -> bool:
        """The last committed batch's answers: counted, and the rows refused after our
        commit settled. False when sending should end for now."""
        last, self.committed = self.committed, None
        if last is None or last.batch is None:
            return True
        answers = last.batch.answers()
        if any(exc is not None for _row, exc in answers):
            return self._settle_late(answers)
        self._report(answers, {}, None)
        return True

    def _settle_late(self, answers: list[tuple[ClaimedOutgoing, BaseException | None]]) -> bool:
        """Rows refused after our commit: their "sent" undone in a transaction of its
        own (no claim open on any connection by now)."""
        late = [(row, exc) for row, exc in answers if exc]
        reports: dict[int, str] = {}
        down: RelayUnavailable | None = None
        conn = self.conns[0]
        with conn.begin():
            # This undo waits for the WAL flush, as it did before batches.
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL synchronous_commit TO ON"))
            for row, exc in late:
                if isinstance(exc, RelayUnavailable):
                    # Not the mail's fault: the attempt "sent" counted is given back.
                    repository.mark_outgoing(
                        conn, row.id, status="queued", attempts=row.attempts,
                        sent_at=None, last_error=str(exc),
                    )
                    down = down or exc
                elif isinstance(exc, (PermanentFailure, TemporaryFailure)):
                    retry = isinstance(exc, TemporaryFailure)
                    reports[row.id] = _record_failure(
                        conn, row, exc, retry, self.settings, self.clock
                    )
        self._report(answers, reports, down)
        return all(result != "deferred" for result in reports.values())

    def _report(
        self,
        outcomes: Sequence[tuple[ClaimedOutgoing, BaseException | None]],
        reports: dict[int, str],
        down: RelayUnavailable | None,
    ) -> None:
        """Count and log each row's result; then raise what stops the flush, if any."""
        unexpected: BaseException | None = None
        for row, exc in outcomes:
            if exc is None:
                self.count(row.kind, "sent")
                log.info(
                    "sent",
                    extra={"case": row.case_number, "outbox": row.id, "kind": row.kind,
                           "message_id": row.message_id},
                )
            elif row.id in reports:
                self.count(row.kind, reports[row.id])
            elif not isinstance(exc, RelayUnavailable):
                unexpected = unexpected or exc
        if down is not None:
            raise down
        if unexpected is not None:
            raise unexpected


def _record_failure(
    conn: Connection,
    row: Row[Any] | ClaimedOutgoing,
    exc: Exception,
    retry: bool,
    settings: OutboxSettings,
    clock: Clock,
) -> str:
    attempts = row.attempts + 1
    if not retry or attempts >= settings.max_attempts:
        # sent_at None: a refusal of the final "." comes after our commit of "sent".
        repository.mark_outgoing(
            conn, row.id, status="failed", attempts=attempts, last_error=str(exc), sent_at=None
        )
        log.error(
            "send failed for good",
            extra={"case": row.case_number, "outbox": row.id, "kind": row.kind,
                   "attempts": attempts, "error": str(exc)},
        )
        return "failed"
    delay = mail_retry_delay(attempts, settings)
    repository.mark_outgoing(
        conn,
        row.id,
        status="queued",
        attempts=attempts,
        sent_at=None,
        last_error=str(exc),
        next_attempt_at=clock() + timedelta(seconds=delay),
    )
    log.warning(
        "send deferred",
        extra={"case": row.case_number, "outbox": row.id, "kind": row.kind,
               "retry_in": delay, "error": str(exc)},
    )
    return "deferred"
