"""`oo-support check-config`: reach every configured server, render every template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from daemon.app import build_app
from daemon.mail import compose
from daemon.outbox import SmtpTransport
from daemon.settings import Settings


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[CheckResult]:
    app = build_app(settings)
    results = [CheckResult("config", True, "valid")]
    results.append(_check("database", lambda: _database(app)))
    if settings.imap is not None:
        results.append(_check("imap", lambda: _imap(app)))
    if settings.smtp_out is not None:
        results.append(_check("smtp_out", lambda: _smtp(settings)))
    else:
        results.append(CheckResult("smtp_out", True, f"pickup dir {settings.outbox.pickup_dir}"))
    results.append(_check("templates", lambda: _templates(app)))
    return results


def _check(name: str, probe: object) -> CheckResult:
    try:
        return CheckResult(name, True, probe())  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
        return CheckResult(name, False, f"{type(exc).__name__}: {exc}".splitlines()[0])


def _database(app) -> str:  # type: ignore[no-untyped-def]
    with app.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return f"reached {app.engine.url.render_as_string(hide_password=True)}"


def _imap(app) -> str:  # type: ignore[no-untyped-def]
    source = app.imap_source()
    try:
        client = source.connect()
        info = client.select_folder(app.settings.imap.folder, readonly=True)
        return f"logged in, {app.settings.imap.folder} has {info[b'EXISTS']} mails"
    finally:
        source.close()


def _smtp(settings: Settings) -> str:
    s = settings.smtp_out
    assert s is not None
    SmtpTransport(s).check()  # the sender's own connect: EHLO, STARTTLS, AUTH
    return f"EHLO accepted by {s.host}:{s.port}"


def _templates(app) -> str:  # type: ignore[no-untyped-def]
    compose.check_templates(app.renderer, app.settings.support, datetime.now(UTC))
    return f"acknowledgement (da, en) rendered from {app.settings.templates.dir}"
