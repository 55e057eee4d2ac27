"""What each command may do to the database, and the CLI's manners.

Only `run`, `db upgrade` and `customers sync` migrate or write the customer registry;
every command that only shows something leaves the database exactly as it was, also
when its config lacks the customer list. A schema that does not fit the program is
one line on stderr, never a silent migration.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import REPO, clean_env, cli, run_cli, sql, write_config
from sqlalchemy import create_engine, select, text

from daemon.cli import build_parser
from daemon.store.schema import metadata

CUSTOMERS = {"name": "Aftale ApS", "domains": ["aftale.dk"], "agreement": True}


@pytest.fixture
def pg_url(migrated_pg_url: str) -> str:
    """In this module every test starts at the newest schema, copied from the session's
    migrated template (tests/conftest.py): the migration is not what these tests show,
    and a daemon or command would otherwise run it first, in a subprocess, each time."""
    return migrated_pg_url


def _config(tmp_path: Path, url: str, *, customers: bool, name: str = "oo.toml") -> Path:
    config = write_config(tmp_path / name, database_url=url)
    if customers:
        with config.open("a", encoding="utf-8") as fh:
            fh.write('\n[[customers]]\nname = "Aftale ApS"\ndomains = ["aftale.dk"]\n'
                     "agreement = true\n")
    return config


def _cli(*args: str, config: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return cli(*args, config=config, cwd=cwd)


def _fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over the sorted rows of every table (and Alembic's)."""
    engine = create_engine(url)
    found: dict[str, tuple[int, str]] = {}
    try:
        with engine.connect() as conn:
            for table in [*metadata.sorted_tables]:
                rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                found[table.name] = (len(rows), digest)
            version = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            found["alembic_version"] = (len(version), repr(version))
    finally:
        engine.dispose()
    return found


def _populate(config: Path) -> int:
    """A case with a time entry and a fee, made through the write commands."""
    made = json.loads(run_cli(
        "cases", "new", "--from", "bo@aftale.dk", "--subject", "Printeren er gået i stå",
        "--body", "Den blinker rødt.", "--channel", "phone", "--now", "2026-12-03T10:00:00+01:00",
        "--json", config=config,
    ))
    number = made["number"]
    run_cli("time", "add", str(number), "20", "--staff", "tech@oo.dk", "--at",
            "2026-12-03T11:00:00+01:00", config=config)
    run_cli("cases", "fee", str(number), "--amount", "100.00", "--description", "kørsel",
            config=config)
    return int(number)


def test_read_commands_change_nothing_even_without_the_customer_list(
    tmp_path: Path, pg_url: str
) -> None:
    full = _config(tmp_path, pg_url, customers=True)
    run_cli("db", "upgrade", config=full)
    number = _populate(full)
    assert sql(pg_url, "SELECT agreement FROM cases WHERE number = %s", number) == [(True,)]
    before = _fingerprint(pg_url)

    # The case that went wrong: a config without [[customers]] (a wrong --config, say).
    bare = _config(tmp_path, pg_url, customers=False, name="bare.toml")
    reads = [
        ("cases", "list"), ("cases", "list", "--json"), ("cases", "list", "--status", "all"),
        ("cases", "show", str(number)), ("cases", "show", str(number), "--json"),
        ("cases", "list", "--overdue", "--customer", "aftale.dk", "--assigned", "none"),
        ("cases", "search", "printeren"), ("cases", "search", "printeren", "--json"),
        ("ignored", "list"), ("ignored", "list", "--json"),
        ("attachments", "get", str(number), "--out", str(tmp_path / "files")),
        ("report", "--month", "2026-12"), ("report", "--month", "2026-12", "--format", "csv"),
        ("report", "--month", "2026-12", "--format", "html"),
        # Four days on, every deadline of the case has passed: the pass would send.
        ("triage", "--once", "--dry-run", "--now", "2026-12-07T12:00:00+01:00"),
        ("triage", "--once", "--dry-run", "--json", "--now", "2026-12-07T12:00:00+01:00"),
        ("triage", "misses"), ("triage", "misses", "--json", "--since", "2026-12-01"),
        ("check-config",), ("check-config", "--json"),
    ]
    for args in reads:
        done = _cli(*args, config=bare)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr == "", (args, done.stderr)  # and no log noise on the way
    assert _fingerprint(pg_url) == before
    assert sql(pg_url, "SELECT agreement FROM cases WHERE number = %s", number) == [(True,)]


def test_dry_run_shows_what_the_real_pass_then_sends(tmp_path: Path, pg_url: str) -> None:
    config = _config(tmp_path, pg_url, customers=True)
    run_cli("db", "upgrade", config=config)
    number = _populate(config)
    later = "2026-12-07T12:00:00+01:00"
    rehearsed = json.loads(run_cli("triage", "--once", "--dry-run", "--json", "--now", later,
                                   config=config))
    assert rehearsed["dry_run"] is True
    assert rehearsed["would_send"], rehearsed
    assert {mail["case"] for mail in rehearsed["would_send"]} == {number}
    assert sql(pg_url, "SELECT count(*) FROM alerts") == [(0,)]

    done = json.loads(run_cli("triage", "--once", "--no-send", "--json", "--now", later,
                              config=config))
    counts = {k: v for k, v in rehearsed.items() if k not in ("dry_run", "would_send")}
    assert done == counts
    queued = sql(pg_url, "SELECT m.subject FROM outbox o JOIN messages m ON m.id = o.message_pk"
                         " WHERE m.kind = 'notice' ORDER BY o.id")
    assert [s for (s,) in queued] == [mail["subject"] for mail in rehearsed["would_send"]]


