"""Microsoft 365 sign-in: app-only OAuth2 tokens for IMAP and SMTP (XOAUTH2).

Exchange Online refuses passwords, so the daemon signs in as the registered Entra app:
MSAL's client-credentials flow gives a bearer token for the `.default` scope, which
IMAP and SMTP present in the XOAUTH2 SASL exchange. The composition root
(daemon/app.py) builds one TokenProvider and hands it to both: it keeps the token and
fetches a new one a margin before it expires, or at once after a server refused it
(`invalidate`), so a revoked token costs one retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import msal
import requests
from msal.exceptions import MsalError

from daemon.clock import Clock, system_clock
from daemon.settings import OAuthSettings

log = logging.getLogger(__name__)

# Fetch a new token this long before the old one expires, so a sign-in never carries a
# token that dies on the way (Entra's tokens live 60-90 minutes).
REFRESH_MARGIN = timedelta(minutes=5)


class OAuthError(Exception):
    """No token: what the token endpoint (or the way to it) said, never the secret."""

    def __init__(self, error: str, description: str = "") -> None:
        self.error = error
        self.description = description
        detail = f"{error}: {description}" if description else error
        super().__init__(f"no OAuth2 token from the token endpoint: {detail}")


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: datetime


def xoauth2_string(user: str, token: str) -> str:
    """The XOAUTH2 SASL initial response (before base64), as Microsoft and Google define it."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def secret_expiry_notice(settings: OAuthSettings, today: date) -> str | None:
    """A warning when the client secret expires within `secret_warning_days` (or did)."""
    expires = settings.secret_expires
    if expires is None:
        return None
    days = (expires - today).days
    if days < 0:
        return f"oauth client secret expired on {expires}: sign-ins fail until it is replaced"
    if days <= settings.secret_warning_days:
        return (
            f"oauth client secret expires on {expires} (in {days} days): add a new secret"
            " to the Entra app and set [oauth] client_secret"
        )
    return None


class TokenProvider:
    """A thread-safe cache of one app-only access token, refreshed before expiry."""

    def __init__(
        self,
        settings: OAuthSettings,
        clock: Clock = system_clock,
        margin: timedelta = REFRESH_MARGIN,
        http_client: Any = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._margin = margin
        self._http_client = http_client or _Session(settings.ca_file, settings.timeout)
        self._lock = threading.Lock()  # IMAP and SMTP threads ask at once
        self._app: msal.ConfidentialClientApplication | None = None
        self._token: AccessToken | None = None

    def token(self) -> str:
        """A token valid for at least the margin; fetched if needed (raises OAuthError)."""
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._token.expires_at - self._margin:
                self._token = self._acquire(now)
            return self._token.value

    def invalidate(self, token: str) -> None:
        """A server refused `token`: the next `token()` fetches a fresh one.

        Only that token is dropped: if another thread already replaced it, the newer
        one stays.
        """
        with self._lock:
            if self._token is not None and self._token.value == token:
                self._token = None

    def _acquire(self, now: datetime) -> AccessToken:
        notice = secret_expiry_notice(self.settings, now.date())
        if notice is not None:
            log.warning("%s", notice)  # at every fetch, about hourly: hard to miss
        app = self._msal_app()
        # MSAL keeps its own cache and judges it by the system clock; we decide when a
        # token is due (our clock, invalidate()), so an acquisition must really ask.
        cache = app.token_cache
        for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(item)
        result = _asking(lambda: app.acquire_token_for_client(scopes=[self.settings.scope]))
        if "access_token" not in result:
            # Entra's description goes on with trace and correlation ids: keep one line.
            description = str(result.get("error_description") or "").splitlines()
            raise OAuthError(
                str(result.get("error", "unknown_error")), description[0] if description else ""
            )
        expires_in = int(result.get("expires_in", 0))
        log.info(
            "oauth token acquired client_id=%s expires_in=%ss", self.settings.client_id, expires_in
        )
        return AccessToken(str(result["access_token"]), now + timedelta(seconds=expires_in))

    def _msal_app(self) -> msal.ConfidentialClientApplication:
        # Built on first use: the constructor fetches the tenant's OpenID configuration,
        # and a token endpoint that is down at start must not stop the daemon.
        if self._app is None:
            s = self.settings
            self._app = _asking(
                lambda: msal.ConfidentialClientApplication(
                    s.client_id,
                    client_credential=s.client_secret,
                    authority=f"{s.authority.rstrip('/')}/{s.tenant_id}",
                    # The authority is the operator's own setting, not input to validate
                    # against Microsoft's list of clouds (a request to the internet).
                    instance_discovery=False,
                    http_client=self._http_client,
                )
            )
        return self._app


class _Session(requests.Session):
    """The HTTP session MSAL talks through: a timeout on every request, and `ca_file`
    trusted even where REQUESTS_CA_BUNDLE is set (requests lets that variable override a
    session's own `verify`)."""

    def __init__(self, ca_file: Path | None, timeout: float) -> None:
        super().__init__()
        self._ca_file = ca_file
        self._timeout = timeout

    def request(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self._ca_file is not None:
            merged["verify"] = str(self._ca_file)
        return merged


def _asking(call: Callable[[], Any]) -> Any:
    """Run an MSAL call; the ways it fails on the network or on an answer become OAuthError."""
    try:
        return call()
    except requests.RequestException as exc:
        raise OAuthError("unreachable", str(exc)) from None
    except (MsalError, ValueError, RuntimeError) as exc:  # e.g. OpenID discovery failed
        raise OAuthError("request_failed", str(exc).splitlines()[0]) from None


def check_sign_in(settings: OAuthSettings, today: date) -> str:
    """For check-config: fetch a token now (raises OAuthError) and report the secret's expiry."""
    provider = TokenProvider(settings)
    provider.token()
    notice = secret_expiry_notice(settings, today)
    if notice is not None:
        return f"token acquired; WARNING {notice}"
    expires = settings.secret_expires
    until = f", client secret valid until {expires}" if expires else ""
    return f"token acquired for client {settings.client_id}{until}"
