"""The store's look-ups by a list of values (daemon/store/repository.py _one_of) find
on PostgreSQL exactly the rows an IN list finds: a value is compared whole, never cut
to the column's length first (review19, issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.schema import customers

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_a_domain_longer_than_the_column_does_not_find_its_prefix(migrated_pg_url: str) -> None:
    stored = "a" * 252 + ".dk"  # 255 characters: the column's length
    longer = stored + ".evil.example"  # a sender's domain may be any length
    engine = make_engine(migrated_pg_url)
    with engine.begin() as conn:
        conn.execute(insert(customers).values(domain=stored, name="Long", created_at=NOW))
        assert repository.customers_by_domain(conn, [longer]) == {}
        assert list(repository.customers_by_domain(conn, [stored])) == [stored]
    engine.dispose()

