"""Sign in with Microsoft 365 (OpenID Connect through MSAL) against the local Entra
stand-in of the XOAUTH2 tests, extended by the authorization code grant: the console
sends the browser to the authorization endpoint, Entra sends it back with a code, and
the console trades the code (with its PKCE verifier and the app's secret) for an ID
token whose address must have a console account."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from oauth_servers import TokenEndpoint
from web_console import PASSWORD, STAFF, RunningConsole, console_app

from daemon.app import App
from daemon.web.accounts import StaffAccounts
from daemon.web.console import wall_clock


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class EntraSignIn(TokenEndpoint):
    """TokenEndpoint plus the authorization code grant of OpenID Connect."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.codes: dict[str, dict[str, str]] = {}  # code -> the request it answers
        self.claims: dict[str, Any] = {}  # overrides for the next ID token

    def sign_in(self, auth_uri: str, user: str) -> tuple[str, dict[str, str]]:
        """What Entra does when `user` signs in: a code for the redirect URI."""
        asked = {k: v[0] for k, v in parse_qs(urlparse(auth_uri).query).items()}
        code = f"code-{len(self.codes)}"
        self.codes[code] = {**asked, "user": user}
        return asked["redirect_uri"], {"code": code, "state": asked["state"]}

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if form.get("grant_type") != "authorization_code":
            return super().answer(method, path, form)
        self.token_requests.append(form)
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or form.get("client_secret") != self.client_secret:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS70008: bad code"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != asked.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "AADSTS501481: PKCE"}
        base = f"{self.authority}/{self.tenant_id}"
        claims = {
            "aud": self.client_id, "iss": f"{base}/v2.0", "tid": self.tenant_id,
            "iat": int(time.time()), "exp": int(time.time()) + 3600,
            "nonce": asked.get("nonce"), "preferred_username": asked["user"],
            "sub": "sub-" + asked["user"], **self.claims,
        }
        id_token = f"{_part({'alg': 'RS256', 'typ': 'JWT'})}.{_part(claims)}.c2ln"
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "at-1",
                     "id_token": id_token, "scope": "User.Read openid profile"}


@pytest.fixture
def entra(tmp_path: Path) -> Any:
    server = EntraSignIn(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path: Path, migrated_pg_url: str, entra: EntraSignIn) -> App:
    app = console_app(tmp_path, migrated_pg_url, extra={
        "oauth": entra.oauth_settings(), "web": {"microsoft_sign_in": True}})
    accounts = StaffAccounts(app.engine, app.settings.staff, app.settings.web, wall_clock)
    accounts.add(STAFF, None)  # Microsoft only
    return app


def _microsoft(console: RunningConsole, entra: EntraSignIn, user: str,
               browser: requests.Session | None = None) -> tuple[requests.Session,
                                                                  requests.Response]:
    browser = browser or requests.Session()
    start = browser.get(console.url("/login/microsoft?next=/reports"),
                        allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text
    redirect_uri, answer = entra.sign_in(start.headers["location"], user)
    assert redirect_uri == console.url("/login/microsoft/callback")
    back = browser.get(redirect_uri, params=answer, allow_redirects=False, timeout=30)
    return browser, back


def test_a_staff_account_signs_in_with_microsoft(app: App, entra: EntraSignIn) -> None:
    with RunningConsole(app) as console:
        assert "Sign in with Microsoft 365" in requests.get(console.url("/login"),
                                                            timeout=10).text
        browser, back = _microsoft(console, entra, STAFF)
        assert back.status_code == 303 and back.headers["location"] == "/reports"
        assert browser.get(console.url("/"), allow_redirects=False,
                           timeout=10).status_code == 200
    [grant] = [f for f in entra.token_requests if f.get("grant_type") == "authorization_code"]
    assert grant["code_verifier"]  # PKCE


def test_an_account_without_a_password_cannot_sign_in_with_one(app: App) -> None:
    accounts = StaffAccounts(app.engine, app.settings.staff, app.settings.web, wall_clock)
    with pytest.raises(Exception, match="Wrong address or password"):
        accounts.sign_in(STAFF, "!", "127.0.0.1")
    with pytest.raises(Exception, match="Wrong address or password"):
        accounts.sign_in(STAFF, PASSWORD, "127.0.0.1")


@pytest.mark.parametrize("user, claims, why", [
    ("kunde@firma.dk", {}, "has no console account"),
    ("bo@oo.dk", {}, "has no console account"),
    (STAFF, {"tid": "other-tenant"}, "another tenant"),
    (STAFF, {"aud": "other-app"}, "not for this app"),
    (STAFF, {"exp": 1000}, "expired"),
])
def test_microsoft_sign_in_is_refused_without_an_account_or_with_a_foreign_token(
    app: App, entra: EntraSignIn, user: str, claims: dict[str, Any], why: str
) -> None:
    entra.claims = claims
    with RunningConsole(app) as console:
        browser, back = _microsoft(console, entra, user)
        assert back.status_code == 401 and why in back.text
        assert browser.get(console.url("/"), allow_redirects=False,
                           timeout=10).status_code == 302


def test_the_callback_needs_the_flow_cookie_of_the_browser_that_started(
    app: App, entra: EntraSignIn
) -> None:
    with RunningConsole(app) as console:
        start = requests.get(console.url("/login/microsoft"), allow_redirects=False, timeout=30)
        redirect_uri, answer = entra.sign_in(start.headers["location"], STAFF)
        other_browser = requests.Session()  # a victim lured to the attacker's code
        back = other_browser.get(redirect_uri, params=answer, allow_redirects=False, timeout=30)
        assert back.status_code == 401 and "expired" in back.text
        assert other_browser.get(console.url("/"), allow_redirects=False,
                                 timeout=10).status_code == 302
