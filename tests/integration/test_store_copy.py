"""Rows inserted with binary COPY (daemon/store/repository.py `_copy_in`, PostgreSQL)
get what an INSERT gives the columns a row leaves out, as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness import run_cli, write_config
from sqlalchemy import create_engine, select

from daemon.store import repository
from daemon.store.schema import cases

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
# Only the columns with no default; subject, critical, agreement, flags, project are left out.
BARE_CASE: dict[str, Any] = {
    "status": "open", "priority": "normal", "channel": "email",
    "customer_email": "bo@firma.dk", "customer_domain": "firma.dk", "language": "da",
    "created_at": AT, "updated_at": AT, "response_due": AT, "resolve_due": AT,
}


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("migrated_pg_url"))
    url = f"sqlite:///{tmp_path / 'oo.db'}"
    run_cli("db", "upgrade", config=write_config(tmp_path / "oo.toml", database_url=url))
    return url


def test_a_case_row_left_without_its_defaulted_columns_gets_their_defaults(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            [(case_id, _number)] = repository.insert_cases(conn, [BARE_CASE])
            row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
    finally:
        engine.dispose()
    assert (row.subject, row.critical, row.agreement, row.flags, row.project) == (
        "", False, False, [], False)
