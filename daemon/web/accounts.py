"""Staff accounts of the web console: who may have one, passwords, sign-in limits.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106). Only addresses of
`[staff] domains` may have an account, checked when it is made and again at every
sign-in (a domain taken out of the config locks its accounts out). Failed sign-ins are
counted in the database per account and per IP address, so every console process on
one database applies the same limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from daemon.domain.staff import is_staff_domain
from daemon.store import staff_accounts as store

if TYPE_CHECKING:
    from sqlalchemy import Engine, Row

    from daemon.clock import Clock
    from daemon.settings import StaffSettings, WebSettings

MIN_PASSWORD_CHARS = 12
# The hash of an account without a password (Microsoft sign-in only): no password
# matches it (argon2 refuses it as a hash).
NO_PASSWORD = "!"
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is an attack
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HASHER = PasswordHasher()
# Checked against when the account does not exist, so that an unknown address takes as
# long to refuse as a wrong password (no account enumeration by timing).
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(Exception):
    """An account that cannot be made or used; the message says why, in one line."""


class SignInRefused(Exception):
    """A sign-in turned down; the message is what the login page shows."""


@dataclass(frozen=True)
class SignInLimits:
    per_account: int
    per_ip: int
    window: timedelta


class StaffAccounts:
    def __init__(
        self, engine: Engine, staff: StaffSettings, web: WebSettings, wall_clock: Clock
    ) -> None:
        self.engine = engine
        self.staff = staff
        self.limits = SignInLimits(
            web.login_failures_per_account,
            web.login_failures_per_ip,
            timedelta(minutes=web.login_window_minutes),
        )
        # Real time: a sign-in limit or a session runs out in real time, also when the
        # app's business clock is fixed (--now).
        self.wall_clock = wall_clock

    def may_have_account(self, email: str) -> bool:
        return bool(_ADDRESS.fullmatch(email)) and is_staff_domain(email, self.staff.domains)

    def add(self, email: str, password: str | None) -> bool:
        """Make the account or set its new password; True when it is new. No password
        (None): the account signs in with Microsoft only."""
        email = email.strip().lower()
        if not self.may_have_account(email):
            domains = ", ".join(self.staff.domains) or "none"
            raise AccountError(f"{email!r} is not an address of [staff] domains ({domains})")
        if password is None:
            with self.engine.begin() as conn:
                return store.put_account(conn, email, NO_PASSWORD, self.wall_clock())
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
        if len(password) > MAX_PASSWORD_CHARS:
            raise AccountError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
        hashed = _HASHER.hash(password)
        with self.engine.begin() as conn:
            return store.put_account(conn, email, hashed, self.wall_clock())

    def remove(self, email: str) -> bool:
        with self.engine.begin() as conn:
            return store.remove_account(conn, email.strip())

    def listing(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = store.accounts(conn)
        return [
            {
                "email": r.email,
                "created_at": r.created_at.isoformat(),
                "updated_at": r.updated_at.isoformat(),
                "staff_domain": self.may_have_account(r.email),
            }
            for r in rows
        ]

    def is_active(self, email: str) -> bool:
        """The account still exists and its address is still of [staff] domains."""
        return self._account(email) is not None

    def session_current(self, email: str, issued: float) -> bool:
        """May a session of `email` signed in at `issued` (POSIX seconds) go on? Asked on
        every request: the account must be active, and the session younger than the
        account's last change. A cookie is the whole session, so deleting it at sign-out
        ends nothing a copy of it could not resume; `staff remove`, a new password
        (`staff add` again) and a sign-out (`end_sessions`) end them here, at once."""
        found = self._account(email)
        return found is not None and issued >= found.updated_at.timestamp()

    def end_sessions(self, email: str) -> None:
        """Sign-out: every session of the account ends now, on every device (a cookie
        names no session the server could end alone)."""
        with self.engine.begin() as conn:
            store.end_sessions(conn, email, self.wall_clock())

    def _account(self, email: str) -> Row[Any] | None:
        if not self.may_have_account(email):
            return None
        with self.engine.connect() as conn:
            return store.account(conn, email)

    def sign_in(self, email: str, password: str, ip: str) -> str:
        """The account's address when the password is right; SignInRefused otherwise."""
        email = email.strip().lower()[:320]
        now = self.wall_clock()
        since = now - self.limits.window
        with self.engine.begin() as conn:
            store.forget_attempts_before(conn, now - 4 * self.limits.window)
            if store.failures_since(conn, since, ip=ip) >= self.limits.per_ip:
                raise SignInRefused("Too many failed sign-ins from this address; wait a while.")
            if store.failures_since(conn, since, account_email=email) >= self.limits.per_account:
                raise SignInRefused("Too many failed sign-ins for this account; wait a while.")
            found = store.account(conn, email) if self.may_have_account(email) else None
        ok = _verify(found.password_hash if found is not None else _DUMMY_HASH, password)
        ok = ok and found is not None
        with self.engine.begin() as conn:
            store.record_attempt(conn, email, ip, ok, now)
        if not ok:
            raise SignInRefused("Wrong address or password.")
        return email


    def signed_in_elsewhere(self, email: str, ip: str) -> str:
        """An address Microsoft vouched for: it must still have a console account."""
        email = email.strip().lower()[:320]
        ok = self.is_active(email)
        with self.engine.begin() as conn:
            store.record_attempt(conn, email, ip, ok, self.wall_clock())
        if not ok:
            raise SignInRefused(f"{email} has no console account; ask for `staff add`.")
        return email


def _verify(hashed: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
