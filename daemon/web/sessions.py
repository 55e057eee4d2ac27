"""Signed session cookies and CSRF tokens of the web console.

A cookie holds {sid, email, issued} and an HMAC-SHA256 of it under the session secret;
nothing secret is in it, and it cannot be changed without the key. The server keeps no
session table: a session ends when it is older than [web] session_hours, or when the
account is removed, gets a new password or signs out (asked on each request: a session
issued before the account's last change is over; daemon/web/accounts.py). The CSRF
token of a form is an HMAC of the sid, so it is checked without storage, and a token
from another session does not fit.
Every visitor has a session, signed in or not, so the login form carries a token too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

COOKIE_NAME = "oo_console"


@dataclass(frozen=True)
class Session:
    sid: str
    email: str  # "" while not signed in
    issued: float  # POSIX seconds

    @property
    def signed_in(self) -> bool:
        return bool(self.email)


def new_session(email: str, now: float) -> Session:
    return Session(secrets.token_urlsafe(18), email, now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    def __init__(self, secret: bytes, max_age_seconds: float) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must have at least 16 bytes")
        self._key = hashlib.sha256(b"oo-support web session\0" + secret).digest()
        self.max_age = max_age_seconds

    def _mac(self, purpose: bytes, data: bytes) -> bytes:
        return hmac.new(self._key, purpose + b"\0" + data, hashlib.sha256).digest()

    def encode(self, session: Session) -> str:
        body = json.dumps([session.sid, session.email, session.issued]).encode()
        return f"{_b64(body)}.{_b64(self._mac(b'cookie', body))}"

    def decode(self, cookie: str | None, now: float) -> Session | None:
        """The session, or None for a missing, forged, malformed or expired cookie."""
        if not cookie or len(cookie) > 4096 or "." not in cookie:
            return None
        body_text, _, mac_text = cookie.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(mac, self._mac(b"cookie", body)):
            return None
        try:
            sid, email, issued = json.loads(body)
        except (ValueError, TypeError):
            return None
        if not (isinstance(sid, str) and isinstance(email, str)):
            return None
        if not isinstance(issued, int | float) or not 0 <= now - issued <= self.max_age:
            return None
        return Session(sid, email, float(issued))

    def seal(self, purpose: str, value: object, now: float) -> str:
        """`value` (JSON) signed for `purpose`, valid for max_age from `now`."""
        body = json.dumps([now, value]).encode()
        return f"{_b64(body)}.{_b64(self._mac(purpose.encode(), body))}"

    def unseal(self, purpose: str, text: str | None, now: float, max_age: float) -> object:
        """What `seal` signed, or None when missing, changed, or older than max_age."""
        if not text or len(text) > 8192 or "." not in text:
            return None
        body_text, _, mac_text = text.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
            if not hmac.compare_digest(mac, self._mac(purpose.encode(), body)):
                return None
            issued, value = json.loads(body)
        except (binascii.Error, ValueError, TypeError):
            return None
        if not isinstance(issued, int | float) or not 0 <= now - issued <= max_age:
            return None
        return value

    def csrf_token(self, session: Session) -> str:
        return _b64(self._mac(b"csrf", session.sid.encode()))

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        if not token:
            return False
        # As bytes: compare_digest refuses a str with non-ASCII characters (TypeError),
        # and a posted token may hold any; "replace" for lone surrogates.
        given = str(token).encode("utf-8", "replace")
        return hmac.compare_digest(given, self.csrf_token(session).encode())


def secret_from(configured: str) -> bytes:
    """The configured key, else a random one for this process."""
    return configured.encode() if configured else secrets.token_bytes(32)
