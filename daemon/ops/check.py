"""`oo-support check-config`: reach every configured server, render every template.

Each check is independent (one failing never hides the others) and bounded in time:
the servers are asked at once, each with at most CHECK_TIMEOUT seconds per network
step, so a silent host costs one timeout in total. A failure is worded for the
operator who has to fix the setting: what was tried, where, and what came back.
"""

from __future__ import annotations

import errno
import os
import smtplib
import socket
import ssl
import tempfile
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

# A login refusal is the commonest IMAP mistake and deserves its own words; the source
# module hides imapclient otherwise.
from imapclient.exceptions import IMAPClientError, LoginError
from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from daemon import oauth
from daemon.mail.render import TemplateRenderer
from daemon.mail.samples import TEMPLATE_SAMPLES, Sample
from daemon.settings import OAuthSettings, Settings, WebSettings
from daemon.sources.imap_login import said
from daemon.tls import TlsError

if TYPE_CHECKING:
    from daemon.app import App

# Seconds any one network step of a check may take (connect, greeting, login).
CHECK_TIMEOUT = 10.0
# Shown in full in a failure's detail: enough folder names to spot a typo.
_FOLDERS_SHOWN = 12


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


class CheckFailed(Exception):
    """A finding already worded for the operator; shown as it is."""


Probe = Callable[[], str]


def run_checks(app: App, source: str = "the embedded defaults") -> list[CheckResult]:
    """Every check for the app's settings (read from `source`), in a fixed order.

    `app` must not create its database (create_database_dir=False): check-config
    changes nothing."""
    settings = app.settings
    now = app.clock()
    probes: list[tuple[str, Probe]] = [("database", lambda: _database(app))]
    if settings.oauth is not None:
        oauth_settings = settings.oauth
        today = now.astimezone(ZoneInfo(settings.support.timezone)).date()
        probes.append(("oauth", lambda: _oauth(oauth_settings, today)))
    if settings.imap is not None:
        probes.append(("imap", lambda: _imap(app)))
    if settings.smtp_out is not None:
        probes.append(("smtp_out", lambda: _smtp(app)))
    else:
        probes.append(("pickup_dir", lambda: _pickup_dir(settings.outbox.pickup_dir)))
    if settings.web.enabled:
        web_settings = settings.web
        probes.append(("web", lambda: _web(web_settings)))
    renderer = app.renderer
    for name, render in TEMPLATE_SAMPLES:
        probes.append((f"template {name}", _template_probe(render, renderer, settings, now)))
    # Threads, so a server that never answers delays the table by one timeout, not one
    # timeout per server; the results keep the order above.
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        futures = [pool.submit(_outcome, name, probe) for name, probe in probes]
        found = [future.result() for future in futures]
    return [CheckResult("config", True, f"valid ({source})"), *found]


def _outcome(name: str, probe: Probe) -> CheckResult:
    try:
        return CheckResult(name, True, probe())
    except CheckFailed as exc:
        return CheckResult(name, False, str(exc))
    except Exception as exc:  # noqa: BLE001 - an unforeseen failure is a finding too
        reason = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
        return CheckResult(name, False, reason)


def _unreachable(exc: BaseException, host: str, port: int, timeout: float) -> str:
    """Why a TCP/TLS connection to host:port failed, in words that point at the setting."""
    where = f"{host}:{port}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where} (wrong port, or the server is down)"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {timeout:g} s (wrong host or port?)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {host!r}: {exc.strerror}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the TLS certificate of {where} is not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        # Typically `security = "ssl"` against a plain-text port, or the reverse.
        return f"TLS with {where} failed ({exc.reason or exc}): is `security` right for it?"
    return f"cannot connect to {where}: {getattr(exc, 'strerror', None) or exc}"


# ---- servers --------------------------------------------------------------------------


