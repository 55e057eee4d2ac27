"""A real MTA as the daemon's relay: a private Postfix instance on a loopback port that
accepts every mail from 127.0.0.1 and delivers it to the discard transport.

Its own config directory, queue and data directory under a temporary directory, its
own port; the system's Postfix (if any) is never touched: `postfix -c DIR start|stop`
acts on this instance only. Postfix must be installed (Debian: `apt-get install
postfix`, debconf "No configuration"). Logging goes to a file (maillog_file): what the
relay accepted is read from it, one `cleanup` line with the Message-ID per mail.

    with PostfixRelay() as relay:  # relay.host, relay.port, relay.accepted(), relay.cpu_s()
        ...
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

POSTFIX = "/usr/sbin/postfix"
_ACCEPTED = re.compile(r"postfix/cleanup\[\d+\]: [0-9A-F]+: message-id=(\S+)")

# The services an smtpd -> cleanup -> qmgr -> discard path needs, none chrooted.
_MASTER_CF = """\
{host}:{port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

_MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.bench.invalid
mydomain = bench.invalid
inet_interfaces = {host}
inet_protocols = ipv4
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
default_transport = discard
relay_transport = discard
local_transport = discard
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
message_size_limit = 0
"""


def installed() -> bool:
    return Path(POSTFIX).exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostfixRelay:
    def __init__(self, parent: str | None = None) -> None:
        """`parent`: where its directory (config, queue, log) is made; the system's
        temporary directory unless given (relay_cost puts it on a tmpfs to see what the
        queue's writes and fsyncs cost)."""
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="oo-bench-postfix-", dir=parent))
        self.version = ""

    def __enter__(self) -> PostfixRelay:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _postfix(self, *args: str) -> None:
        done = subprocess.run([POSTFIX, "-c", str(self.root / "conf"), *args],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(args)} failed: {done.stderr.strip()}"
                               f"\n{self.log()[-2000:]}")

    def start(self) -> None:
        if not installed():
            raise RuntimeError("postfix is not installed (apt-get install postfix)")
        self.root.chmod(0o755)  # Postfix's own processes run as the postfix user
        (self.root / "conf").mkdir()
        (self.root / "queue").mkdir()
        (self.root / "data").mkdir()
        shutil.chown(self.root / "data", "postfix")
        values = {"root": self.root, "host": self.host, "port": self.port}
        (self.root / "conf" / "main.cf").write_text(_MAIN_CF.format(**values))
        (self.root / "conf" / "master.cf").write_text(_MASTER_CF.format(**values))
        self._postfix("start")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex((self.host, self.port)) == 0:
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"postfix did not listen on {self.port}\n{self.log()[-2000:]}")
        self.version = subprocess.run(
            ["postconf", "-c", str(self.root / "conf"), "-h", "mail_version"],
            capture_output=True, text=True, check=False).stdout.strip()

    def log(self) -> str:
        path = self.root / "postfix.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def accepted(self, expected: int = 0, timeout: float = 30) -> list[str]:
        """Message-IDs of the mails the relay accepted (cleanup wrote them), in order;
        waits up to `timeout` for `expected` of them (the log is written after the 250)."""
        deadline = time.monotonic() + timeout
        while True:
            found = _ACCEPTED.findall(self.log())
            if len(found) >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def settle(self, timeout: float = 60) -> None:
        """Until the queue is empty: every accepted mail delivered (discarded), so the
        CPU read next includes qmgr's and discard's work for all of them."""
        queue = self.root / "queue"
        deadline = time.monotonic() + timeout
        while any(path.is_file() for name in ("maildrop", "incoming", "active", "deferred")
                  for path in (queue / name).rglob("*")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"postfix still has mail queued after {timeout} s")
            time.sleep(0.05)

    def master_pid(self) -> int:
        return int((self.root / "queue" / "pid" / "master.pid").read_text().split()[0])

    def processes(self) -> dict[int, tuple[str, float]]:
        """CPU seconds so far, by pid: the master's own (named "master"), each live
        child's with its name (smtpd, cleanup, qmgr, trivial-rewrite, discard, postlogd),
        and under pid 0 ("ended children") what its reaped children used (a process
        ends at max_use or max_idle; its CPU moves there)."""
        master = self.master_pid()
        found: dict[int, tuple[str, float]] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # ended while we looked
                continue
            # after the ")" of the name: state ppid ... utime stime cutime cstime (11-14)
            fields = stat.rsplit(")", 1)[1].split()
            pid = int(entry.name)
            if pid == master:
                found[pid] = ("master", (int(fields[11]) + int(fields[12])) / tick)
                found[0] = ("ended children", (int(fields[13]) + int(fields[14])) / tick)
            elif int(fields[1]) == master:
                name = stat[stat.index("(") + 1 : stat.rindex(")")]
                found[pid] = (name, (int(fields[11]) + int(fields[12])) / tick)
        return found

    def cpu_s(self) -> float:
        """CPU seconds (user + system) this instance has used so far, from /proc: its
        master's own and its reaped children's (cutime, cstime), and every live child's
        (smtpd, cleanup, qmgr, discard, ...). Before and after a flush: the relay's part."""
        return sum(seconds for _, seconds in self.processes().values())

    def stop(self) -> None:
        try:
            if (self.root / "queue" / "pid" / "master.pid").exists():
                self._postfix("stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
