"""`poll --once`'s start: a backlog's parsing workers start before the database is
checked, so that their start-up runs beside the daemon's own (issue 18, start22)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from harness import REPO, clean_env, customer_mail, write_config

from daemon.app import App
from daemon.cli.operations import cmd_poll
from daemon.cli.parser import build_parser
from daemon.settings import load_settings
from daemon.sources import imap_login, worker_process
from daemon.sources.prepare_pool import PreparePool


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    return migrated_pg_url


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the command did, in order ("workers" asked to start, "database" checked),
    and every worker process it started."""
    seen: dict[str, list[Any]] = {"order": [], "workers": []}
    start, open_database = PreparePool.start, App.open_database
    spawn = worker_process.Worker.__init__

    def started(self: PreparePool) -> None:
        seen["order"].append("workers")
        start(self)

    def opened(self: App, access: Any) -> Any:
        seen["order"].append("database")
        return open_database(self, access)

    def spawned(self: worker_process.Worker, *args: Any) -> None:
        spawn(self, *args)
        seen["workers"].append(self)

    monkeypatch.setattr(PreparePool, "start", started)
    monkeypatch.setattr(App, "open_database", opened)
    monkeypatch.setattr(worker_process.Worker, "__init__", spawned)
    monkeypatch.setattr(imap_login, "POOL_BACKLOG", 5)
    return seen


def mailbox_of(tmp_path: Path, dovecot: Any, smtp_sink: Any, pg_url: str, n: int) -> Path:
    """`n` mails waiting, and the config that reads them."""
    dovecot.append("INBOX", [customer_mail(i) for i in range(n)])
    return write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                        smtp_out=smtp_sink)


def poll(config: Path) -> int:
    args = build_parser().parse_args(
        ["poll", "--once", "--json", "--no-send", "--config", str(config)])
    return cmd_poll(args, load_settings(config, environ={}))


def test_a_backlogs_workers_start_before_the_database_is_checked(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, watched: dict[str, list[Any]]
) -> None:
    config = mailbox_of(tmp_path, dovecot, smtp_sink, pg_url, 6)
    assert poll(config) == 0
    assert watched["order"] == ["workers", "database"]
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == 6
    assert watched["workers"] and all(not w.alive() for w in watched["workers"])


def test_no_workers_for_a_pass_under_the_backlog(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, watched: dict[str, list[Any]]
) -> None:
    config = mailbox_of(tmp_path, dovecot, smtp_sink, pg_url, 4)
    assert poll(config) == 0
    assert watched["order"] == ["database"]
    assert watched["workers"] == []
    assert dovecot.count("Processed") == 4


def test_a_refused_database_after_the_workers_started_leaves_no_worker_and_no_mail_taken(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, watched: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = mailbox_of(tmp_path, dovecot, smtp_sink, pg_url, 6)

    def refused(self: App, access: Any) -> None:
        watched["order"].append("database")
        raise RuntimeError("the database schema is newer than this daemon")

    monkeypatch.setattr(App, "open_database", refused)
    with pytest.raises(RuntimeError, match="newer"):
        poll(config)
    assert watched["order"] == ["workers", "database"]
    assert all(not w.alive() for w in watched["workers"])
    assert dovecot.count("INBOX") == 6 and dovecot.count("Processed") == 0


def test_the_start_up_is_frozen_out_of_the_collector_before_the_pass(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, watched: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18 (daemon23): the objects of the start, frozen once the database is
    checked, are not walked by the pass's full collections."""
    from daemon.ops import memory
    from daemon.sources.imap import ImapSource

    freeze, poll_once = memory.freeze_start_up, ImapSource.poll_once

    def frozen() -> None:
        watched["order"].append("frozen")
        freeze()

    def passed(self: ImapSource, *args: Any, **kwargs: Any) -> Any:
        watched["order"].append("pass")
        return poll_once(self, *args, **kwargs)

    monkeypatch.setattr(memory, "freeze_start_up", frozen)
    monkeypatch.setattr(ImapSource, "poll_once", passed)
    config = mailbox_of(tmp_path, dovecot, smtp_sink, pg_url, 6)
    assert poll(config) == 0
    assert watched["order"] == ["workers", "database", "frozen", "pass"]
    assert dovecot.count("Processed") == 6


@pytest.mark.parametrize("command", [["poll", "--once", "--json", "--no-send"], ["cases", "list"]])
def test_a_command_leaves_what_it_built_to_the_process_exit(
    tmp_path: Path, dovecot, smtp_sink, pg_url: str, command: list[str]
) -> None:
    """Once the command is done, its objects are frozen out of the collector: the
    interpreter's shutdown does not walk them (its full collections took ~0.1 s of
    a 1,000-mail pass), succeeding or failing alike."""
    config = mailbox_of(tmp_path, dovecot, smtp_sink, pg_url, 1)
    script = (
        "import gc, sys\n"
        "from daemon.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print('frozen', status, gc.get_freeze_count(), file=sys.stderr)\n"
    )
    statuses: list[int] = []
    for argv in (["--config", str(config), *command], ["--config", str(tmp_path / "none.toml"),
                                                       *command]):
        done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True,
                              text=True, env=clean_env(), cwd=REPO, timeout=120)
        status, frozen = done.stderr.rsplit("frozen ", 1)[1].split()
        assert int(frozen) > 0, done.stderr
        statuses.append(int(status))
    assert statuses[0] == 0 and statuses[1] != 0  # the command done, then refused
    if command[0] == "poll":
        assert dovecot.count("Processed") == 1
