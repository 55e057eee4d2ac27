"""TLS to the mailbox and the relay, verified against a CA the test makes.

IMAPS and IMAP STARTTLS against Dovecot, SMTP STARTTLS against aiosmtpd. A server
whose certificate the configured CA did not sign, or that is made out for another
name, is refused with one line naming the server and the reason; nothing is taken
from the mailbox and nothing queued is lost.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from harness import (
    REPO,
    clean_env,
    customer_mail,
    idle_wait_ends,
    parse_mail,
    sql,
    wait_until,
    write_config,
)
from servers import Dovecot, ServerCert, SmtpSink

from daemon.app import App, build_app
from daemon.clock import fixed_clock
from daemon.settings import load_settings
from daemon.tls import TlsError

ISSUER_UNKNOWN = "unable to get local issuer certificate"  # OpenSSL's reason


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


@pytest.fixture
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_dovecot() -> Iterator[Callable[[ServerCert], Dovecot]]:
    """Starts a Dovecot with the given certificate (IMAPS on imaps_port, STARTTLS on port)."""
    started: list[Dovecot] = []

    def start(cert: ServerCert) -> Dovecot:
        root = Path(tempfile.mkdtemp(prefix="oo-dovecot-"))
        root.chmod(0o755)  # the dovecot user reads the mail under it (see conftest)
        server = Dovecot(root, tls=cert)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.kill()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def tls_sink() -> Iterator[Callable[[ServerCert], SmtpSink]]:
    """Starts an SMTP sink that requires STARTTLS with the given certificate."""
    started: list[SmtpSink] = []

    def start(cert: ServerCert) -> SmtpSink:
        sink = SmtpSink(tls=cert)
        sink.start()
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.stop()


def make_app(
    tmp_path: Path,
    pg_url: str,
    *,
    imap: Dovecot | None = None,
    smtp_out: SmtpSink | None = None,
    extra: dict[str, dict[str, Any]],
) -> App:
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=imap, smtp_out=smtp_out, extra=extra
    )
    app = build_app(load_settings(config, environ={}))
    app.prepare_database()
    return app


def queue_an_ack(app: App) -> None:
    """A phone inquiry: a case whose acknowledgement waits in the outbox."""
    app.register_call("kunde@firma.dk", "Kunde", "Printeren virker ikke", "Hej, den er død.")
    assert sql(app.settings.database.url, "SELECT status FROM outbox") == [("queued",)]


def tls_logins(dovecot: Dovecot) -> list[str]:
    """Dovecot's log lines of logins made over TLS (IMAPS or after STARTTLS)."""
    text = dovecot.log_path.read_text(errors="replace") if dovecot.log_path.exists() else ""
    return [line for line in text.splitlines() if "Login: user=" in line and ", TLS," in line]


# -- the way it should be -------------------------------------------------------------


def test_imaps_mail_becomes_a_case_and_its_ack_goes_out_over_starttls(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot, tls_sink
) -> None:
    cert = ServerCert.issue(test_ca, tmp_path)
    dovecot, sink = tls_dovecot(cert), tls_sink(cert)
    dovecot.append("INBOX", [customer_mail(1)])
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        smtp_out=sink,
        extra={
            "imap": {"security": "ssl", "port": dovecot.imaps_port, "ca_file": str(cert.ca)},
            "smtp_out": {"security": "starttls", "ca_file": str(cert.ca)},
        },
    )
    source = app.imap_source()
    try:
        assert source.poll_once().created == 1
    finally:
        source.close()
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(1,)]
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == 1

    assert app.flush_outbox().sent == 1
    # The sink refuses MAIL before STARTTLS: a captured mail went over TLS.
    [captured] = sink.messages
    assert captured.recipients == ["kunde1@firma1.dk"]
    assert "[OO#" in parse_mail(captured.data)["Subject"]
    assert sql(pg_url, "SELECT status FROM outbox") == [("sent",)]


