"""The command line's own errors keep INTERFACE.md's promise: "non-zero with a one-line
reason on stderr", and `--config` is taken wherever a command's words allow an option."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daemon.cli.main import main


def upgraded_sqlite(tmp_path: Path) -> Path:
    """A config of a SQLite database in tmp_path, upgraded to the newest schema."""
    config = tmp_path / "oo.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/oo.db"\n', encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    return config


@pytest.mark.parametrize(
    "argv",
    [
        ["cases", "show", "abc"],
        ["cases", "show"],
        ["cases", "list", "--status", "bogus"],
        ["cases"],
        ["no-such-command"],
        ["report"],
        ["time", "add", "1", "x"],
        ["poll"],
        ["triage", "--once", "--now", "yesterday"],
        ["cases", "list", "--no-such-flag"],
    ],
)

def test_a_usage_error_is_one_line_with_status_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("oo-support") and "error:" in err


def test_config_is_taken_between_a_group_and_its_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Every command takes --config": `oo-support cases --config F list` as well as
    # before the group and after the command.
    config = tmp_path / "oo.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/oo.db"\n', encoding="utf-8")
    assert main(["db", "--config", str(config), "upgrade"]) == 0
    assert (tmp_path / "oo.db").is_file()
    capsys.readouterr()
    assert main(["cases", "--config", str(config), "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    # The command's own --config still wins over the group's, as it is written last.
    assert main(["cases", "--config", str(tmp_path / "none.toml"), "list", "--config",
                 str(config), "--json"]) == 0


def test_a_reader_closing_the_pipe_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `oo-support cases list | head -1`: the reader leaves; the command stops quietly
    # (as `ls | head -1` does), not with "oo-support: [Errno 32] Broken pipe".
    config = upgraded_sqlite(tmp_path)

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    status = main(["cases", "list", "--json", "--config", str(config)])
    assert status != 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("sender", ["foo@", "@eksempel.dk", "kunde", "kunde@", "a b@x.dk",
                                    "kunde@eksempel.dk, other@x.dk", "<>"])
def test_a_phone_case_from_no_address_is_one_line_and_no_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sender: str
) -> None:
    config = upgraded_sqlite(tmp_path)
    capsys.readouterr()
    status = main(["cases", "new", "--from", sender, "--subject", "s", "--body", "b",
                   "--channel", "phone", "--no-send", "--config", str(config)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("oo-support: --from") and len(err.splitlines()) == 1, err
    assert main(["cases", "list", "--json", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_a_phone_case_from_a_named_address_keeps_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = upgraded_sqlite(tmp_path)
    assert main(["cases", "new", "--from", "Søren Kunde <Soren@Kunde.dk>", "--subject", "s",
                 "--body", "b", "--channel", "phone", "--no-send", "--json",
                 "--config", str(config)]) == 0
    case = json.loads(capsys.readouterr().out)
    assert case["customer_email"].lower() == "soren@kunde.dk"
    assert main(["cases", "show", str(case["number"]), "--json", "--config", str(config)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "Hej Søren" in shown["messages"][-1]["body_text"]  # the ack greets the caller


def test_a_phone_case_from_a_quoted_name_with_a_comma_is_one_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Outlook writes "Last, First": quoted, the comma is part of the one name (RFC 5322),
    # not a second address; it was refused as "not an email address".
    config = upgraded_sqlite(tmp_path)
    capsys.readouterr()
    assert main(["cases", "new", "--from", '"Kunde, Søren" <soren@kunde.dk>', "--subject", "s",
                 "--body", "b", "--channel", "phone", "--no-send", "--json",
                 "--config", str(config)]) == 0
    case = json.loads(capsys.readouterr().out)
    assert case["customer_email"] == "soren@kunde.dk"


def test_report_takes_json_as_every_command_printing_data_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = upgraded_sqlite(tmp_path)
    capsys.readouterr()
    assert main(["report", "--month", "2026-11", "--json", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["month"] == "2026-11"
    with pytest.raises(SystemExit) as stop:  # --json and another format: which one?
        main(["report", "--month", "2026-11", "--json", "--format", "csv"])
    assert stop.value.code == 2


def test_time_add_takes_now_as_every_command_depending_on_the_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = upgraded_sqlite(tmp_path)
    assert main(["cases", "new", "--from", "k@firma.dk", "--subject", "s", "--body", "b",
                 "--channel", "phone", "--no-send", "--now", "2026-11-23T09:00+01:00",
                 "--config", str(config)]) == 0
    capsys.readouterr()
    # Work just done at 19:30 on a Monday started 19:00: after hours (BR-16).
    assert main(["time", "add", "100001", "30", "--staff", "tina@oo.dk", "--now",
                 "2026-11-23T19:30+01:00", "--json", "--config", str(config)]) == 0
    late = json.loads(capsys.readouterr().out)
    assert datetime.fromisoformat(late["at"]) == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert late["after_hours"] is True
    assert main(["time", "add", "100001", "30", "--staff", "tina@oo.dk", "--now",
                 "2026-11-23T11:00", "--json", "--config", str(config)]) == 0
    day = json.loads(capsys.readouterr().out)
    assert datetime.fromisoformat(day["at"]) == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert day["after_hours"] is False


def test_a_case_number_past_what_is_stored_is_no_case_not_a_database_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = upgraded_sqlite(tmp_path)
    capsys.readouterr()
    for argv in (["cases", "show", "99999999999999999999"], ["time", "add", "0", "5"],
                 ["ignored", "retry", "99999999999999999999"],
                 ["cases", "search", "x", "--limit", "99999999999999999999"]):
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--config", str(config)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "not a" in err, err
    # The reference as a subject shows it is taken for its number.
    assert main(["cases", "new", "--from", "k@firma.dk", "--subject", "s", "--body", "b",
                 "--channel", "phone", "--no-send", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["cases", "show", "[OO#100001]", "--json", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == 100001


def test_a_reply_on_a_phone_case_answers_the_call_as_its_ack_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # INTERFACE.md: a message that answers one carries In-Reply-To and References to it.
    # The ack of a call answers the call's record; the supporter's reply on the same
    # case answered nothing (no customer mail), so it threaded apart from the ack.
    from email import message_from_bytes

    config = tmp_path / "oo.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/oo.db"\n'
                      f'[outbox]\npickup_dir = "{tmp_path}/outbox"\n', encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert main(["cases", "new", "--from", "k@firma.dk", "--subject", "Printer", "--body", "b",
                 "--channel", "phone", "--config", str(config)]) == 0
    assert main(["cases", "reply", "100001", "--text", "Vi kigger på det", "--staff",
                 "tina@oo.dk", "--config", str(config)]) == 0
    capsys.readouterr()
    sent = [message_from_bytes(p.read_bytes()) for p in sorted((tmp_path / "outbox").iterdir())]
    ack, reply = sent
    assert ack["In-Reply-To"] and ack["In-Reply-To"].startswith("<call.")
    assert reply["In-Reply-To"] == ack["In-Reply-To"]
    assert ack["In-Reply-To"] in (reply["References"] or "")


def test_the_commands_that_record_when_they_were_done_take_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "oo.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/oo.db"\n'
                      '[[customers]]\nname = "Firma"\ndomains = ["firma.dk"]\n',
                      encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert main(["cases", "new", "--from", "k@andet.dk", "--subject", "s", "--body", "b",
                 "--channel", "phone", "--no-send", "--now", "2026-11-23T09:00+01:00",
                 "--config", str(config)]) == 0
    at = "2026-11-23T10:00+01:00"
    for argv in (["cases", "fee", "100001", "--amount", "100", "--description", "kørsel"],
                 ["cases", "project", "100001", "--estimate", "2h"],
                 ["cases", "move", "100001", "--customer", "firma.dk"]):
        assert main([*argv, "--now", at, "--staff", "tina@oo.dk", "--json",
                     "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["cases", "show", "100001", "--json", "--config", str(config)]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [(e["action"], datetime.fromisoformat(e["at"])) for e in events] == [
        (action, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        for action in ("fee", "project", "move")
    ]
