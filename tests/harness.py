"""Helpers for end-to-end tests: configs pointing at the test servers, the daemon as a
child process, and generated customer mail."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import email
import email.policy
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parents[1]


def write_config(
    path: Path,
    *,
    database_url: str,
    imap: Any | None = None,
    smtp_out: Any | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """A TOML config for the daemon under test; `imap` is a servers.Dovecot, `smtp_out` a
    servers.SmtpSink."""
    sections: dict[str, dict[str, Any]] = {"database": {"url": database_url}}
    if imap is not None:
        sections["imap"] = {
            "host": imap.host,
            "port": imap.port,
            "security": "none",
            "username": imap.user,
            "password": imap.password,
            "poll_interval": 1,
        }
    if smtp_out is not None:
        sections["smtp_out"] = {"host": smtp_out.host, "port": smtp_out.port, "security": "none"}
    sections["smtp_in"] = {"enabled": False}
    # Volume tests send hundreds of mails from a few domains within seconds; the limits
    # per domain and in all (domain/ack_policy.py) would hold most acks back. The
    # per-address limit stays; tests/integration/test_ack_limits.py sets all three.
    sections["support"] = {
        "ack_limit_per_domain_per_hour": 1_000_000,
        "ack_limit_total_per_hour": 1_000_000,
    }
    sections["outbox"] = {
        "pickup_dir": str(path.parent / "outbox"),
        "flush_interval": 0.2,
        "retry_base_seconds": 0.5,
        "retry_max_seconds": 2,
        "max_attempts": 50,
    }
    for name, values in (extra or {}).items():
        sections.setdefault(name, {}).update(values)
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def clean_env() -> dict[str, str]:
    """The environment without any OO_SUPPORT settings of the caller's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OO_SUPPORT")}


