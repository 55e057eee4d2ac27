"""`oo-support check-config`: every wrong setting is named, with a clear message
and a non-zero exit, and never hides the other checks. Real Dovecot, aiosmtpd, PostgreSQL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from harness import REPO, clean_env, write_config
from servers import free_port

TEMPLATE_CHECKS = [
    "template ack.da",
    "template ack.en",
    "template reply",
    "template command_error",
    "template alert",
    "template report",
]
WITH_SERVERS = ["config", "database", "imap", "smtp_out", *TEMPLATE_CHECKS]
# The AUTH relay below takes passwords in plain text: fine on 127.0.0.1 in a test.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class Checked:
    returncode: int
    stdout: str
    stderr: str

    def rows(self, names: list[str]) -> dict[str, tuple[str, str]]:
        """The table's rows by check name: (result, detail); fails if one is missing."""
        found: dict[str, tuple[str, str]] = {}
        for line in self.stdout.splitlines():
            for name in names:
                rest = line[len(name) :]
                if line.startswith(name) and rest[:1] == " ":
                    result, _, detail = rest.strip().partition(" ")
                    found[name] = (result, detail.strip())
        assert sorted(found) == sorted(names), self.stdout
        return found


def check_config(config: Path, *extra: str) -> Checked:
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "--config", str(config), "check-config", *extra],
        capture_output=True, text=True, env=clean_env(), cwd=REPO, timeout=60,
    )
    return Checked(done.returncode, done.stdout, done.stderr)


class _Authenticator:
    """Accepts one user and password, like a relay with submission auth."""

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"support@oo.dk", b"relay-secret"
        )
        return AuthResult(success=ok, handled=False)


class _Accept:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "250 OK"


@pytest.fixture
def auth_relay() -> Iterator[Controller]:
    """A relay that requires AUTH (over plain text: this is 127.0.0.1 in a test)."""
    controller = Controller(
        _Accept(), hostname="127.0.0.1", port=free_port(), authenticator=_Authenticator(),
        auth_required=True, auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def silent_port() -> Iterator[Callable[[], int]]:
    """Ports that accept TCP connections (the kernel's backlog) and never say a word."""
    sockets: list[socket.socket] = []

    def make() -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sockets.append(sock)
        return int(sock.getsockname()[1])

    yield make
    for sock in sockets:
        sock.close()


def copied_templates(tmp_path: Path) -> Path:
    directory = tmp_path / "templates"
    directory.mkdir()
    for source in (REPO / "templates").glob("*.j2"):  # not __init__.py, __pycache__
        (directory / source.name).write_bytes(source.read_bytes())
    return directory


def break_template(tmp_path: Path, name: str, line: str) -> tuple[Path, int]:
    """A copy of the templates with `line` appended to `name`; returns the dir, its line."""
    directory = copied_templates(tmp_path)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    text = text if text.endswith("\n") else text + "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return directory, text.count("\n") + 1


def test_all_good_exits_zero_with_every_row_ok(tmp_path: Path, dovecot, smtp_sink, pg_url):
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink)
    done = check_config(config)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = done.rows(WITH_SERVERS)
    assert {name: result for name, (result, _) in rows.items()} == dict.fromkeys(
        WITH_SERVERS, "ok"
    )
    assert rows["imap"][1] == (
        f"logged in as support@oo.dk at 127.0.0.1:{dovecot.port}; folder 'INBOX' holds 0 mails"
    )
    assert rows["template ack.da"][1] == "rendered ack.da.txt.j2, ack.da.html.j2"
    assert rows["template report"][1] == "rendered report.html.j2"
    assert "\x1b" not in done.stdout  # not a terminal: plain text


def test_json_is_one_document_with_every_check(tmp_path: Path, dovecot, smtp_sink, pg_url):
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra={"imap": {"folder": "Foo"}})
    done = check_config(config, "--json")
    assert done.returncode == 1
    checks = json.loads(done.stdout)
    assert [c["check"] for c in checks] == WITH_SERVERS
    assert [c["check"] for c in checks if not c["ok"]] == ["imap"]
    assert done.stderr.strip().splitlines()[-1] == "oo-support: 1 of 10 checks failed: imap"