def test_imap_starttls_mail_becomes_a_case(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot
) -> None:
    cert = ServerCert.issue(test_ca, tmp_path)
    dovecot = tls_dovecot(cert)
    dovecot.append("INBOX", [customer_mail(1)])  # the helper logs in without TLS
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        extra={"imap": {"security": "starttls", "ca_file": str(cert.ca)}},
    )
    source = app.imap_source()
    try:
        assert source.poll_once().created == 1
    finally:
        source.close()
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(1,)]
    # Dovecot marks a login over TLS: the daemon's password went through the tunnel.
    wait_until(lambda: len(tls_logins(dovecot)) == 1, 5, "Dovecot to log the TLS login")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_idle_over_tls_wakes_for_a_mail_that_came_just_before_it_and_only_then(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot, security: str
) -> None:
    """Over TLS the "+ idling" and the EXISTS of a mail that came just before IDLE are
    read whole too, by the TLS layer and imaplib's buffer: the wait must end for it
    (tests/integration/test_imap_ingest.py has the plain case). With nothing announced,
    the wait must go on: the buffer check is no reason to end it."""
    cert = ServerCert.issue(test_ca, tmp_path)
    dovecot = tls_dovecot(cert)
    port = dovecot.imaps_port if security == "ssl" else dovecot.port
    app = make_app(tmp_path, pg_url, imap=dovecot, extra={"imap": {
        "security": security, "port": port, "ca_file": str(cert.ca),
        "poll_interval": 600, "idle": True,
    }})
    source = app.imap_source()
    try:
        assert source.poll_once().total == 0
        # Three rounds of the wait's one-second checks.
        assert not idle_wait_ends(source, 3), "the wait ended with no mail announced"

        assert source.poll_once().total == 0
        dovecot.append("INBOX", [customer_mail(1)])  # after the pass's last command
        # Left in a buffer, it waits poll_interval, 600 s.
        assert idle_wait_ends(source, 30), "the wait missed the mail announced at IDLE"
        assert source.poll_once().created == 1
    finally:
        source.close()


# -- a certificate the configured CA did not sign ---------------------------------------


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_imap_server_with_a_certificate_from_another_ca_is_refused(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot, security: str
) -> None:
    dovecot = tls_dovecot(ServerCert.issue(trustme.CA(), tmp_path))  # not the test CA
    dovecot.append("INBOX", [customer_mail(1)])
    port = dovecot.imaps_port if security == "ssl" else dovecot.port
    trusted = ServerCert.issue(test_ca, tmp_path)
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        extra={"imap": {"security": security, "port": port, "ca_file": str(trusted.ca)}},
    )
    source = app.imap_source()
    with pytest.raises(TlsError) as refused:
        source.poll_once()
    assert str(refused.value) == (
        f"imap 127.0.0.1:{port}: TLS certificate not trusted: {ISSUER_UNKNOWN}"
        " (set [imap] ca_file?)"
    )
    assert source.client is None
    assert dovecot.count("INBOX") == 1 and dovecot.count("Processed") == 0
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(0,)]
    assert tls_logins(dovecot) == []


def test_imap_loop_logs_a_refused_certificate_as_an_error_and_keeps_trying(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot, caplog
) -> None:
    dovecot = tls_dovecot(ServerCert.issue(trustme.CA(), tmp_path))
    trusted = ServerCert.issue(test_ca, tmp_path)
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        extra={"imap": {"security": "ssl", "port": dovecot.imaps_port, "ca_file": str(trusted.ca)}},
    )
    source = app.imap_source()
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="daemon")

    def refusals() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "TLS certificate not trusted" in r.getMessage()]

    loop = threading.Thread(target=source.run, args=(stop,))
    loop.start()
    try:
        # The first try, then the retry after the 1 s backoff: it keeps trying.
        wait_until(lambda: len(refusals()) >= 2, 10, "the loop to retry")
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive()
    for record in refusals():
        assert record.levelno == logging.ERROR
        assert not record.exc_info  # one clear line, no traceback
        assert f"imap 127.0.0.1:{dovecot.imaps_port}: " in record.getMessage()
        assert ISSUER_UNKNOWN in record.getMessage()


def test_relay_with_a_certificate_from_another_ca_is_refused_and_the_ack_kept(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_sink
) -> None:
    untrusted = ServerCert.issue(trustme.CA(), tmp_path)
    sink = tls_sink(untrusted)
    trusted = ServerCert.issue(test_ca, tmp_path)
    app = make_app(
        tmp_path,
        pg_url,
        smtp_out=sink,
        extra={"smtp_out": {"security": "starttls", "ca_file": str(trusted.ca)}},
    )
    queue_an_ack(app)
    report = app.flush_outbox()
    assert (report.sent, report.deferred, report.failed) == (0, 0, 0)
    assert report.relay_error is not None  # sending paused: not this mail's fault
    assert sink.messages == []
    [(status, attempts, last_error)] = sql(
        pg_url, "SELECT status, attempts, last_error FROM outbox"
    )
    assert (status, attempts) == ("queued", 0)
    assert last_error == (
        f"smtp 127.0.0.1:{sink.port}: TLS certificate not trusted: {ISSUER_UNKNOWN}"
        " (set [smtp_out] ca_file?)"
    )

    # Not lost: once the operator trusts the relay's CA, the next attempt delivers it.
    fixed = make_app(
        tmp_path,
        pg_url,
        smtp_out=sink,
        extra={"smtp_out": {"security": "starttls", "ca_file": str(untrusted.ca)}},
    )
    later = build_app(fixed.settings, fixed_clock(datetime.now(UTC) + timedelta(hours=1)))
    assert later.flush_outbox().sent == 1
    assert len(sink.messages) == 1