def _database(app: App) -> str:
    """Reach the database and say whether its schema fits; creates nothing."""
    from daemon.store import migrate

    parsed = make_url(app.settings.database.url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists():
            return _sqlite_to_be_created(path)
    # The app's own engine: on PostgreSQL it gives libpq a connect_timeout of 10 s
    # (store/engine.py, as CHECK_TIMEOUT) unless the URL sets one, so a silent host
    # costs no more than that; a missing SQLite file is not created (see above).
    engine = app.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = migrate.revision(conn)
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip()
        reason = cause.splitlines()[0] if cause else type(exc).__name__
        raise CheckFailed(f"database unreachable at {shown}: {reason}") from exc
    finally:
        engine.dispose()
    state = migrate.state_of(current)
    if state is migrate.SchemaState.NEWER:
        raise CheckFailed(f"{shown}: {migrate.mismatch(current, state)}")
    if state is migrate.SchemaState.EMPTY:
        return f"reached {shown}; no schema yet (`oo-support db upgrade` or `run` creates it)"
    if state is migrate.SchemaState.OLDER:
        return f"reached {shown}; schema {current}: `oo-support db upgrade` (or `run`) needed"
    return f"reached {shown}; schema {current}, the newest"


def _sqlite_to_be_created(path: Path) -> str:
    """A SQLite file that does not exist yet: can its first start make it?"""
    parent = _nearest_existing(path.parent)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise CheckFailed(f"database file {path} cannot be created: {parent} is not writable")
    return f"no database yet at {path}; `oo-support db upgrade` or `run` creates it"


def _nearest_existing(directory: Path) -> Path:
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def _imap(app: App) -> str:
    imap = app.settings.imap
    assert imap is not None
    # The daemon's own source and connect (TLS, login method), not a second copy of them.
    source = app.imap_probe(CHECK_TIMEOUT)
    timeout = source.settings.timeout
    try:
        try:
            client = source.connect()
        except LoginError as exc:
            raise CheckFailed(f"imap login refused for {imap.username}: {said(exc)}") from exc
        except IMAPClientError as exc:  # STARTTLS refused, a folder not creatable, ...
            raise CheckFailed(f"imap server {imap.host}:{imap.port} said: {said(exc)}") from exc
        except TlsError as exc:  # already names the server and the certificate's fault
            raise CheckFailed(str(exc)) from exc
        except OSError as exc:
            reason = _unreachable(exc, imap.host, imap.port, timeout)
            raise CheckFailed(f"imap server unreachable: {reason}") from exc
        if not client.folder_exists(imap.folder):
            names = sorted(str(name) for _flags, _sep, name in client.list_folders())
            more = ", ..." if len(names) > _FOLDERS_SHOWN else ""
            shown = ", ".join(names[:_FOLDERS_SHOWN]) + more
            raise CheckFailed(
                f"folder {imap.folder!r} does not exist on the server (it has: {shown})"
            )
        status = client.folder_status(imap.folder, [b"MESSAGES"])
        waiting = int(status[b"MESSAGES"])
        return (
            f"logged in as {imap.username} at {imap.host}:{imap.port};"
            f" folder {imap.folder!r} holds {waiting} mails"
        )
    finally:
        source.close()


def _oauth(settings: OAuthSettings, today: date) -> str:
    try:
        return oauth.check_sign_in(settings, today)
    except oauth.OAuthError as exc:
        raise CheckFailed(f"no token from {settings.authority}: {exc}") from exc


def _smtp(app: App) -> str:
    smtp_out = app.settings.smtp_out
    assert smtp_out is not None
    where = f"{smtp_out.host}:{smtp_out.port}"
    # The sender's own connect (EHLO, STARTTLS, AUTH), with its token when XOAUTH2.
    transport = app.relay_probe(CHECK_TIMEOUT)
    bounded = transport.settings
    try:
        transport.check()
    except TlsError as exc:
        raise CheckFailed(str(exc)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise CheckFailed(
            f"smtp login refused for {smtp_out.username} by {where}: {_reply(exc)}"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        # Asked for STARTTLS or AUTH (a username is set) and the relay offers neither.
        raise CheckFailed(f"relay {where} cannot do what the settings ask: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        raise CheckFailed(f"relay {where} refused us: {_reply(exc)}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a greeting that never came as a disconnect.
        if isinstance(exc.__context__, TimeoutError):
            reason = _unreachable(exc.__context__, smtp_out.host, smtp_out.port, bounded.timeout)
            raise CheckFailed(f"relay unreachable: {reason}") from exc
        raise CheckFailed(f"relay {where} closed the connection: {exc}") from exc
    except OSError as exc:  # after the smtplib errors: they are OSErrors too
        reason = _unreachable(exc, smtp_out.host, smtp_out.port, bounded.timeout)
        raise CheckFailed(f"relay unreachable: {reason}") from exc
    login = f", logged in as {smtp_out.username}" if smtp_out.username else ""
    return f"EHLO accepted by {where} ({smtp_out.security}){login}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    said = exc.smtp_error
    words = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    return f"{exc.smtp_code} {words}"


def _pickup_dir(directory: Path) -> str:
    """Without [smtp_out], every outgoing mail is a file here: it must be writable.

    A directory that does not exist yet is not made (check-config changes nothing):
    the first start makes it, so its nearest existing parent must be writable."""
    if not directory.exists():
        parent = _nearest_existing(directory)
        if not parent.is_dir():  # a file in the way
            raise CheckFailed(f"pickup dir {directory} is not writable: Not a directory")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise CheckFailed(f"pickup dir {directory} cannot be created: {parent} is not writable")
        return f"no [smtp_out]: outgoing mail goes to {directory.resolve()} (made at start)"
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".oo-check-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise CheckFailed(f"pickup dir {directory} is not writable: {exc.strerror or exc}") from exc
    return f"no [smtp_out]: outgoing mail is written to {directory.resolve()}"


def _web(web: WebSettings) -> str:
    """The staff console `run` serves ([web] enabled): can it listen on [web] listen?

    The address is bound for a moment and let go, as the console binds it
    (web/server.py). A console already serving there, a running daemon's, holds it too:
    the failure names that cause beside another program's."""
    host, port = web.host_port()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            # Operators run check-config beside the running daemon (before a restart):
            # its own console holding the address is the expected state, not a fault.
            if _console_answers(host, port):
                return f"in use by a running OneOffice console on {web.listen}"
            raise CheckFailed(
                f"cannot listen on {web.listen}: in use by another program"
            ) from exc
        raise CheckFailed(f"cannot listen on {web.listen}: {exc.strerror or exc}") from exc
    sign_in = "password or Microsoft 365" if web.microsoft_sign_in else "password"
    cookies = "HTTPS only" if web.secure_cookies else "also over plain HTTP"
    return f"can listen on {web.listen}; sign-in by {sign_in}; session cookies {cookies}"


def _console_answers(host: str, port: int) -> bool:
    """Whether what listens on (host, port) is a OneOffice staff console: its sign-in
    page answers with the console's title."""
    url_host = f"[{host}]" if ":" in host else host
    # Straight to the address: an http_proxy in the environment must not answer for it.
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(f"http://{url_host}:{port}/login", timeout=3) as answer:
            return answer.status == 200 and b"OneOffice support</title>" in answer.read(65536)
    except (OSError, ValueError):
        return False


# ---- templates ------------------------------------------------------------------------
# Each sample goes through the same function that renders the template in service, so
# a template that needs a value the daemon does not give fails here, not on a customer.

def _template_probe(
    render: Sample, renderer: TemplateRenderer, settings: Settings, now: datetime
) -> Probe:
    def probe() -> str:
        try:
            rendered = render(renderer, settings, now)
        except TemplateError as exc:
            raise CheckFailed(_template_error(exc, renderer.directory)) from exc
        return "rendered " + ", ".join(rendered)

    return probe


def _template_error(exc: TemplateError, directory: Path) -> str:
    """`FILE line N: what` for a broken template, also when the fault is in an include."""
    if isinstance(exc, TemplateNotFound):
        return f"{exc.name} not found in {directory}"
    if isinstance(exc, TemplateSyntaxError):
        return f"{exc.name or exc.filename} line {exc.lineno}: {exc.message}"
    # Jinja rewrites a render error's traceback so template frames carry the template's
    # file and line; the innermost one under the template directory is where it broke.
    where = ""
    tb: TracebackType | None = exc.__traceback__
    root = directory.resolve()
    while tb is not None:
        path = Path(tb.tb_frame.f_code.co_filename)
        if path.suffix == ".j2" and path.resolve().is_relative_to(root):
            where = f"{path.resolve().relative_to(root)} line {tb.tb_lineno}: "
        tb = tb.tb_next
    return f"{where}{exc}"


