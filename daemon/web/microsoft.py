"""Sign in with Microsoft 365: OpenID Connect's authorization code flow through MSAL,
with the Entra app of [oauth] (the library and the app the daemon already uses).

MSAL makes the authorization URL (state, nonce, PKCE), and trades the code for tokens
at the token endpoint over verified TLS; it checks state and nonce but, since 1.38, not
the ID token's claims, so `accepted_address` checks issuer, audience, tenant and expiry
(OIDC Core 3.1.3.7: an ID token received straight from the token endpoint over TLS
needs no signature check). The flow (with its PKCE verifier) waits between the two
steps in a signed, HttpOnly cookie of ten minutes: only the browser that started the
sign-in can finish it. The address must be of [staff] domains and have a console
account, so `staff remove` locks a Microsoft sign-in out too.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import msal

from daemon.oauth import OAuthError, _asking, _Session

if TYPE_CHECKING:
    from daemon.settings import OAuthSettings

FLOW_COOKIE = "oo_console_oidc"
FLOW_SECONDS = 600
SCOPES = ["User.Read"]  # MSAL adds openid, profile, offline_access


class MicrosoftSignIn:
    def __init__(self, oauth: OAuthSettings) -> None:
        self.oauth = oauth
        self._app: msal.ConfidentialClientApplication | None = None

    def _msal(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            oauth = self.oauth
            self._app = _asking(lambda: msal.ConfidentialClientApplication(
                oauth.client_id,
                client_credential=oauth.client_secret,
                authority=f"{oauth.authority.rstrip('/')}/{oauth.tenant_id}",
                instance_discovery=False,  # as daemon/oauth.py: the operator's own setting
                http_client=_Session(oauth.ca_file, oauth.timeout),
            ))
        return self._app

    def start(self, redirect_uri: str) -> dict[str, Any]:
        """The flow to keep until the callback; its "auth_uri" is where the browser goes."""
        # The code comes back in the query of a top-level GET, which carries the flow
        # cookie (SameSite=Lax); a form_post would be a cross-site POST without it.
        # State, nonce and PKCE bind the answer to this browser's flow.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "response_mode='form_post'", UserWarning)
            flow: dict[str, Any] = _asking(
                lambda: self._msal().initiate_auth_code_flow(
                    SCOPES, redirect_uri=redirect_uri, response_mode="query"
                )
            )
        return flow

    def finish(self, flow: dict[str, Any], answer: dict[str, str], now: float) -> str:
        """The signed-in user's address (OAuthError when the sign-in failed)."""
        result = _asking(lambda: self._msal().acquire_token_by_auth_code_flow(flow, answer))
        if "error" in result:
            raise OAuthError(str(result["error"]),
                             str(result.get("error_description", "")).splitlines()[0]
                             if result.get("error_description") else "")
        return self.accepted_address(result.get("id_token_claims") or {}, now)

    def accepted_address(self, claims: dict[str, Any], now: float) -> str:
        oauth = self.oauth
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if oauth.client_id not in audiences:
            raise OAuthError("invalid_id_token", "the ID token is not for this app")
        if claims.get("tid") != oauth.tenant_id:
            raise OAuthError("invalid_id_token", "the ID token is from another tenant")
        issuer = str(claims.get("iss", ""))
        if oauth.tenant_id not in issuer:
            raise OAuthError("invalid_id_token", "the ID token has another issuer")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires < now:
            raise OAuthError("invalid_id_token", "the ID token has expired")
        address = str(claims.get("preferred_username") or claims.get("email") or "")
        if "@" not in address:
            raise OAuthError("invalid_id_token", "the ID token names no address")
        return address.strip().lower()
