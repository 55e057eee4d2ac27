"""The web console's staff accounts and sign-in attempts (tables of migration 0015).

Thin: rows in, rows out. Who may have an account, how passwords are hashed and how
many failures are too many is decided in daemon/web/accounts.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from daemon.store.schema import staff_accounts, web_login_attempts


def account(conn: Connection, email: str) -> Row[Any] | None:
    return conn.execute(
        select(staff_accounts).where(staff_accounts.c.email == email.lower())
    ).first()


def accounts(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(staff_accounts).order_by(staff_accounts.c.email)))


def put_account(conn: Connection, email: str, password_hash: str, now: datetime) -> bool:
    """Create the account, or set a new password on it; True when it was created."""
    found = account(conn, email)
    if found is None:
        conn.execute(
            insert(staff_accounts).values(
                email=email.lower(), password_hash=password_hash, created_at=now, updated_at=now
            )
        )
        return True
    conn.execute(
        update(staff_accounts)
        .where(staff_accounts.c.id == found.id)
        .values(password_hash=password_hash, updated_at=now)
    )
    return False


def end_sessions(conn: Connection, email: str, now: datetime) -> None:
    """Every session of the account issued before `now` is over (its updated_at, which
    a new password sets too: daemon/web/accounts.py `session_current`)."""
    conn.execute(
        update(staff_accounts)
        .where(staff_accounts.c.email == email.lower())
        .values(updated_at=now)
    )


def remove_account(conn: Connection, email: str) -> bool:
    gone = conn.execute(delete(staff_accounts).where(staff_accounts.c.email == email.lower()))
    return bool(gone.rowcount)


def record_attempt(conn: Connection, account_email: str, ip: str, ok: bool, at: datetime) -> None:
    conn.execute(
        insert(web_login_attempts).values(account=account_email[:320], ip=ip[:64], ok=ok, at=at)
    )


def failures_since(conn: Connection, since: datetime, *, account_email: str = "",
                   ip: str = "") -> int:
    """Failed attempts since `since` for the account, or for the IP address."""
    query = select(func.count()).select_from(web_login_attempts).where(
        web_login_attempts.c.at >= since, web_login_attempts.c.ok.is_(False)
    )
    if account_email:
        query = query.where(web_login_attempts.c.account == account_email.lower())
    if ip:
        query = query.where(web_login_attempts.c.ip == ip)
    return int(conn.execute(query).scalar_one())


def forget_attempts_before(conn: Connection, before: datetime) -> None:
    conn.execute(delete(web_login_attempts).where(web_login_attempts.c.at < before))
