"""Local stand-ins for the OAuth2 side of Microsoft 365, for the XOAUTH2 tests.

- TokenEndpoint plays Entra for MSAL over HTTPS (a throwaway CA): the tenant's OpenID
  configuration and the token endpoint of the client-credentials grant.
- IntrospectionServer is what Dovecot's oauth2 passdb asks whether a token is valid
  (RFC 7662 style: POST token=..., answer {"active": ..., "username": ...}).
- XOAuth2SmtpSink is the SMTP sink with AUTH XOAUTH2 required, tokens checked against
  an IntrospectionServer's list.

Plain module, no pytest imports, like servers.py.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from servers import LOCALHOST, ServerCert, SmtpSink, _SinkHandler


class _JsonServer:
    """A ThreadingHTTPServer on 127.0.0.1 whose `answer(method, path, form)` decides."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                self._reply("GET", {})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                self._reply("POST", form)

            def _reply(self, method: str, form: dict[str, str]) -> None:
                status, payload = owner.answer(method, self.path, form)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the tests assert on what was asked, not on access logs

        self._server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)


class TokenEndpoint(_JsonServer):
    """Entra's endpoints as MSAL's client-credentials flow uses them, over HTTPS.

    Hands out `next_token` to a request with the right client id and secret; a wrong
    secret gets Entra's answer for it (401 invalid_client). `ca_file` is the CA a
    client must trust.
    """

    def __init__(
        self,
        directory: Path,
        tenant_id: str = "oo-tenant",
        client_id: str = "oo-app",
        client_secret: str = "app-secret",
    ) -> None:
        super().__init__()
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.next_token = "token-1"
        self.expires_in = 3599
        self.token_requests: list[dict[str, str]] = []  # the form of every token POST
        cert = ServerCert.issue(trustme.CA(), directory)
        self.ca_file = cert.ca
        self._server.socket = cert.server_context().wrap_socket(
            self._server.socket, server_side=True
        )

    @property
    def authority(self) -> str:
        """[oauth] authority (the tenant id is appended to it)."""
        return f"https://{LOCALHOST}:{self.port}"

    def oauth_settings(self) -> dict[str, Any]:
        """An [oauth] section that signs in here."""
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "authority": self.authority,
            "ca_file": str(self.ca_file),
        }

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        base = f"{self.authority}/{self.tenant_id}"
        if method == "GET" and path == f"/{self.tenant_id}/v2.0/.well-known/openid-configuration":
            return 200, {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        if method == "POST" and path == f"/{self.tenant_id}/oauth2/v2.0/token":
            self.token_requests.append(form)
            if form.get("grant_type") != "client_credentials":
                return 400, {"error": "unsupported_grant_type"}
            if (
                form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return 401, {
                    "error": "invalid_client",
                    # Entra appends trace lines to every description.
                    "error_description": "AADSTS7000215: Invalid client secret provided."
                    "\r\nTrace ID: 0000\r\nCorrelation ID: 0000\r\nTimestamp: 2026-11-23",
                }
            return 200, {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "access_token": self.next_token,
            }
        return 404, {"error": "not_found", "error_description": f"{method} {path}"}


class IntrospectionServer(_JsonServer):
    """Says which tokens are active, and for whom; everything else is inactive."""

    def __init__(self) -> None:
        super().__init__()
        self.valid: dict[str, str] = {}  # token -> user name
        self.asked: list[str] = []  # every token it was asked about

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}/introspect"

    def allow(self, token: str, user: str) -> None:
        self.valid[token] = user

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if method != "POST" or path != "/introspect":
            return 404, {"error": "not_found"}
        token = form.get("token", "")
        self.asked.append(token)
        user = self.valid.get(token)
        return 200, {"active": True, "username": user} if user else {"active": False}


class _XOAuth2Handler(_SinkHandler):
    """The sink's handler plus an XOAUTH2 mechanism (aiosmtpd finds `auth_<MECH>`)."""

    def __init__(self, sink: XOAuth2SmtpSink) -> None:
        super().__init__(sink)
        self.oauth_sink = sink

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        if len(args) < 2:
            return AuthResult(success=False, handled=False, message="501 5.5.2 no initial response")
        fields = dict(
            part.split("=", 1)
            for part in base64.b64decode(args[1]).decode().split("\x01")
            if "=" in part
        )
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        self.oauth_sink.attempts.append((user, token))
        if self.oauth_sink.valid.get(token) == user:
            return AuthResult(success=True, auth_data=user)
        # XOAUTH2 failure as Google and Microsoft send it: a 334 with a JSON error,
        # which the client acknowledges with an empty line, then 535.
        reply = await server.challenge_auth(json.dumps({"status": "401", "schemes": "Bearer"}))
        if reply != b"":
            return AuthResult(success=False, handled=False, message="501 5.5.2 expected ''")
        return AuthResult(success=False, handled=False)


class XOAuth2SmtpSink(SmtpSink):
    """An SmtpSink that takes mail only after AUTH XOAUTH2 with a token in `valid`."""

    def __init__(self, valid: dict[str, str]) -> None:
        super().__init__()
        self.valid = valid  # token -> user, shared with an IntrospectionServer if wished
        self.attempts: list[tuple[str, str]] = []  # (user, token) of every AUTH XOAUTH2

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("SMTP sink already started")
        self._controller = Controller(
            _XOAuth2Handler(self),
            hostname=self.host,
            port=self.port,
            ready_timeout=10,
            enable_SMTPUTF8=True,
            # Loopback test without TLS; MAIL before a successful AUTH is refused.
            auth_require_tls=False,
            auth_required=True,
            auth_exclude_mechanism=["LOGIN", "PLAIN"],
        )
        self._controller.start()