# -- a certificate for another name ----------------------------------------------------


def test_imap_certificate_for_another_host_name_is_refused(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot
) -> None:
    cert = ServerCert.issue(test_ca, tmp_path, "mail.example.org")  # right CA, wrong name
    dovecot = tls_dovecot(cert)
    dovecot.append("INBOX", [customer_mail(1)])
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        extra={"imap": {"security": "ssl", "port": dovecot.imaps_port, "ca_file": str(cert.ca)}},
    )
    with pytest.raises(TlsError) as refused:
        app.imap_source().poll_once()
    assert str(refused.value) == (
        f"imap 127.0.0.1:{dovecot.imaps_port}: TLS certificate host name mismatch:"
        " IP address mismatch, certificate is not valid for '127.0.0.1'."
        " (is [imap] host the name on the certificate?)"
    )
    assert dovecot.count("INBOX") == 1


def test_relay_certificate_for_another_host_name_is_refused(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_sink
) -> None:
    cert = ServerCert.issue(test_ca, tmp_path, "mail.example.org")
    sink = tls_sink(cert)
    app = make_app(
        tmp_path,
        pg_url,
        smtp_out=sink,
        extra={"smtp_out": {"security": "starttls", "ca_file": str(cert.ca)}},
    )
    queue_an_ack(app)
    assert app.flush_outbox().relay_error is not None
    assert sink.messages == []
    [(status, last_error)] = sql(pg_url, "SELECT status, last_error FROM outbox")
    assert status == "queued"
    assert "TLS certificate host name mismatch" in last_error
    assert "not valid for '127.0.0.1'" in last_error


# -- STARTTLS asked for but not offered: never plain text ------------------------------


def test_imap_starttls_is_not_skipped_when_the_server_does_not_offer_it(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, dovecot
) -> None:
    dovecot.append("INBOX", [customer_mail(1)])  # the default fixture: no TLS at all
    cert = ServerCert.issue(test_ca, tmp_path)
    app = make_app(
        tmp_path,
        pg_url,
        imap=dovecot,
        extra={"imap": {"security": "starttls", "ca_file": str(cert.ca)}},
    )
    with pytest.raises(TlsError, match="does not offer STARTTLS.*refusing to continue in plain"):
        app.imap_source().poll_once()
    assert dovecot.count("INBOX") == 1
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(0,)]


def test_smtp_starttls_is_not_skipped_when_the_relay_does_not_offer_it(
    tmp_path: Path, pg_url: str, smtp_sink
) -> None:
    app = make_app(
        tmp_path, pg_url, smtp_out=smtp_sink, extra={"smtp_out": {"security": "starttls"}}
    )
    queue_an_ack(app)
    assert app.flush_outbox().relay_error is not None
    assert smtp_sink.messages == []  # this sink would have taken it in plain text
    [(status, last_error)] = sql(pg_url, "SELECT status, last_error FROM outbox")
    assert status == "queued"
    assert last_error.startswith(f"smtp 127.0.0.1:{smtp_sink.port}: server does not offer STARTTLS")


# -- check-config ------------------------------------------------------------------------


def test_check_config_fails_naming_the_untrusted_certificates(
    tmp_path: Path, pg_url: str, test_ca: trustme.CA, tls_dovecot, tls_sink
) -> None:
    untrusted = ServerCert.issue(trustme.CA(), tmp_path)
    dovecot, sink = tls_dovecot(untrusted), tls_sink(untrusted)
    trusted = ServerCert.issue(test_ca, tmp_path)
    config = write_config(
        tmp_path / "oo.toml",
        database_url=pg_url,
        imap=dovecot,
        smtp_out=sink,
        extra={
            "imap": {"security": "ssl", "port": dovecot.imaps_port, "ca_file": str(trusted.ca)},
            "smtp_out": {"security": "starttls", "ca_file": str(trusted.ca)},
        },
    )
    # --config after the command: given before it, the command's own default hides it.
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "check-config", "--config", str(config)],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode != 0, done.stdout
    lines = (done.stdout + done.stderr).splitlines()
    for server in (f"imap 127.0.0.1:{dovecot.imaps_port}", f"smtp 127.0.0.1:{sink.port}"):
        expected = f"{server}: TLS certificate not trusted: {ISSUER_UNKNOWN}"
        assert any(expected in line for line in lines), done.stdout + done.stderr
