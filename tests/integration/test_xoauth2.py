"""Microsoft 365 sign-in: XOAUTH2 against a real Dovecot (oauth2 passdb) and an
aiosmtpd relay, with tokens from a local stand-in for Entra's token endpoint.

The token endpoint is real HTTPS (a throwaway CA), and MSAL is the real library: only
the servers are local. Dovecot asks a local introspection endpoint whether a token is
active, so a test decides which tokens the "mailbox" accepts.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from harness import customer_mail, run_cli, sql, wait_until, write_config
from imapclient.exceptions import LoginError
from oauth_servers import IntrospectionServer, TokenEndpoint, XOAuth2SmtpSink
from servers import Dovecot

from daemon.app import build_app
from daemon.oauth import REFRESH_MARGIN, OAuthError, TokenProvider, check_sign_in
from daemon.outbox import SmtpTransport, TemporaryFailure
from daemon.settings import OAuthSettings, Settings, load_settings

USER = "support@oo.dk"
# The XOAUTH2 relay requires AUTH on a loopback connection without TLS, on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


@pytest.fixture
def token_endpoint(tmp_path: Path) -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint(tmp_path)
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture
def introspection() -> Iterator[IntrospectionServer]:
    server = IntrospectionServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def oauth_dovecot(introspection: IntrospectionServer) -> Iterator[Dovecot]:
    """Dovecot whose XOAUTH2 logins are checked by `introspection` (see conftest's
    `dovecot` for why it lives outside tmp_path)."""
    root = Path(tempfile.mkdtemp(prefix="oo-dovecot-oauth-"))
    root.chmod(0o755)
    server = Dovecot(root, oauth2_introspection_url=introspection.url)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        if server.log_path.exists():
            print(server.log_path.read_text(errors="replace")[-3000:])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def xoauth2_relay(introspection: IntrospectionServer) -> Iterator[XOAuth2SmtpSink]:
    """The relay accepts the same tokens as the mailbox, as Exchange Online would."""
    sink = XOAuth2SmtpSink(introspection.valid)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def xoauth2_settings(
    tmp_path: Path,
    pg_url: str,
    dovecot: Dovecot,
    endpoint: TokenEndpoint,
    relay: XOAuth2SmtpSink | None = None,
) -> Settings:
    extra = {
        "imap": {"auth": "xoauth2", "password": ""},
        "oauth": endpoint.oauth_settings(),
    }
    if relay is not None:
        extra["smtp_out"] = {"auth": "xoauth2"}  # username empty: the support address
    config = write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=relay, extra=extra
    )
    return load_settings(config, environ={})


def test_xoauth2_login_with_a_token_from_the_endpoint_ingests_and_sends(
    tmp_path: Path,
    pg_url: str,
    oauth_dovecot: Dovecot,
    token_endpoint: TokenEndpoint,
    introspection: IntrospectionServer,
    xoauth2_relay: XOAuth2SmtpSink,
) -> None:
    """Acceptance: settings with auth = "xoauth2" -> App -> IMAP and SMTP signed in with
    one token from the endpoint -> one case, one acknowledgement through the relay."""
    token_endpoint.next_token = "m365-token-1"
    introspection.allow("m365-token-1", USER)
    oauth_dovecot.append("INBOX", [customer_mail(1)])
    app = build_app(
        xoauth2_settings(tmp_path, pg_url, oauth_dovecot, token_endpoint, xoauth2_relay)
    )
    app.prepare_database()

    source = app.imap_source()
    try:
        assert source.poll_once().created == 1
    finally:
        source.close()
    assert app.flush_outbox().sent == 1

    assert sql(pg_url, "SELECT count(*) FROM cases") == [(1,)]
    assert oauth_dovecot.count("INBOX") == 0
    assert introspection.asked == ["m365-token-1"]  # Dovecot really checked the token
    assert xoauth2_relay.attempts == [(USER, "m365-token-1")]
    assert len(xoauth2_relay.messages) == 1
    # One token for IMAP and SMTP alike, obtained as the client-credentials grant.
    [request] = token_endpoint.token_requests
    assert request["grant_type"] == "client_credentials"
    assert request["client_id"] == token_endpoint.client_id
    assert request["client_secret"] == token_endpoint.client_secret
    assert request["scope"] == "https://outlook.office365.com/.default"


def test_poll_once_from_the_command_line_signs_in_with_xoauth2(
    tmp_path: Path,
    pg_url: str,
    oauth_dovecot: Dovecot,
    token_endpoint: TokenEndpoint,
    introspection: IntrospectionServer,
    xoauth2_relay: XOAuth2SmtpSink,
) -> None:
    """The same through `oo-support poll --once`, a process of its own (and with the
    machine's REQUESTS_CA_BUNDLE, if set, which must not displace [oauth] ca_file)."""
    introspection.allow(token_endpoint.next_token, USER)
    oauth_dovecot.append("INBOX", [customer_mail(1)])
    xoauth2_settings(tmp_path, pg_url, oauth_dovecot, token_endpoint, xoauth2_relay)
    report = json.loads(run_cli("poll", "--once", "--json", config=tmp_path / "oo.toml"))
    assert report["created"] == 1
    assert len(xoauth2_relay.messages) == 1
    assert len(token_endpoint.token_requests) == 1


def test_refused_token_is_logged_retried_with_backoff_and_then_mail_is_ingested(
    tmp_path: Path,
    pg_url: str,
    oauth_dovecot: Dovecot,
    token_endpoint: TokenEndpoint,
    introspection: IntrospectionServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Acceptance: the endpoint hands out a token the mailbox calls inactive (expired):
    the loop says so in one line, backs off, fetches a new token each time, loses nothing,
    and takes the mail in once the endpoint hands out a valid token."""
    token_endpoint.next_token = "expired-token"  # never allowed by `introspection`
    oauth_dovecot.append("INBOX", [customer_mail(1)])
    app = build_app(xoauth2_settings(tmp_path, pg_url, oauth_dovecot, token_endpoint))
    app.prepare_database()
    source = app.imap_source()
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="daemon")
    loop = threading.Thread(target=source.run, args=(stop,))
    loop.start()
    try:

        def refusals() -> list[logging.LogRecord]:
            return [r for r in caplog.records if "XOAUTH2 login refused" in r.getMessage()]

        wait_until(lambda: len(refusals()) >= 2, 15, "two refused sign-ins")
        first, second = refusals()[:2]
        assert first.getMessage().startswith(
            f"imap loop error, retrying in 1s: imap XOAUTH2 login refused for {USER}:"
        )
        assert "retrying in 2s" in second.getMessage()  # the loop backs off
        assert first.levelno == logging.WARNING and not first.exc_info  # one line, no trace
        assert sql(pg_url, "SELECT count(*) FROM cases") == [(0,)]
        assert oauth_dovecot.count("INBOX") == 1  # nothing taken, nothing lost
        # invalidate(): each attempt asked the endpoint again instead of reusing the token.
        assert len(token_endpoint.token_requests) >= 2

        token_endpoint.next_token = "fresh-token"
        introspection.allow("fresh-token", USER)
        wait_until(
            lambda: sql(pg_url, "SELECT count(*) FROM cases") == [(1,)], 30, "the mail's case"
        )
    finally:
        stop.set()
        loop.join(30)
    assert not loop.is_alive()
    assert oauth_dovecot.count("INBOX") == 0
    assert introspection.asked[-1] == "fresh-token"
    assert token_endpoint.client_secret not in caplog.text


def test_wrong_client_secret_is_a_clear_imap_login_error(
    tmp_path: Path,
    pg_url: str,
    oauth_dovecot: Dovecot,
    token_endpoint: TokenEndpoint,
) -> None:
    settings = xoauth2_settings(tmp_path, pg_url, oauth_dovecot, token_endpoint)
    assert settings.oauth is not None
    wrong = settings.model_copy(
        update={"oauth": settings.oauth.model_copy(update={"client_secret": "guessed"})}
    )
    source = build_app(wrong).imap_source()
    with pytest.raises(LoginError) as raised:
        source.connect()
    text = str(raised.value)
    assert text.startswith(f"imap XOAUTH2 sign-in for {USER}: no OAuth2 token")
    assert "invalid_client" in text and "AADSTS7000215" in text
    assert "Trace ID" not in text  # one line for the log
    assert "guessed" not in text


def test_refused_token_defers_the_mail_and_the_retry_sends_it_with_a_new_token(
    token_endpoint: TokenEndpoint, introspection: IntrospectionServer
) -> None:
    """SMTP: a refused token is a temporary failure (the row is retried, not failed) and
    is dropped, so the next connection signs in with a fresh one."""
    relay = XOAuth2SmtpSink(introspection.valid)
    relay.start()
    try:
        settings = Settings.model_validate(
            {
                "smtp_out": {
                    "host": relay.host,
                    "port": relay.port,
                    "security": "none",
                    "auth": "xoauth2",
                },
                "oauth": token_endpoint.oauth_settings(),
            }
        )
        assert settings.smtp_out is not None and settings.oauth is not None
        transport = SmtpTransport(settings.smtp_out, TokenProvider(settings.oauth), USER)
        token_endpoint.next_token = "revoked"
        with pytest.raises(TemporaryFailure, match=f"smtp XOAUTH2 login refused for {USER}: 535"):
            transport.send(1, USER, ["kunde@firma.dk"], b"Subject: x\r\n\r\nx\r\n", lambda: None)

        token_endpoint.next_token = "renewed"
        introspection.allow("renewed", USER)
        transport.send(2, USER, ["kunde@firma.dk"], b"Subject: y\r\n\r\ny\r\n", lambda: None)
        transport.close()
    finally:
        relay.stop()
    assert relay.attempts == [(USER, "revoked"), (USER, "renewed")]
    assert [mail.recipients for mail in relay.messages] == [["kunde@firma.dk"]]


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_token_is_reused_until_the_margin_before_expiry_then_fetched_again(
    token_endpoint: TokenEndpoint,
) -> None:
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    provider = TokenProvider(OAuthSettings(**token_endpoint.oauth_settings()), clock)
    token_endpoint.expires_in = 3600
    token_endpoint.next_token = "first"
    assert provider.token() == "first"

    token_endpoint.next_token = "second"
    expiry = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    clock.at = expiry - REFRESH_MARGIN - timedelta(seconds=1)
    assert provider.token() == "first"  # still served from the cache
    assert len(token_endpoint.token_requests) == 1
    clock.at = expiry - REFRESH_MARGIN
    assert provider.token() == "second"  # MSAL's own cache did not answer for us
    assert len(token_endpoint.token_requests) == 2

    provider.invalidate("first")  # a stale refusal does not drop the newer token
    assert provider.token() == "second"
    provider.invalidate("second")
    token_endpoint.next_token = "third"
    assert provider.token() == "third"


def test_threads_asking_at_once_share_one_token_request(token_endpoint: TokenEndpoint) -> None:
    provider = TokenProvider(OAuthSettings(**token_endpoint.oauth_settings()))
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def ask() -> None:
        barrier.wait()
        tokens.append(provider.token())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert tokens == ["token-1"] * 8
    assert len(token_endpoint.token_requests) == 1


def test_unreachable_token_endpoint_is_an_oauth_error(token_endpoint: TokenEndpoint) -> None:
    settings = OAuthSettings(**token_endpoint.oauth_settings())
    token_endpoint.stop()
    with pytest.raises(OAuthError, match="unreachable"):
        TokenProvider(settings).token()


def test_a_soon_expiring_client_secret_is_warned_about_at_each_fetch(
    token_endpoint: TokenEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    settings = OAuthSettings(
        **token_endpoint.oauth_settings(), secret_expires=(now + timedelta(days=10)).date()
    )
    caplog.set_level(logging.WARNING, logger="daemon")
    TokenProvider(settings, MovableClock(now)).token()
    assert "oauth client secret expires on 2026-12-03 (in 10 days)" in caplog.text


def test_check_sign_in_fetches_a_token_and_reports_the_secret_expiry(
    token_endpoint: TokenEndpoint,
) -> None:
    """What check-config can call: a real token request, and the expiry date in the answer."""
    settings = OAuthSettings(**token_endpoint.oauth_settings(), secret_expires=date(2027, 5, 31))
    assert check_sign_in(settings, date(2026, 11, 23)) == (
        "token acquired for client oo-app, client secret valid until 2027-05-31"
    )
    assert "WARNING oauth client secret expires on 2027-05-31 (in 10 days)" in check_sign_in(
        settings, date(2027, 5, 21)
    )
    assert len(token_endpoint.token_requests) == 2
    wrong = settings.model_copy(update={"client_secret": "old"})
    with pytest.raises(OAuthError, match="invalid_client"):
        check_sign_in(wrong, date(2026, 11, 23))


def test_check_config_judges_the_secret_expiry_by_the_apps_clock(
    token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    from daemon.app import App
    from daemon.clock import fixed_clock
    from daemon.ops.check import run_checks

    settings = Settings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path}/oo.db"},
        "outbox": {"pickup_dir": str(tmp_path / "outbox")},
        "oauth": {**token_endpoint.oauth_settings(), "secret_expires": date(2027, 5, 31)},
    })
    ten_days_before = fixed_clock(datetime(2027, 5, 21, 12, 0, tzinfo=UTC))
    checked = {r.name: r for r in run_checks(App(settings, ten_days_before,
                                                 create_database_dir=False))}
    assert checked["oauth"].ok
    assert "expires on 2027-05-31 (in 10 days)" in checked["oauth"].detail
    assert not (tmp_path / "oo.db").exists()  # check-config creates nothing