def _bad_imap_password(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    return {"imap": {"password": "wrong"}}, "imap", "imap login refused for support@oo.dk: "


def _wrong_imap_port(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    port = free_port()
    return ({"imap": {"port": port}}, "imap",
            f"imap server unreachable: connection refused by 127.0.0.1:{port}")


def _missing_folder(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    return ({"imap": {"folder": "Foo"}}, "imap",
            "folder 'Foo' does not exist on the server (it has: INBOX")


def _relay_down(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    port = free_port()
    return ({"smtp_out": {"port": port}}, "smtp_out",
            f"relay unreachable: connection refused by 127.0.0.1:{port}")


def _relay_refuses_login(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    relay = ctx["auth_relay"]
    extra = {"smtp_out": {"port": relay.port, "username": "support@oo.dk", "password": "nope"}}
    return extra, "smtp_out", f"smtp login refused for support@oo.dk by 127.0.0.1:{relay.port}: 535"


def _relay_without_auth(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    return ({"smtp_out": {"username": "support@oo.dk", "password": "x"}}, "smtp_out",
            f"relay 127.0.0.1:{ctx['smtp_sink'].port} cannot do what the settings ask:"
            " SMTP AUTH extension not supported by server")


def _database_down(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    port = free_port()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/oosupport"
    return ({"database": {"url": url}}, "database",
            f"database unreachable at {url}: connection failed: ")


def _undefined_in_template(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    directory, line = break_template(ctx["tmp_path"], "reply.txt.j2", "{{ no_such_value.x }}")
    return ({"templates": {"dir": str(directory)}}, "template reply",
            f"reply.txt.j2 line {line}: 'no_such_value' is undefined")


def _syntax_error_in_template(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    directory, line = break_template(ctx["tmp_path"], "alert.txt.j2", "{% if %}")
    return ({"templates": {"dir": str(directory)}}, "template alert",
            f"alert.txt.j2 line {line}: Expected an expression")


def _broken_html_ack(ctx: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    directory, line = break_template(ctx["tmp_path"], "ack.en.html.j2", "{{ case.nope() }}")
    return ({"templates": {"dir": str(directory)}}, "template ack.en",
            f"ack.en.html.j2 line {line}: ")


@pytest.mark.parametrize(
    "wrong",
    [
        _bad_imap_password,
        _wrong_imap_port,
        _missing_folder,
        _relay_down,
        _relay_refuses_login,
        _relay_without_auth,
        _database_down,
        _undefined_in_template,
        _syntax_error_in_template,
        _broken_html_ack,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_wrong_setting_is_named_and_the_rest_still_checked(
    wrong, tmp_path: Path, dovecot, smtp_sink, pg_url, auth_relay
) -> None:
    context = {"tmp_path": tmp_path, "auth_relay": auth_relay, "smtp_sink": smtp_sink}
    extra, failing, message = wrong(context)
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot,
                          smtp_out=smtp_sink, extra=extra)
    done = check_config(config)
    assert done.returncode == 1, done.stdout
    rows = done.rows(WITH_SERVERS)
    result, detail = rows[failing]
    assert result == "FAIL"
    assert detail.startswith(message), detail
    # Independent: the one wrong setting fails its own row and no other.
    assert [name for name, (result, _) in rows.items() if result != "ok"] == [failing]
    assert done.stderr.strip().splitlines()[-1] == (
        f"oo-support: 1 of {len(WITH_SERVERS)} checks failed: {failing}"
    )
    assert "Traceback" not in done.stderr


def test_relay_login_with_the_right_password_is_ok(
    tmp_path: Path, dovecot, pg_url, auth_relay
) -> None:
    """The counterpart of the refused login: the same relay, the right password."""
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, imap=dovecot, extra={
        "smtp_out": {"host": "127.0.0.1", "port": auth_relay.port, "security": "none",
                     "username": "support@oo.dk", "password": "relay-secret"},
    })
    done = check_config(config)
    assert done.returncode == 0, done.stdout
    assert done.rows(WITH_SERVERS)["smtp_out"] == (
        "ok", f"EHLO accepted by 127.0.0.1:{auth_relay.port} (none), logged in as support@oo.dk"
    )


def test_silent_servers_cost_their_timeout_not_a_hang(
    tmp_path: Path, pg_url, silent_port
) -> None:
    imap_port, smtp_port = silent_port(), silent_port()
    config = write_config(tmp_path / "oo.toml", database_url=pg_url, extra={
        "imap": {"host": "127.0.0.1", "port": imap_port, "security": "none",
                 "username": "support@oo.dk", "password": "x", "timeout": 1},
        "smtp_out": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout": 1},
    })
    started = time.monotonic()
    done = check_config(config)
    elapsed = time.monotonic() - started
    rows = done.rows(WITH_SERVERS)
    assert done.returncode == 1
    assert rows["imap"] == ("FAIL", f"imap server unreachable: no answer from 127.0.0.1:"
                                    f"{imap_port} within 1 s (wrong host or port?)")
    assert rows["smtp_out"] == ("FAIL", f"relay unreachable: no answer from 127.0.0.1:"
                                        f"{smtp_port} within 1 s (wrong host or port?)")
    assert elapsed < 15, elapsed  # the settings' 1 s, not the 30 s default nor forever


def test_pickup_dir_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a directory")
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db",
                          extra={"outbox": {"pickup_dir": str(in_the_way / "outbox")}})
    done = check_config(config)
    names = ["config", "database", "pickup_dir", *TEMPLATE_CHECKS]
    rows = done.rows(names)
    assert done.returncode == 1
    assert rows["pickup_dir"] == (
        "FAIL", f"pickup dir {in_the_way / 'outbox'} is not writable: Not a directory"
    )
    assert [name for name, (result, _) in rows.items() if result != "ok"] == ["pickup_dir"]


def test_writable_pickup_dir_is_ok_and_left_clean(tmp_path: Path) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    done = check_config(config)
    assert done.returncode == 0, done.stdout
    assert done.rows(["pickup_dir"])["pickup_dir"] == (
        "ok", f"no [smtp_out]: outgoing mail goes to {tmp_path / 'outbox'} (made at start)"
    )
    # check-config changes nothing: neither the pickup dir nor the database is made.
    assert not (tmp_path / "outbox").exists()
    assert not (tmp_path / "oo.db").exists()
    (tmp_path / "outbox").mkdir()
    done = check_config(config)
    assert done.rows(["pickup_dir"])["pickup_dir"] == (
        "ok", f"no [smtp_out]: outgoing mail is written to {tmp_path / 'outbox'}"
    )
    assert list((tmp_path / "outbox").iterdir()) == []  # the probe file is gone


def test_an_enabled_console_gets_a_row_saying_where_it_listens(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db",
                          extra={"web": {"enabled": True, "listen": f"127.0.0.1:{port}"}})
    done = check_config(config, "--json")
    assert done.returncode == 0, done.stderr
    checks = {c["check"]: (c["ok"], c["detail"]) for c in json.loads(done.stdout)}
    assert checks["web"] == (
        True,
        f"can listen on 127.0.0.1:{port}; sign-in by password; session cookies also over"
        " plain HTTP",
    )
    # The table has the row too, after the outgoing mail's and before the templates'.
    table = check_config(config)
    assert table.rows(["web"])["web"][0] == "ok"
    assert [c["check"] for c in json.loads(done.stdout)][2:4] == ["pickup_dir", "web"]


def test_a_console_address_in_use_is_named_and_the_rest_still_checked(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db",
                              extra={"web": {"enabled": True, "listen": f"127.0.0.1:{port}"}})
        done = check_config(config)
    rows = done.rows(["config", "database", "pickup_dir", "web", *TEMPLATE_CHECKS])
    assert done.returncode == 1
    assert rows["web"] == (
        "FAIL",
        f"cannot listen on 127.0.0.1:{port}: in use by another program",
    )
    assert [name for name, (result, _) in rows.items() if result != "ok"] == ["web"]


def test_a_disabled_console_has_no_row(tmp_path: Path) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=f"sqlite:///{tmp_path}/oo.db")
    done = check_config(config, "--json")
    assert "web" not in [c["check"] for c in json.loads(done.stdout)]
