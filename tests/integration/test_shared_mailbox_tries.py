"""Several daemons on one mailbox and database (two machines, a failover, an operator's
`poll --once` beside the service) and the quarantine's count of tries (issue 18, idle23).

A try is counted before a mail is prepared, so that a mail that kills or hangs the
daemon is quarantined after `[imap] max_attempts` tries instead of looping. Counted by
every daemon that takes the mail up at once, a healthy mail reached the limit without
ever having failed, and the daemon that came last quarantined it: no case, no ack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import customer_mail, sql, wait_until, write_config

from daemon.app import build_app
from daemon.inbound import InboundMail, Prepared
from daemon.settings import load_settings
from daemon.sources.imap import ImapSource, PassReport


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


class Killed(BaseException):
    """Stands for the process dying in the middle of a step (nothing may catch it)."""


def _sources(tmp_path: Path, dovecot, pg_url: str, count: int) -> tuple[list, list[ImapSource]]:
    settings = load_settings(write_config(
        tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, smtp_out=None,
    ), environ={})  # max_attempts: the default, 3
    apps = [build_app(settings) for _ in range(count)]
    return apps, [app.imap_source() for app in apps]


def _gate(source: ImapSource, arrived: Callable[[], None], opened: threading.Event) -> None:
    """`source`'s preparation says it has begun, then waits for `opened`."""
    real = source.prepare

    def prepare(mail: InboundMail, should_stop: Callable[[], bool]) -> Prepared:
        arrived()
        assert opened.wait(60), "the gate was never opened"
        return real(mail, should_stop)

    source.prepare = prepare


def test_daemons_taking_up_one_mail_at_once_do_not_quarantine_it(
    tmp_path: Path, dovecot, pg_url: str
) -> None:
    """Four daemons' passes reach one healthy mail while the first is still preparing
    it. On main each counted a try (1, 2, 3) and the fourth, finding 3 = max_attempts,
    quarantined the mail before the first stored it. The mail is another daemon's while
    that daemon holds it; only its own try counts."""
    daemons = 4
    dovecot.append("INBOX", [customer_mail(1)])
    apps, sources = _sources(tmp_path, dovecot, pg_url, daemons)
    opened = threading.Event()
    waiting: set[int] = set()  # the daemons preparing the mail, or done with their pass
    reports: dict[int, PassReport] = {}
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            reports[index] = sources[index].poll_once()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            waiting.add(index)

    for index, source in enumerate(sources):
        _gate(source, lambda index=index: waiting.add(index), opened)
    passes = [threading.Thread(target=run, args=(index,)) for index in range(daemons)]
    try:
        # One after the other, each once the one before has taken the mail up (or is
        # done): the order in which daemons coming at once meet the mail.
        for index, thread in enumerate(passes):
            thread.start()
            wait_until(lambda index=index: index in waiting, 60, f"daemon {index} at the mail")
    finally:
        opened.set()
        for thread in passes:
            thread.join(60)
    for source, app in zip(sources, apps, strict=True):
        source.close()
        app.engine.dispose()
    assert failures == []
    outcomes = [(r.created, r.duplicate, r.quarantined) for r in reports.values()]
    assert sum(r.quarantined for r in reports.values()) == 0, outcomes
    assert sum(r.created for r in reports.values()) == 1, outcomes
    assert sorted(sql(pg_url, "SELECT kind, count(*) FROM messages GROUP BY kind")) == [
        ("ack", 1), ("customer", 1)]  # no "quarantined"
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(1,)]
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Quarantine")) \
        == (0, 1, 0)
    assert sql(pg_url, "SELECT count(*) FROM mail_attempts") == [(0,)]


def test_mail_that_kills_every_daemon_is_quarantined_after_max_attempts_tries(
    tmp_path: Path, dovecot, pg_url: str
) -> None:
    """The protection stays: a try whose daemon died counts against the mail, whichever
    daemon takes it up next. Two daemons take turns dying on the poison mail (a
    BaseException, as nothing survives SIGKILL); after 3 tries in all, the next pass,
    of either, quarantines it; the healthy mail beside it is stored meanwhile."""
    dovecot.append("INBOX", [customer_mail(1, subject="poison pill"), customer_mail(2)])
    poison, healthy = dovecot.uids("INBOX")
    apps, sources = _sources(tmp_path, dovecot, pg_url, 2)
    for source in sources:
        real = source.prepare

        def prepare(mail: InboundMail, should_stop: Callable[[], bool],
                    real: Callable[..., Prepared] = real) -> Prepared:
            if mail.uid == poison:
                raise Killed
            return real(mail, should_stop)

        source.prepare = prepare
    for turn in range(3):
        with pytest.raises(Killed):
            sources[turn % 2].poll_once()
        assert sql(pg_url, "SELECT count FROM mail_attempts WHERE uid = %s", poison) \
            == [(turn + 1,)]
    assert sources[1].poll_once().quarantined == 1
    for source, app in zip(sources, apps, strict=True):
        source.close()
        app.engine.dispose()
    [(reason,)] = sql(pg_url, "SELECT reject_reason FROM messages WHERE kind = 'quarantined'")
    assert reason.startswith("quarantined after 3 tries: processing never finished")
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Quarantine")) \
        == (0, 1, 1)
    assert sql(pg_url, "SELECT source_uid FROM messages WHERE kind = 'customer'") == [(healthy,)]
    assert sql(pg_url, "SELECT count(*) FROM mail_attempts") == [(0,)]
