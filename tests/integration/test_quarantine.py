"""A mail that fails every pass, or kills the daemon, is quarantined after
`[imap] max_attempts` tries: kept raw with why, moved to the Quarantine folder, listed,
counted; the mails around it flow, and `ignored retry` runs it again once fixed.

The failures are real: a kill is a BaseException out of a pipeline step (nothing in
the daemon may catch it, as nothing survives SIGKILL) or a real SIGKILL of a
`poll --once` process hanging in the database; a refusal is a PostgreSQL trigger."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import REFUSE_BYTES, REPO, clean_env, customer_mail, run_cli, sql, write_config

from daemon.app import build_app
from daemon.pipeline import triage
from daemon.settings import load_settings


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


class Killed(BaseException):
    """Stands for the process dying in the middle of a step."""


def config_for(tmp_path: Path, dovecot, smtp_sink, pg_url: str, **imap) -> Path:
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": imap})
    return config


def attempts(pg_url: str) -> dict[int, int]:
    return dict(sql(pg_url, "SELECT uid, count FROM mail_attempts"))


def test_mail_that_kills_each_pass_is_quarantined_and_the_others_flow(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(tmp_path, dovecot, smtp_sink, pg_url, max_attempts=2)
    dovecot.append("INBOX", [customer_mail(1), customer_mail(2, subject="poison pill"),
                             customer_mail(3)])
    first, poison, third = dovecot.uids("INBOX")
    real_classify = triage.classify

    def classify(subject: str, *rest):  # type: ignore[no-untyped-def]
        if "poison" in subject:
            raise Killed
        return real_classify(subject, *rest)

    monkeypatch.setattr(triage, "classify", classify)
    app = build_app(load_settings(config, environ={}))
    source = app.imap_source()

    with pytest.raises(Killed):  # the whole batch dies; every mail in it was counted
        source.poll_once()
    assert attempts(pg_url) == {first: 1, poison: 1, third: 1}
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(0,)]

    with pytest.raises(Killed):  # one by one now: the first goes in before the poison
        source.poll_once()
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(1,)]
    assert attempts(pg_url) == {poison: 2, third: 1}

    report = source.poll_once()  # the poison has had its tries; the third goes first
    assert (report.created, report.duplicate, report.quarantined) == (1, 1, 1)
    source.close()
    assert sql(pg_url, "SELECT count(*) FROM cases") == [(2,)]
    assert attempts(pg_url) == {}
    assert (dovecot.count("INBOX"), dovecot.count("Processed"), dovecot.count("Quarantine")) \
        == (0, 2, 1)
    quarantined = app.metrics.registry.get_sample_value(
        "oo_support_mails_total", {"outcome": "quarantined"})
    assert quarantined == 1

    [kept] = json.loads(run_cli("ignored", "list", "--json", config=config))
    assert kept["kind"] == "quarantined"
    assert kept["reason"].startswith("quarantined after 2 tries: processing never finished")
    [(raw,)] = sql(pg_url, "SELECT raw FROM messages WHERE id = %s", kept["id"])
    assert b"poison pill" in bytes(raw)

    monkeypatch.undo()  # the cause is fixed (the subprocess never had it anyway)
    retried = json.loads(run_cli("ignored", "retry", str(kept["id"]), "--json", config=config))
    assert retried["outcome"] == "created" and retried["case"] is not None
    assert sql(pg_url, "SELECT kind FROM messages WHERE id = %s", kept["id"]) == [("retried",)]
    assert json.loads(run_cli("ignored", "list", "--json", config=config)) == []
    [(subject,)] = sql(pg_url, "SELECT subject FROM cases WHERE number = %s", retried["case"])
    assert subject == "poison pill"




def test_mail_refused_even_raw_is_moved_to_quarantine_after_max_attempts(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    config = config_for(tmp_path, dovecot, smtp_sink, pg_url)  # the default: 3 tries
    sql(pg_url, REFUSE_BYTES)
    dovecot.append("INBOX", [customer_mail(1), customer_mail(2, body="poison-bytes"),
                             customer_mail(3)])
    passes = [json.loads(run_cli("poll", "--once", "--json", config=config)) for _ in range(4)]
    assert [(p["created"], p["deferred"], p["quarantined"]) for p in passes] == [
        (2, 1, 0), (0, 1, 0), (0, 1, 0), (0, 0, 1)]
    assert (dovecot.count("INBOX"), dovecot.count("Quarantine")) == (0, 1)
    assert attempts(pg_url) == {}
    # Not storable, so not listed: the Quarantine folder is where it is kept.
    assert sql(pg_url, "SELECT count(*) FROM messages WHERE kind = 'quarantined'") == [(0,)]
    assert json.loads(run_cli("poll", "--once", "--json", config=config))["total"] == 0


HANG_ON_POISON = """
CREATE FUNCTION hang() RETURNS trigger AS $$
BEGIN
  IF NEW.subject LIKE '%poison%' THEN PERFORM pg_sleep(600); END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER hang BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION hang();
"""


def test_tries_counted_before_a_killed_pass_survive_it(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str
) -> None:
    config = config_for(tmp_path, dovecot, smtp_sink, pg_url)
    sql(pg_url, HANG_ON_POISON)
    dovecot.append("INBOX", [customer_mail(1), customer_mail(2, subject="poison pill"),
                             customer_mail(3)])
    uids = dovecot.uids("INBOX")
    poll = subprocess.Popen(
        [sys.executable, "-m", "daemon", "poll", "--once", "--config", str(config)],
        cwd=REPO, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        hanging = "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
        deadline = time.monotonic() + 60  # a bound on waiting, not an assertion on speed
        while not sql(pg_url, hanging) and poll.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert poll.poll() is None, "the pass ended instead of hanging on the poison mail"
        assert sql(pg_url, hanging), "the pass never reached the poison mail"
    finally:
        poll.kill()
        poll.wait()
    sql(pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE wait_event = 'PgSleep'")
    assert attempts(pg_url) == dict.fromkeys(uids, 1)
    assert dovecot.count("INBOX") == 3

    sql(pg_url, "DROP TRIGGER hang ON messages")  # the cause is gone
    report = json.loads(run_cli("poll", "--once", "--json", config=config))
    assert (report["created"], report["quarantined"]) == (3, 0)
    assert attempts(pg_url) == {}