def test_read_command_on_a_fresh_sqlite_creates_no_file(tmp_path: Path) -> None:
    done = _cli("cases", "list", config=write_config(tmp_path / "oo.toml",
                                                      database_url="sqlite:///var/oo.db"),
                cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "db upgrade" in done.stderr
    assert not (tmp_path / "var").exists()


def test_check_config_on_the_embedded_defaults_creates_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "check-config"], capture_output=True, text=True,
        env=clean_env() | {"PYTHONPATH": str(REPO)}, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []


def test_schema_older_or_newer_than_the_code_is_one_line(tmp_path: Path, pg_url: str) -> None:
    config = _config(tmp_path, pg_url, customers=True)
    run_cli("db", "upgrade", config=config)

    sql(pg_url, "UPDATE alembic_version SET version_num = '0006'")
    done = _cli("cases", "list", config=config)
    assert done.returncode == 1
    assert done.stderr.startswith("oo-support: the database schema (0006) is older")
    assert done.stderr.count("\n") == 1 and "oo-support db upgrade" in done.stderr
    # A write command does not migrate it silently either.
    done = _cli("cases", "new", "--from", "a@b.dk", "--subject", "s", "--body", "b",
                "--channel", "phone", config=config)
    assert done.returncode == 1 and "older" in done.stderr
    assert sql(pg_url, "SELECT version_num FROM alembic_version") == [("0006",)]

    sql(pg_url, "UPDATE alembic_version SET version_num = '9999'")
    for args in (("cases", "list"), ("run",), ("db", "upgrade")):
        done = _cli(*args, config=config)
        assert done.returncode == 1, args
        assert "newer than this program" in done.stderr, (args, done.stderr)
        assert done.stderr.strip().count("\n") == 0, (args, done.stderr)
    assert sql(pg_url, "SELECT version_num FROM alembic_version") == [("9999",)]


def test_a_write_command_creates_a_database_that_has_no_schema(tmp_path: Path) -> None:
    """First use, as INTERFACE.md's 'the first start creates the database'."""
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    done = _cli("cases", "new", "--from", "a@b.dk", "--subject", "s", "--body", "b",
                "--channel", "phone", "--json", config=config)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["number"] > 0


def test_times_without_an_offset_are_read_in_the_business_zone(
    tmp_path: Path, pg_url: str
) -> None:
    config = _config(tmp_path, pg_url, customers=True)
    run_cli("db", "upgrade", config=config)
    # 4 December is winter time in Copenhagen: +01:00.
    made = json.loads(run_cli(
        "cases", "new", "--from", "bo@aftale.dk", "--subject", "s", "--body", "b",
        "--channel", "phone", "--now", "2026-12-04T19:30", "--json", config=config,
    ))
    assert made["created_at"] == "2026-12-04T18:30:00+00:00"
    logged = json.loads(run_cli("time", "add", str(made["number"]), "30", "--staff",
                                "tech@oo.dk", "--at", "2026-12-04T19:30", "--json",
                                config=config))
    assert datetime.fromisoformat(logged["at"]) == datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    assert logged["after_hours"] is True  # 19:30 local is after hours (BR-16)
    # Summer time: +02:00.
    made = json.loads(run_cli(
        "cases", "new", "--from", "bo@aftale.dk", "--subject", "s", "--body", "b",
        "--channel", "phone", "--now", "2026-07-01T09:00", "--json", config=config,
    ))
    assert made["created_at"] == "2026-07-01T07:00:00+00:00"


def test_cases_move_refuses_a_domain_that_is_no_customer(tmp_path: Path, pg_url: str) -> None:
    config = _config(tmp_path, pg_url, customers=True)
    run_cli("db", "upgrade", config=config)
    made = json.loads(run_cli(
        "cases", "new", "--from", "x@ukendt.dk", "--subject", "s", "--body", "b",
        "--channel", "phone", "--json", config=config,
    ))
    for wrong in ("not a domain", "aftale.com", "@"):
        done = _cli("cases", "move", str(made["number"]), "--customer", wrong, config=config)
        assert done.returncode == 1
        assert done.stderr.startswith("oo-support: no customer has the domain")
        assert "aftale.dk" in done.stderr  # the known ones are named
    assert sql(pg_url, "SELECT customer_domain, agreement FROM cases") == [("ukendt.dk", False)]
    moved = json.loads(run_cli("cases", "move", str(made["number"]), "--customer", "AFTALE.dk",
                               "--json", config=config))
    assert (moved["customer_domain"], moved["agreement"]) == ("aftale.dk", True)


def test_a_directory_as_config_is_a_config_error(tmp_path: Path) -> None:
    done = _cli("cases", "list", config=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"oo-support: config file {tmp_path} is a directory, not a TOML file\n"


def _actions(parser: argparse.ArgumentParser, path: str = "oo-support"):  # type: ignore[no-untyped-def]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, action


def test_every_option_and_argument_has_help_text() -> None:
    missing = [f"{path} {action.dest}" for path, action in _actions(build_parser())
               if not (action.help and action.help.strip())]
    assert missing == []


def _command_names() -> list[str]:
    """Every command as typed: `oo-support cases show`, `oo-support run`, ..."""
    def walk(parser: argparse.ArgumentParser, path: str) -> list[str]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return [path]
        return [name for n, sub in subs[0].choices.items() for name in walk(sub, f"{path} {n}")]

    return walk(build_parser(), "oo-support")


def test_readme_command_table_names_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Commands"):]
    missing = [name for name in _command_names() if f"| `{name}" not in table]
    assert missing == []
