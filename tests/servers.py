"""Real servers for tests and benchmarks: Dovecot (IMAP), an aiosmtpd sink (SMTP)
and throwaway PostgreSQL databases.

Plain module, no pytest imports, so benchmarks can use it too. The daemon is tested
against real servers because fakes hide exactly the protocol details (UIDVALIDITY,
IDLE, MOVE, temporary SMTP failures) that break helpdesks in production.
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import itertools
import os
import pwd
import queue
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import imapclient
import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from psycopg import sql
from sqlalchemy.engine import URL, make_url

if TYPE_CHECKING:
    import trustme

LOCALHOST = "127.0.0.1"
# util-linux (essential on Debian): exec dovecot with a parent-death signal set.
_PDEATHSIG = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` until true; raise TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.01)


def _alive_in_group(pgid: int) -> list[int]:
    """Pids (not zombies) in process group `pgid`: the Dovecot master and its children."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        # Fields after the ")" of the command name: state ppid pgrp ...
        fields = raw[raw.rfind(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _traversable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether user `uid` may enter `path` and all of its parents (mode bits only)."""
    for directory in [path, *path.parents]:
        st = directory.stat()
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


@dataclass(frozen=True)
class ServerCert:
    """A test server's TLS identity as PEM files, and the CA that vouches for it."""

    chain: Path  # the server's certificate (and intermediates, if any)
    key: Path
    ca: Path  # the issuing CA's certificate: what a client's ca_file must hold

    @classmethod
    def issue(cls, ca: trustme.CA, directory: Path, *names: str) -> ServerCert:
        """A certificate from `ca` for `names` (default: 127.0.0.1 and localhost)."""
        leaf = ca.issue_cert(*(names or (LOCALHOST, "localhost")))
        stem = directory / f"cert-{uuid.uuid4().hex[:8]}"
        cert = cls(Path(f"{stem}.chain.pem"), Path(f"{stem}.key.pem"), Path(f"{stem}.ca.pem"))
        cert.chain.write_bytes(b"".join(pem.bytes() for pem in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(cert.key))
        ca.cert_pem.write_to_path(str(cert.ca))
        return cert

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.chain, self.key)
        return context


class Dovecot:
    """A private Dovecot IMAP server with one user, under `root`.

    Everything (config, sockets, state, logs, mail) lives under `root`, so it never
    touches a system instance. As root, Dovecot drops to the `dovecot` user for mail
    access, so `root` and all its parents must be enterable by that user (pytest's
    tmp_path is not: /tmp/pytest-of-root is 0700; use tempfile.mkdtemp + chmod 0755).
    """

    def __init__(
        self,
        root: Path,
        user: str = "support@oo.dk",
        password: str = "secret",
        *,
        tls: ServerCert | None = None,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        """With `tls`: STARTTLS on `port` and IMAPS on `imaps_port`; plain logins
        still work on `port` (ssl = yes, not required), so the mail helpers do too."""
        self.root = Path(root).resolve()
        self.host = LOCALHOST
        self.port = free_port()  # chosen once: restart() reuses it
        self.user = user
        self.password = password
        self.config_path = self.root / "dovecot.conf"
        self.log_path = self.root / "log" / "dovecot.log"
        self.mail_dir = self.root / "mail"
        self._proc: subprocess.Popen[bytes] | None = None
        self.tls = tls
        self.imaps_port = free_port() if tls is not None else None
        # With a URL: XOAUTH2/OAUTHBEARER logins, each token checked by a POST there
        # (Dovecot's oauth2 passdb); plain logins with the password keep working.
        self.oauth2_introspection_url = oauth2_introspection_url

    # -- lifecycle -----------------------------------------------------------------

    def _write_config(self) -> None:
        mail_owner = pwd.getpwnam("dovecot")
        for sub in ("run", "state", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        os.chown(self.mail_dir, mail_owner.pw_uid, mail_owner.pw_gid)
        passwd = self.root / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        passwd.chmod(0o644)  # read by the auth process, which may not run as root
        self.config_path.write_text(f"""\
# Written by tests/servers.py; private instance for tests.
instance_name = oo-test-{self.port}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log_path}
protocols = imap
listen = {self.host}
{self._ssl_settings()}
disable_plaintext_auth = no
{self._auth_settings(passwd)}
# Answer a wrong password at once (default: 2 s), so auth-failure tests are fast.
auth_failure_delay = 0
first_valid_uid = 1
# Tests and the daemon may open many connections from 127.0.0.1 at once.
mail_max_userip_connections = 200
# Test mail is disposable: skip fsync so bulk APPEND is fast.
mail_fsync = never
mail_location = maildir:{self.mail_dir}/%u
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={self.mail_dir}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port or 0}
  }}
}}
service anvil {{
  chroot =
}}
""")

    def _auth_settings(self, passwd: Path) -> str:
        if self.oauth2_introspection_url is None:
            return f"""auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}"""
        oauth2_conf = self.root / "oauth2.conf"
        # No tokeninfo_url: every token goes to the introspection endpoint, whose
        # answer must say active = true and name the user who logs in.
        oauth2_conf.write_text(f"""\
introspection_mode = post
introspection_url = {self.oauth2_introspection_url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
""")
        oauth2_conf.chmod(0o644)  # read by the auth process
        # Each passdb serves only its own mechanisms, so a token is never taken for a
        # password or the other way round.
        # Anvil's penalty socket closed: no growing delay after refused tokens (up to
        # 15 s a login, the next good one too), which would make retry tests slow.
        return f"""auth_mechanisms = plain login xoauth2 oauthbearer
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {oauth2_conf}
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {passwd}
}}"""

    def _ssl_settings(self) -> str:
        if self.tls is None:
            return "ssl = no"
        # Read by Dovecot's config process, which runs as root: no chown needed.
        return f"ssl = yes\nssl_cert = <{self.tls.chain}\nssl_key = <{self.tls.key}"

    def start(self) -> None:
        """Write the config, start Dovecot and wait until it greets on its port."""
        if self._proc is not None:
            raise RuntimeError("Dovecot already started")
        self.root.mkdir(parents=True, exist_ok=True)
        # Dovecot refuses uid 0 for mail and switches to the dovecot user, which only
        # root can do; a non-root instance would need a different config throughout.
        if os.geteuid() != 0:
            raise PermissionError("the Dovecot fixture runs as root (as in CI)")
        owner = pwd.getpwnam("dovecot")
        gids = {owner.pw_gid, *(g.gr_gid for g in grp.getgrall() if "dovecot" in g.gr_mem)}
        if not _traversable_by(self.root, owner.pw_uid, gids):
            raise PermissionError(
                f"{self.root} (or a parent) is not enterable by the dovecot user; "
                "use a directory such as tempfile.mkdtemp() chmod 0755"
            )
        if _port_open(self.host, self.port):
            raise RuntimeError(f"port {self.port} is already in use")
        self._write_config()
        out = open(self.root / "log" / "dovecot.out", "ab")  # noqa: SIM115 - handed to Popen
        try:
            # -F keeps the master in the foreground as our child: we can wait() for it
            # and nothing is orphaned. Output goes to a file so no pipe of the caller
            # (pytest capture, a CI log) is held open by Dovecot's processes.
            # A new session gives Dovecot its own process group, which stop() watches;
            # it also escapes a group kill of the test run, so setpriv --pdeathsig makes
            # the kernel kill the master when the thread that started it dies (start
            # from a long-lived thread), and its children follow the master.
            self._proc = subprocess.Popen(
                [*_PDEATHSIG, "dovecot", "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            out.close()
        atexit.register(self.kill)  # don't leak a server if the caller dies
        try:
            _wait(self._greets, 15, f"Dovecot on port {self.port}")
        except Exception:
            self.kill()
            raise

    def _greets(self) -> bool:
        """True once an IMAP greeting arrives (the kernel accepts before imap-login runs)."""
        assert self._proc is not None
        if self._proc.poll() is not None:
            raise RuntimeError(f"Dovecot exited with {self._proc.returncode}:\n{self._logs()}")
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def _logs(self) -> str:
        parts = []
        for name in ("dovecot.out", "dovecot.log"):
            path = self.root / "log" / name
            if path.exists():
                parts.append(f"--- {name}\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop Dovecot the documented way (`dovecot -c FILE stop`) and wait until the
        port is closed and every process of the instance is gone, so a restart can
        bind the same port. Takes ~1.1 s: the master always sleeps 1 s on shutdown."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            # `dovecot stop` polls until the master pid is gone, but the master is our
            # child and stays a zombie until we reap it: run both at once, or every
            # stop also costs the command's full 3 s wait.
            stopper = subprocess.Popen(
                ["dovecot", "-c", str(self.config_path), "stop"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass  # kill() below
            finally:
                stopper.wait(timeout=15)
            # log and stats outlive the master briefly; let them flush before kill().
            with contextlib.suppress(TimeoutError):
                _wait(lambda: not _alive_in_group(proc.pid), 5, "Dovecot's processes to exit")
        self.kill()

    def kill(self) -> None:
        """Hard stop: SIGKILL every process of the instance (like a crashed server),
        then wait until they are gone and the port is closed. Mail on disk is kept.
        Fixtures tear down with this because the graceful stop costs ~1.1 s."""
        proc = self._proc
        if proc is None:
            return
        try:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own group: start_new_session
            proc.wait(timeout=15)
            _wait(lambda: not _alive_in_group(proc.pid), 15, "Dovecot's processes to exit")
            _wait(lambda: not _port_open(self.host, self.port), 15, "Dovecot's port to close")
        finally:
            self._proc = None
            atexit.unregister(self.kill)

    def restart(self) -> None:
        """Stop and start again on the same port; the mail on disk is kept."""
        self.stop()
        self.start()

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- mail helpers --------------------------------------------------------------

    def client(self) -> imapclient.IMAPClient:
        """A logged-in IMAPClient; the caller logs out (it is a context manager)."""
        client = imapclient.IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        try:
            client.login(self.user, self.password)
        except Exception:
            client.shutdown()
            raise
        return client

    def append(
        self,
        folder: str,
        messages: Iterable[bytes],
        flags: Iterable[str | bytes] = (),
    ) -> None:
        """Append raw messages to `folder` (created if missing) over one connection.

        Uses MULTIAPPEND (RFC 3502) with LITERAL+, so a batch is one streamed command
        without a round trip per message; batches bound the memory held at once.
        """
        flag_list = list(flags)
        batch: list[bytes | dict[str, Any]] = []
        batch_bytes = 0
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)

            def send() -> None:
                typ, data = client.multiappend(folder, batch)
                if typ != "OK":
                    raise imapclient.exceptions.IMAPClientError(f"APPEND failed: {data!r}")
                batch.clear()

            for message in messages:
                batch.append({"msg": message, "flags": flag_list} if flag_list else message)
                batch_bytes += len(message)
                if batch_bytes >= 32 * 1024 * 1024:
                    send()
                    batch_bytes = 0
            if batch:
                send()

    def count(self, folder: str) -> int:
        """Number of messages in `folder`; 0 if the folder does not exist."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            return int(client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])

    def uids(self, folder: str) -> list[int]:
        """Sorted UIDs in `folder`; [] if the folder does not exist."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(int(uid) for uid in client.search("ALL"))


class _Relay:
    """A TCP relay on a free loopback port to `server`: each client accepted is given
    to `_connect` with its own connection to the server. Subclasses set what their
    `_connect` reads before calling this __init__, which starts accepting."""

    def __init__(self, server: tuple[str, int]) -> None:
        self.server = server
        self._closed = threading.Event()
        self.listener = socket.create_server((LOCALHOST, 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._closed.set()
        self.listener.close()


class SlowLink(_Relay):
    """A TCP relay to `server` whose answers reach the client in two parts, a pause
    between: a line cut where a slow network cuts it, inside (imapclient issue 519,
    seen with Dovecot and an Outlook user changing flags). With `tls`, the relay ends
    TLS for the client with that context and each part is a TLS record of its own."""

    def __init__(
        self, server: tuple[str, int], pause: float = 0.5, tls: ssl.SSLContext | None = None
    ) -> None:
        self.pause, self.tls = pause, tls
        super().__init__(server)

    def _connect(self, client: socket.socket) -> None:
        if self.tls is not None:
            client = self.tls.wrap_socket(client, server_side=True)
        upstream = socket.create_connection(self.server)
        for source, to, cut in ((client, upstream, False), (upstream, client, True)):
            threading.Thread(target=self._relay, args=(source, to, cut), daemon=True).start()

    def _relay(self, source: socket.socket, to: socket.socket, cut: bool) -> None:
        with contextlib.suppress(OSError), source, to:
            while chunk := source.recv(65536):
                middle = len(chunk) // 2
                if cut and middle > 0 and chunk[middle - 1 : middle] != b"\n":
                    to.sendall(chunk[:middle])
                    time.sleep(self.pause)
                    chunk = chunk[middle:]
                to.sendall(chunk)


class IdleRelay(_Relay):
    """A TCP relay to `server` that changes what the server says in IDLE (idle23).

    `before_continuation`: a line the relay says to the client as it passes on the next
    IDLE command, so before the server's "+" continuation (RFC 3501 7 and RFC 2177
    allow untagged data at any time: "* 4 EXISTS" may come first). `trickle`: in the
    first session's first IDLE, after the server's "+", a byte of a line every `pause`
    seconds that never ends, and nothing more from the server. `sessions`: how many
    connections the relay took."""

    _IDLE = re.compile(rb"^\S+ IDLE\r\n", re.MULTILINE)

    def __init__(
        self, server: tuple[str, int], *, trickle: bool = False, pause: float = 0.5
    ) -> None:
        self.trickle, self.pause = trickle, pause
        self.before_continuation: bytes | None = None
        self.sessions = 0
        super().__init__(server)

    def _connect(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.server)
        self.sessions += 1
        trickling = threading.Event() if self.trickle and self.sessions == 1 else None
        writing = threading.Lock()  # both directions may write to the client
        threading.Thread(target=self._to_server, daemon=True,
                         args=(client, upstream, writing, trickling)).start()
        threading.Thread(target=self._to_client, daemon=True,
                         args=(upstream, client, writing, trickling)).start()

    def _to_server(self, client: socket.socket, upstream: socket.socket,
                   writing: threading.Lock, trickling: threading.Event | None) -> None:
        with contextlib.suppress(OSError), client, upstream:
            while chunk := client.recv(65536):
                if self._IDLE.search(chunk):
                    line, self.before_continuation = self.before_continuation, None
                    if line is not None:
                        with writing:
                            client.sendall(line)
                    if trickling is not None and not trickling.is_set():
                        trickling.set()  # the "+" that answers this IDLE is the last
                upstream.sendall(chunk)

    def _to_client(self, upstream: socket.socket, client: socket.socket,
                   writing: threading.Lock, trickling: threading.Event | None) -> None:
        with contextlib.suppress(OSError), client, upstream:
            while chunk := upstream.recv(65536):
                with writing:
                    client.sendall(chunk)
                if trickling is not None and trickling.is_set() and chunk.startswith(b"+"):
                    for byte in itertools.cycle(b"* 1 FETCH (FLAGS (\\Seen))"):
                        if self._closed.wait(self.pause):
                            return
                        client.sendall(bytes([byte]))


@dataclass(frozen=True)
class CapturedMail:
    """One mail the sink accepted, as it arrived on the wire (CRLF, dot-unstuffed)."""

    envelope_from: str
    recipients: list[str]
    data: bytes


class _SinkHandler:
    """aiosmtpd handler: records accepted mail, or refuses with a chosen code."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    def _refusal(self) -> str | None:
        code = self.sink.refuse_code
        if code is None:
            return None
        enhanced = "4.3.0" if code < 500 else "5.0.0"
        return f"{code} {enhanced} Test sink refusing (code {code})"

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        code = self.sink.refuse_mail_code
        if code is not None:
            return f"{code} 5.7.0 Test sink refusing the sender"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.sink.pipelining:  # aiosmtpd reads commands one by one anyway
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        if address in self.sink.refuse_rcpt:
            return "550 5.1.1 Test sink: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        late = self.sink.refuse_data.get(next(iter(envelope.rcpt_tos), ""))
        if late is not None:  # answered to the final ".": the whole mail came, refused
            return f"{late} {'4.3.0' if late < 500 else '5.6.0'} Test sink refusing the data"
        data = envelope.original_content or b""
        self.sink._capture(
            CapturedMail(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(data))
        )
        return "250 OK: captured"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that captures every accepted mail.

    aiosmtpd's Controller runs its own event loop in a thread, which is fine on the test
    side (the daemon itself must not do this). The port is kept across stop/start so
    a client configured once sees "relay down" and then "relay back".
    """

    def __init__(self, tls: ServerCert | None = None) -> None:
        self.host = LOCALHOST
        self.port = free_port()
        self.tls = tls
        self.messages: list[CapturedMail] = []
        self.refuse_code: int | None = None
        self.refuse_mail_code: int | None = None  # refuse MAIL FROM (e.g. 530)
        self.refuse_rcpt: set[str] = set()  # refuse RCPT TO these addresses with 550
        # Answer the final "." of DATA to a mail for this (first) recipient with this code.
        self.refuse_data: dict[str, int] = {}
        self.pipelining = False  # offer PIPELINING (RFC 2920) in the EHLO answer
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    def _capture(self, mail: CapturedMail) -> None:
        with self._cond:
            self.messages.append(mail)
            self._cond.notify_all()

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("SMTP sink already started")
        tls_options: dict[str, Any] = {}
        if self.tls is not None:
            # STARTTLS required: MAIL before it is refused, so a capture proves TLS.
            tls_options = {"tls_context": self.tls.server_context(), "require_starttls": True}
        controller = Controller(
            _SinkHandler(self),
            hostname=self.host,
            port=self.port,
            ready_timeout=10,
            enable_SMTPUTF8=True,
            **tls_options,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Close the listener and end open sessions (aiosmtpd cancels their tasks, which
        closes the sockets): new clients get connection refused, like a dead relay."""
        controller = self._controller
        if controller is None:
            return
        self._controller = None
        controller.stop()
        _wait(lambda: not _port_open(self.host, self.port), 10, "SMTP sink port to close")

    def refuse(self, code: int | None) -> None:
        """While `code` is set, answer RCPT and DATA with it and capture nothing."""
        self.refuse_code = code

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` mails were captured; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.messages) >= count, timeout)

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# The PostgreSQL server the tests make their databases in, as an SQLAlchemy URL without
# a database: from the environment when set (.ci/run sets it to a role with a password,
# so nothing depends on trust authentication), else the trust-auth server of these
# machines. The role needs CREATEDB, not superuser.
DATABASE_URL_ENV = "OO_TEST_DATABASE_URL"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"


def database_server_url() -> URL:
    """The server to use, read at each call (so a test can point it elsewhere)."""
    return make_url(os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL)


def _admin_uri(server: URL) -> str:
    """A libpq URI for the server's maintenance database (password included)."""
    admin = server.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_database(
    prefix: str = "oo_test",
    *,
    server: URL | None = None,
    template: str | None = None,
    dropper: DatabaseDropper | None = None,
) -> Iterator[str]:
    """Create a fresh database and yield its SQLAlchemy URL; drop it (FORCE) on exit.

    FORCE ends connections a test leaked (a pool, a crashed task), which would
    otherwise make DROP DATABASE fail and leave databases behind.

    With `template`, the database is a copy of that one (CREATE DATABASE ... TEMPLATE):
    a schema made once is copied in a fraction of the time a migration takes. With
    `dropper`, the drop is queued to it instead of waited for here.
    """
    server = server or database_server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_uri(server)
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(create)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        if dropper is not None:
            dropper.drop(name)
        else:
            _drop_database(admin, name)


def _drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


class DatabaseDropper:
    """Drops databases in a thread of its own, one after the other, so a test does not
    wait for it: on PostgreSQL 15 every DROP DATABASE waits for a checkpoint, which
    takes 0.1-1.5 s on a busy disk. FORCE still ends whatever a test left connected.
    `close()` waits until every queued drop is done and raises the first failure."""

    def __init__(self, server: URL | None = None) -> None:
        self._admin = _admin_uri(server or database_server_url())
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="database-dropper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (name := self._queue.get()) is not None:
            try:
                _drop_database(self._admin, name)
            except Exception as exc:  # reported by close(), in the test run's thread
                self._errors.append(exc)

    def drop(self, name: str) -> None:
        self._queue.put(name)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._errors:
            raise RuntimeError(f"{len(self._errors)} databases not dropped") from self._errors[0]


def database_exists(name: str, *, server: URL | None = None) -> bool:
    """Whether database `name` exists (used to prove cleanup)."""
    with psycopg.connect(_admin_uri(server or database_server_url()), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None
