"""Microsoft 365 sign-in without servers: the SASL string, the secret-expiry warning and
the [oauth] configuration rules. The token exchange itself is tested against local
servers in tests/integration/test_xoauth2.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from daemon.app import App
from daemon.oauth import OAuthError, TokenProvider, secret_expiry_notice, xoauth2_string
from daemon.outbox import SmtpTransport
from daemon.outbox_lanes import SmtpLanes
from daemon.settings import ConfigError, OAuthSettings, load_settings


def test_xoauth2_string_is_user_and_bearer_token_separated_by_ctrl_a() -> None:
    text = xoauth2_string("support@oo.dk", "abc.def")
    assert text == "user=support@oo.dk\x01auth=Bearer abc.def\x01\x01"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 1), None),  # 61 days left: quiet
        (date(2026, 11, 1), "expires on 2026-12-01 (in 30 days)"),
        (date(2026, 11, 30), "expires on 2026-12-01 (in 1 days)"),
        (date(2026, 12, 1), "expires on 2026-12-01 (in 0 days)"),
        (date(2026, 12, 2), "expired on 2026-12-01"),
    ],
)
def test_secret_expiry_is_warned_about_within_the_warning_days(
    today: date, expected: str | None
) -> None:
    settings = OAuthSettings(secret_expires=date(2026, 12, 1), secret_warning_days=30)
    notice = secret_expiry_notice(settings, today)
    if expected is None:
        assert notice is None
    else:
        assert notice is not None and expected in notice


def test_no_expiry_date_means_no_warning() -> None:
    assert secret_expiry_notice(OAuthSettings(), date(2026, 12, 1)) is None


def test_oauth_error_names_error_and_description() -> None:
    error = OAuthError("invalid_client", "AADSTS7000222: The provided client secret keys expired.")
    assert error.error == "invalid_client"
    assert str(error) == (
        "no OAuth2 token from the token endpoint: invalid_client:"
        " AADSTS7000222: The provided client secret keys expired."
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_xoauth2_imap_without_oauth_section_names_the_missing_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, '[imap]\nauth = "xoauth2"\n'), environ={})
    assert "oauth: tenant_id, client_id, client_secret missing" in str(error.value)
    assert '[imap] auth = "xoauth2"' in str(error.value)


def test_xoauth2_smtp_with_incomplete_oauth_names_the_key_and_hides_the_secret(
    tmp_path: Path,
) -> None:
    text = '[smtp_out]\nauth = "xoauth2"\n[oauth]\ntenant_id = "t"\nclient_secret = "s3cr3t"\n'
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text), environ={})
    message = str(error.value)
    assert 'oauth: client_id missing, needed by [smtp_out] auth = "xoauth2"' in message
    assert "s3cr3t" not in message


def test_complete_oauth_with_secret_file_and_environment(tmp_path: Path) -> None:
    secret = tmp_path / "client-secret"
    secret.write_text("from-file\n", encoding="utf-8")
    text = (
        '[imap]\nauth = "xoauth2"\n[smtp_out]\nauth = "xoauth2"\n'
        f'[oauth]\ntenant_id = "t"\nclient_secret_file = "{secret}"\n'
        "secret_expires = 2027-03-31\n"
    )
    settings = load_settings(
        write(tmp_path, text), environ={"OO_SUPPORT__OAUTH__CLIENT_ID": "app-id"}
    )
    assert settings.oauth is not None
    assert settings.oauth.client_secret == "from-file"
    assert settings.oauth.client_id == "app-id"
    assert settings.oauth.secret_expires == date(2027, 3, 31)
    assert settings.oauth.scope == "https://outlook.office365.com/.default"
    assert "from-file" not in repr(settings)  # settings may be logged


def test_password_auth_needs_no_oauth_and_disabled_imap_needs_none_either(
    tmp_path: Path,
) -> None:
    assert load_settings(write(tmp_path, "[imap]\n"), environ={}).oauth is None
    text = '[imap]\nenabled = false\nauth = "xoauth2"\n'
    assert load_settings(write(tmp_path, text), environ={}).imap is None


def test_the_app_gives_imap_and_smtp_one_token_provider(tmp_path: Path) -> None:
    text = f"""
[database]
url = "sqlite:///{tmp_path / 'oo.db'}"
[imap]
username = "support@oo.dk"
auth = "xoauth2"
[smtp_out]
auth = "xoauth2"
[oauth]
tenant_id = "t"
client_id = "c"
client_secret = "s"
"""
    settings = load_settings(write(tmp_path, text), environ={})
    app = App(settings)
    tokens = app.tokens
    assert isinstance(tokens, TokenProvider)
    assert app.imap_source().tokens is tokens
    transport = app.transport()
    # Several connections to the relay (issue 18), every one with the same provider.
    lanes = transport.lanes if isinstance(transport, SmtpLanes) else [transport]
    assert lanes and all(
        isinstance(lane, SmtpTransport) and lane.tokens is tokens for lane in lanes
    )
    # Built by the app, not kept by the process: another app has its own.
    assert App(settings).tokens is not tokens


def test_without_oauth_the_app_has_no_token_provider(tmp_path: Path) -> None:
    text = f"[database]\nurl = \"sqlite:///{tmp_path / 'oo.db'}\"\n[imap]\n"
    app = App(load_settings(write(tmp_path, text), environ={}))
    assert app.tokens is None
    assert app.imap_source().tokens is None
