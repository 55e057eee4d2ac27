"""Signing in to the support mailbox, apart from the pass (daemon/sources/imap.py).

Only imapclient, TLS and the settings: `poll --once` signs in and looks for a backlog
before it imports the pass's modules (SQLAlchemy, the pipeline: ~0.3 s), so that a
backlog's parsing workers start beside those imports and the database check rather
than after them (issue 18, start22).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from imaplib import IMAP4
from typing import TYPE_CHECKING

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from daemon import tls

if TYPE_CHECKING:  # msal and requests: ~7 MB of the daemon's memory, for XOAUTH2 only
    from daemon.oauth import TokenProvider
    from daemon.settings import ImapSettings

PROCESSED_KEYWORD = "$OOProcessed"
# A one-shot pass (poll --once) starts its parsing workers only for a backlog of at
# least this many mails: below it their start-up costs more than they save.
POOL_BACKLOG = 200
# Errors after which we reconnect: the server went away or the session is broken.
CONNECTION_ERRORS = (IMAPClientError, IMAP4.abort, IMAP4.error, OSError, socket.timeout, EOFError)


def signed_in(settings: ImapSettings, tokens: TokenProvider | None) -> IMAPClient:
    """A session on the server, signed in as `auth` says."""
    client = _open_secured(settings)
    if settings.auth == "xoauth2":
        _xoauth2_login(settings, tokens, client)
    else:
        client.login(settings.username, settings.password)
    client.normalise_times = False  # keep INTERNALDATE's offset instead of local naive
    return client


def signed_in_or_why(settings: ImapSettings, tokens: TokenProvider | None) -> IMAPClient:
    """`signed_in`, for a command: a server not reached is an OSError that says where
    (a TLS failure names the server itself)."""
    try:
        return signed_in(settings, tokens)
    except OSError as exc:
        if isinstance(exc, tls.TlsError):
            raise
        why = exc.strerror or str(exc) or type(exc).__name__
        where = f"{settings.host}:{settings.port}"
        raise OSError(f"imap server {where} unreachable: {why}") from exc


def refusal(settings: ImapSettings, exc: IMAPClientError) -> str:
    """The server's refusal in one line that names the setting to look at: a command
    reports it so, not as a traceback (INTERFACE.md "Command line")."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, LoginError) and settings.auth != "xoauth2":
        return f"imap login refused for {settings.username} by {where}: {said(exc)}"
    return f"imap server {where} said: {said(exc)}"  # XOAUTH2's names the user itself


def said(exc: Exception) -> str:
    """An IMAP server's words from an imapclient error (often a bytes repr)."""
    text = str(exc)
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    return text


def moves(settings: ImapSettings, client: IMAPClient) -> bool:
    """Mail taken in is moved to the processed folder (else given PROCESSED_KEYWORD)."""
    return bool(client.has_capability("MOVE") and settings.processed_folder)


def waiting(moved: bool) -> list[str]:
    """The SEARCH criteria of the mail a pass takes in."""
    return ["ALL"] if moved else ["UNKEYWORD", PROCESSED_KEYWORD]


def backlog(settings: ImapSettings, client: IMAPClient) -> int:
    """How many mails wait in the folder now (a hint: the pass searches again)."""
    client.select_folder(settings.folder)
    return len(client.search(waiting(moves(settings, client))))


def _open_secured(settings: ImapSettings) -> IMAPClient:
    """Connect as `security` says. TLS is verified (daemon/tls.py), and a server that
    does not offer STARTTLS is refused, never used in plain text."""
    s = settings
    server = f"imap {s.host}:{s.port}"
    context = None if s.security == "none" else tls.client_context(s.ca_file)
    with tls.named_tls_failures(server, "imap"):
        client = IMAPClient(
            s.host, port=s.port, ssl=s.security == "ssl", ssl_context=context, timeout=s.timeout
        )
    _quiet_imaplib(client)
    if s.security == "starttls":
        try:
            if not client.has_capability("STARTTLS"):
                raise tls.starttls_not_offered(server)
            with tls.named_tls_failures(server, "imap"):
                client.starttls(context)
        except BaseException:
            with contextlib.suppress(*CONNECTION_ERRORS):
                client.shutdown()
            raise
    return client


def _xoauth2_login(settings: ImapSettings, tokens: TokenProvider | None,
                   client: IMAPClient) -> None:
    """Sign in with a bearer token (Microsoft 365). Failures are LoginErrors, which the
    run loop logs in one line and retries with backoff; a refused token is dropped so
    the retry brings a fresh one."""
    from daemon.oauth import OAuthError  # not at the top: see TYPE_CHECKING there

    user = settings.username
    try:
        if tokens is None:
            raise LoginError('auth = "xoauth2" needs an [oauth] section')
        try:
            token = tokens.token()
        except OAuthError as exc:
            raise LoginError(f"imap XOAUTH2 sign-in for {user}: {exc}") from exc
        try:
            client.oauth2_login(user, token)
        except LoginError as exc:
            tokens.invalidate(token)
            raise LoginError(f"imap XOAUTH2 login refused for {user}: {exc}") from exc
    except LoginError:
        with contextlib.suppress(*CONNECTION_ERRORS):
            client.shutdown()  # not yet the source's client: close() would not end it
        raise


def _quiet_imaplib(client: IMAPClient) -> None:
    """imaplib's own trace off unless someone reads it. IMAPClient sets imaplib's debug
    level to 5 and hands its messages to the "imapclient.imaplib" logger; at that level
    imaplib writes out the repr of every FETCH literal (the whole mail) and of each whole
    answer, and only then does logging drop them (we log at INFO): ~0.34 ms of the
    fetching thread's ~0.42 ms a mail (issue 18). With that logger on for DEBUG the
    trace is kept as it was."""
    if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        client._imap.debug = 0
