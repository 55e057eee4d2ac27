"""tests/servers.SmtpSink in a child process, standing in for the outbound relay.

Why not in a thread: SmtpSink runs aiosmtpd in a thread of whatever process starts it,
and in the benchmark process that thread would hold the GIL against the in-process
daemon while it sends, charging the relay's work to the daemon's flush. A real relay
is another process (and often another machine), so the sink runs in one here too.

A plain child (`python -m benchmarks.sink`), not multiprocessing: spawn re-imports the
parent's __main__, which fails for stdin scripts and surprises under pytest. The
protocol is two lines: the child prints "HOST PORT" when it listens, and when its
stdin closes it stops and prints, as one JSON line, what correctness needs of every
accepted mail: its recipients and the In-Reply-To it answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from types import TracebackType

from benchmarks.report import REPO


@dataclass(frozen=True)
class Accepted:
    recipients: tuple[str, ...]
    in_reply_to: str  # decoded, so an ack still matches its mail if it was encoded
    in_reply_to_encoded: bool  # RFC 2047-encoded on the wire: Exchange drops those


class SinkProcess:
    """`with SinkProcess() as sink:` -> sink.host, sink.port; sink.stop() -> accepted mail."""

    def __init__(self) -> None:
        self.host = ""
        self.port = 0
        self.accepted: list[Accepted] | None = None
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> SinkProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.sink"], cwd=REPO, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()  # blocks until it listens (or dies: "")
        if not line:
            self._proc.wait(10)
            raise RuntimeError(f"the SMTP sink process exited with {self._proc.returncode}")
        host, port = line.split()
        self.host, self.port = host, int(port)
        return self

    def stop(self) -> list[Accepted]:
        """Stop the sink and return what it accepted (the same list on a second call)."""
        if self.accepted is None:
            assert self._proc is not None
            out, _ = self._proc.communicate(timeout=60)  # closes stdin: the signal to stop
            self.accepted = [Accepted(tuple(to), irt, encoded)
                             for to, irt, encoded in json.loads(out)]
        return self.accepted

    def __enter__(self) -> SinkProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()  # stop() was not reached: an error is on its way up
            self._proc.wait(10)


def _serve() -> int:
    """Child: listen, say where, wait for stdin to close, report what was accepted."""
    from tests.servers import SmtpSink  # test helpers: only the child needs them

    sink = SmtpSink()
    sink.start()
    print(sink.host, sink.port, flush=True)
    sys.stdin.read()  # until the parent closes it (or dies)
    sink.stop()
    headers = BytesHeaderParser(policy=compat32)
    summary = []
    for mail in sink.messages:
        raw = str(headers.parsebytes(mail.data).get("In-Reply-To", ""))
        summary.append([mail.recipients, decoded_header(raw), "=?" in raw])
    print(json.dumps(summary), flush=True)
    return 0


def decoded_header(value: str) -> str:
    """The header as text, RFC 2047 encoded-words decoded, folding removed."""
    return str(make_header(decode_header(value))).strip() if "=?" in value else value.strip()


if __name__ == "__main__":
    sys.exit(_serve())