class DaemonProcess:
    """`python -m daemon run` as a child process, as systemd would run it."""

    def __init__(
        self,
        config: Path | None,
        cwd: Path,
        log_name: str = "daemon.log",
        env: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.env = env or {}
        self.cwd = cwd
        self.log_path = cwd / log_name
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        args = [sys.executable, "-m", "daemon", "run"]
        if self.config is not None:
            args += ["--config", str(self.config)]
        log = self.log_path.open("wb")  # this run only: wait_ready reads it
        self.proc = subprocess.Popen(
            args, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, env=clean_env() | self.env
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 30) -> DaemonProcess:
        """Until the daemon says it runs (its signal handlers are installed by then)."""
        wait_until(lambda: "daemon running" in self.log(), timeout, "the daemon to start")
        return self

    def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def run_cli(*args: str, config: Path | None = None, cwd: Path | None = None) -> str:
    """Run `python -m daemon ARGS`; returns stdout, raises with stderr on failure."""
    done = cli(*args, config=config, cwd=cwd)
    if done.returncode != 0:
        raise AssertionError(f"{done.args} exited {done.returncode}: {done.stderr}")
    return done.stdout


def cli(
    *args: str,
    config: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m daemon ARGS [--config CONFIG]` in a process of its own, in `cwd`
    (default: the checkout) with clean_env() | `env`; its exit status and output.

    The process is forked from a warm parent (tests/cli_zygote.py) that has the
    daemon's modules imported already, not started from scratch: the same command in
    the same kind of process, without ~1 s of imports each time. While another thread
    of the test holds the parent, the call starts a fresh interpreter instead, so
    concurrent calls stay concurrent. tests/integration/test_cli.py and the entry-point
    tests start the real `python -m daemon` and `oo-support`.
    """
    command = [sys.executable, "-m", "daemon", *args]
    if config is not None:
        command += ["--config", str(config)]
    where = cwd or REPO
    environment = clean_env() | (env or {})
    if not _ZYGOTE_LOCK.acquire(blocking=False):
        done = subprocess.run(command, cwd=where, capture_output=True, env=environment,
                              timeout=timeout)
        return subprocess.CompletedProcess(
            command, done.returncode, done.stdout.decode(errors="replace"),
            done.stderr.decode(errors="replace"),
        )
    try:
        return _zygote().run(command, command[3:], where, environment, timeout)
    finally:
        _ZYGOTE_LOCK.release()


class _Zygote:
    """The warm parent process of tests/cli_zygote.py, and the calls to it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "cli_zygote.py")],
            cwd=REPO, env=clean_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: select() sees every answer line still unread
        )
        atexit.register(self.close)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()  # EOF: the parent ends
            self.proc.wait(30)

    def _answer(self, deadline: float) -> dict[str, int] | None:
        """The next answer line, or None once `deadline` has passed."""
        assert self.proc.stdout is not None
        wait = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([self.proc.stdout], [], [], wait)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"tests/cli_zygote.py exited with {self.proc.wait(30)}")
        answer: dict[str, int] = json.loads(line)
        return answer

    def run(
        self, command: list[str], args: list[str], cwd: Path, env: dict[str, str],
        timeout: float,
    ) -> subprocess.CompletedProcess[str]:
        assert self.proc.stdin is not None
        started: dict[str, int] | None = None
        with tempfile.TemporaryDirectory(prefix="oo-cli-") as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            request = {"args": args, "cwd": str(cwd), "env": env, "stdout": str(out),
                       "stderr": str(err)}
            try:
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                self.proc.stdin.flush()
                deadline = time.monotonic() + timeout
                started = self._answer(time.monotonic() + 60)
                if started is None:
                    raise RuntimeError("tests/cli_zygote.py did not fork within 60 s")
                finished = self._answer(deadline)
                if finished is None:  # as subprocess.run(timeout=...): kill, then raise
                    raise subprocess.TimeoutExpired(command, timeout)
            except BaseException:
                # Answers of this call may still come; read by the next call, they would
                # give it this command's exit status. The parent goes with the call.
                self.abandon(started["pid"] if started else None)
                raise
            return subprocess.CompletedProcess(
                command, finished["returncode"], out.read_text(errors="replace"),
                err.read_text(errors="replace"),
            )

    def abandon(self, pid: int | None) -> None:
        """Kill the command `pid` (if it was forked) and the parent; the next call
        starts a new parent (_zygote)."""
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.kill()
        self.proc.wait(30)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


_ZYGOTE_LOCK = threading.Lock()
_ZYGOTE: list[_Zygote] = []  # started on first use, one per test process


def _zygote() -> _Zygote:
    if not _ZYGOTE or _ZYGOTE[0].proc.poll() is not None:
        _ZYGOTE[:] = [_Zygote()]
    return _ZYGOTE[0]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def idle_wait_ends(source: Any, seconds: float) -> bool:
    """Does ImapSource's wait for mail (IDLE) end by itself within `seconds`? It is
    stopped either way, so a wait that would go on for poll_interval holds no test."""
    with MailWait(source) as wait:
        return wait.ends_within(seconds)


class MailWait:
    """`with MailWait(source) as wait:` ImapSource's wait for mail (IDLE) in a thread,
    its error kept in `failures`; stopped on leaving, so a wait that would go on for
    poll_interval holds no test."""

    def __init__(self, source: Any) -> None:
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._wait, args=(source,))

    def _wait(self, source: Any) -> None:
        try:
            source._wait_for_mail(self._stop)  # noqa: SLF001
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            self.failures.append(exc)

    def __enter__(self) -> MailWait:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def ends_within(self, seconds: float) -> bool:
        """Has the wait ended (by itself, or in an error) within `seconds`?"""
        self._thread.join(seconds)
        return not self._thread.is_alive()


def customer_mail(
    index: int,
    *,
    subject: str | None = None,
    body: str | None = None,
    sender: str | None = None,
    message_id: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender or f"Kunde {index} <kunde{index}@firma{index % 7}.dk>"
    msg["To"] = "support@oo.dk"
    msg["Subject"] = subject or f"Printeren virker ikke ({index})"
    msg["Message-ID"] = message_id or f"<mail-{index}@firma{index % 7}.dk>"
    msg["Date"] = "Mon, 23 Nov 2026 10:15:00 +0100"
    msg.set_content(body or f"Hej\n\nVores printer nr. {index} virker ikke.\n\nMvh Kunde {index}")
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF, as on the wire


def compose_mail(
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    to: str = "support@oo.dk",
    cc: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """One mail as a client sends it (CRLF); a reply names `in_reply_to` in both
    In-Reply-To and References, as mail clients do."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if attachment:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes(policy=email.policy.SMTP)


# A PostgreSQL trigger that refuses to store any mail whose raw bytes hold
# "poison-bytes": the database refusing one mail, even raw (quarantine tests).
REFUSE_BYTES = """
CREATE FUNCTION refuse() RETURNS trigger AS $$
BEGIN
  IF position('poison-bytes' in convert_from(NEW.raw, 'SQL_ASCII')) > 0 THEN
    RAISE EXCEPTION 'refused by test trigger';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse();
"""


def parse_mail(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run a query against the test database directly (not through the daemon's code)."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        cursor = conn.execute(query, params or None)  # no params: % is not a placeholder
        return cursor.fetchall() if cursor.description else []


@contextlib.contextmanager
def listener_in_thread(handler: Any, smtp_in: Any) -> Iterator[None]:
    """The real SMTP listener (daemon/sources/smtp_listener.start_listener) serving
    `handler` on an event loop of its own in a thread, until the block ends."""
    from daemon.sources.smtp_listener import start_listener

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start_listener(handler, smtp_in), loop).result(30)
    try:
        yield
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
