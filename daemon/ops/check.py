"""`oo-support check-config`: reach every configured server, render every template.

Each check is independent (one failing never hides the others) and bounded in time:
the servers are asked at once, each with at most CHECK_TIMEOUT seconds per network
step, so a silent host costs one timeout in total. A failure is worded for the
operator who has to fix the setting: what was tried, where, and what came back.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

# A login refusal is the commonest IMAP mistake and deserves its own words; the source
# module hides imapclient otherwise.
from imapclient.exceptions import IMAPClientError, LoginError
from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from daemon import oauth
from daemon.app import build_app
from daemon.mail.render import TemplateRenderer
from daemon.mail.samples import TEMPLATE_SAMPLES, Sample
from daemon.outbox import SmtpTransport
from daemon.settings import OAuthSettings, Settings, SmtpOutSettings
from daemon.store.engine import make_engine
from daemon.tls import TlsError

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


def run_checks(settings: Settings, source: str = "the embedded defaults") -> list[CheckResult]:
    """Every check for `settings` (read from `source`), in a fixed order."""
    probes: list[tuple[str, Probe]] = [("database", lambda: _database(settings.database.url))]
    if settings.oauth is not None:
        oauth_settings = settings.oauth
        probes.append(("oauth", lambda: _oauth(oauth_settings)))
    if settings.imap is not None:
        probes.append(("imap", lambda: _imap(settings)))
    if settings.smtp_out is not None:
        smtp_out = settings.smtp_out
        probes.append(("smtp_out", lambda: _smtp(smtp_out, settings)))
    else:
        probes.append(("pickup_dir", lambda: _pickup_dir(settings.outbox.pickup_dir)))
    renderer = TemplateRenderer(settings.templates.dir)
    now = datetime.now(UTC)
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


def _database(url: str) -> str:
    """Reach the database and say whether its schema fits; creates nothing."""
    from daemon.store import migrate

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists():
            return _sqlite_to_be_created(path)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # libpq waits for the kernel's TCP timeout (minutes) on a silent host.
        parsed = parsed.update_query_dict({"connect_timeout": str(int(CHECK_TIMEOUT))})
    engine = make_engine(parsed.render_as_string(hide_password=False), create_dir=False)
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


def _imap(settings: Settings) -> str:
    imap = settings.imap
    assert imap is not None
    bounded = imap.model_copy(update={"timeout": min(imap.timeout, CHECK_TIMEOUT)})
    # The daemon's own source and connect (TLS, login method), not a second copy of them.
    # It never touches the database: an in-memory one keeps ./var from being created.
    in_memory = settings.database.model_copy(update={"url": "sqlite://"})
    probe_settings = settings.model_copy(update={"imap": bounded, "database": in_memory})
    source = build_app(probe_settings).imap_source()
    try:
        try:
            client = source.connect()
        except LoginError as exc:
            raise CheckFailed(f"imap login refused for {imap.username}: {_said(exc)}") from exc
        except IMAPClientError as exc:  # STARTTLS refused, a folder not creatable, ...
            raise CheckFailed(f"imap server {imap.host}:{imap.port} said: {_said(exc)}") from exc
        except TlsError as exc:  # already names the server and the certificate's fault
            raise CheckFailed(str(exc)) from exc
        except OSError as exc:
            reason = _unreachable(exc, imap.host, imap.port, bounded.timeout)
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


def _oauth(settings: OAuthSettings) -> str:
    try:
        return oauth.check_sign_in(settings, date.today())
    except oauth.OAuthError as exc:
        raise CheckFailed(f"no token from {settings.authority}: {exc}") from exc


def _said(exc: Exception) -> str:
    """An IMAP server's words from an imapclient error (often a bytes repr)."""
    text_ = str(exc)
    if text_.startswith(("b'", 'b"')) and text_.endswith(("'", '"')):
        text_ = text_[2:-1]
    return text_


def _smtp(smtp_out: SmtpOutSettings, settings: Settings) -> str:
    bounded = smtp_out.model_copy(update={"timeout": min(smtp_out.timeout, CHECK_TIMEOUT)})
    where = f"{smtp_out.host}:{smtp_out.port}"
    # The sender's own connect (EHLO, STARTTLS, AUTH), with a token of its own when
    # XOAUTH2: each check signs in afresh, as the oauth check does.
    tokens = oauth.TokenProvider(settings.oauth) if settings.oauth is not None else None
    transport = SmtpTransport(bounded, tokens, settings.support.address)
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


