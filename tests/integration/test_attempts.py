"""Counting a batch's tries (daemon/store/repository.py count_attempts) against real
PostgreSQL: the pass looked them up already in the same transaction, and says so."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import event, text

from daemon.store import repository
from daemon.store.engine import make_engine
from daemon.store.migrate import upgrade

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _tries(conn, uids: list[int]) -> dict[int, int]:
    rows = conn.execute(text("SELECT uid, count FROM mail_attempts WHERE uid = ANY(:u)"),
                        {"u": uids})
    return dict(rows.all())


def test_untried_uids_are_counted_without_being_looked_up_again(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    with engine.begin() as conn:
        statements.clear()
        looked_up = repository.count_attempts(conn, "imap:INBOX", 7, [1, 2, 3], NOW)
        selects_when_asked = sum(s.lstrip().upper().startswith("SELECT") for s in statements)
        statements.clear()
        told = repository.count_attempts(conn, "imap:INBOX", 7, [4, 5, 6], NOW, untried=True)
        selects_when_told = sum(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert (selects_when_asked, selects_when_told) == (1, 0)
    assert list(looked_up.values()) == list(told.values()) == [repository.Attempts(0, None)] * 3
    with engine.begin() as conn:
        assert _tries(conn, [1, 2, 3, 4, 5, 6]) == dict.fromkeys([1, 2, 3, 4, 5, 6], 1)
        # A row that is there after all (another daemon's) is counted on, not an error.
        repository.count_attempts(conn, "imap:INBOX", 7, [6], NOW, untried=True)
        assert _tries(conn, [6]) == {6: 2}
    engine.dispose()


def test_a_uid_named_twice_is_one_try_on_both_databases(pg_url: str, tmp_path) -> None:
    # A try is a mail's, not a mention's: an existing row is counted once however often
    # its UID is named (one UPDATE), and so is a new one, on PostgreSQL (one unnest of
    # the distinct UIDs) and on SQLite (an executemany, which counted a repeat twice).
    for url in (pg_url, f"sqlite:///{tmp_path / 'tries.db'}"):
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            repository.count_attempts(conn, "imap:INBOX", 7, [5, 5, 6], NOW)
            repository.count_attempts(conn, "imap:INBOX", 7, [6, 6], NOW)
            counts = dict(conn.execute(text("SELECT uid, count FROM mail_attempts")).all())
        assert counts == {5: 1, 6: 2}, url
        engine.dispose()


def test_a_mail_is_held_by_one_pass_until_that_pass_ends(pg_url: str, tmp_path) -> None:
    """idle23: the pass that takes a mail up holds it (take_up_mails); another pass's
    session is given only the mails nobody alive holds, and, once the holder's session
    ends (a daemon killed closes it), the rest, their tries as they were. A held mail
    with no try yet is not a try (attempts_of); on SQLite every mail is taken."""
    engine = make_engine(pg_url)
    upgrade(engine)
    with engine.connect() as first, engine.connect() as second:
        with first.begin():
            one = repository.new_holder(first)
            assert repository.take_up_mails(first, "imap:INBOX", 7, [1, 2, 3], one, NOW) \
                == [1, 2, 3]
            repository.count_attempts(first, "imap:INBOX", 7, [2], NOW)
        with second.begin():
            two = repository.new_holder(second)
            assert repository.take_up_mails(second, "imap:INBOX", 7, [3, 2, 4], two, NOW) \
                == [4]
            assert repository.attempts_of(second, "imap:INBOX", 7, [1, 2, 3, 4]) == {2: 1}
        first.invalidate()  # its session ends as a killed daemon's does
        deadline = time.monotonic() + 30  # its backend ends a moment after: a bound, no speed
        while True:
            with second.begin():
                taken = repository.take_up_mails(second, "imap:INBOX", 7, [1, 2, 3], two, NOW)
            if taken or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert taken == [1, 2, 3]
        assert _tries(second, [1, 2, 3, 4]) == {1: 0, 2: 1, 3: 0, 4: 0}
    engine.dispose()
    lite = make_engine(f"sqlite:///{tmp_path / 'held.db'}")
    upgrade(lite)
    with lite.begin() as conn:
        assert repository.take_up_mails(conn, "imap:INBOX", 7, [1, 2], 0, NOW) == [1, 2]
    lite.dispose()
