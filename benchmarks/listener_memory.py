"""Peak memory of the SMTP listener under many large DATA streams at once.

`python -m daemon run` runs as a child process on SQLite with only the listener (a
free port, max_message_size above the streams, the connection caps above the client
count). `--clients` clients connect at once; each sends MAIL, RCPT, DATA, a few
header lines, then `--mb` MB of 3-byte lines (`a<CRLF>`, the worst case for a list of
lines), in 64 KB writes. When all have sent their lines, `--finished` of them end
their DATA and wait for the reply (250 expected: the mail is stored); the others close
the connection mid-DATA, as a client that gives up or is cut off does.

The daemon's VmRSS and VmHWM are read from /proc/<pid>/status every 50 ms. Two peaks:
  - listener: the VmHWM when every client has sent all its lines (all 20 streams were
    in DATA at once): what the listener holds. Target: < 300 MB.
  - ingest: the VmHWM at the end, after the finished mails went through the pipeline
    (DKIM, the store) and the abandoned connections were closed. A 40 MB mail of
    3-byte lines is the worst case for the parser too (the standard library's email
    parser keeps a list of lines).
  - parse: the mails are parsed in the daemon's worker processes (its
    children, daemon/sources/prepare_pool.py), whose memory is not in the daemon's
    VmHWM: the sum of the VmRSS of all the daemon's descendants is sampled with it,
    and its peak, and the peak of daemon + descendants, are reported.
VmRSS at start and at the end are next to them.

Missing the target is reported, not a failure; a finished mail not answered 250 is
(FAILED, exit 1).

CLI: python -m benchmarks.listener_memory [--clients 20] [--mb 40] [--finished 1]
         [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from tests.harness import clean_env, write_config

TARGET_MB = 300.0
SAMPLE_SECONDS = 0.05
WRITE = b"a\r\n" * (64 * 1024 // 3)  # one write of short lines, ~64 KB


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of `pid`, in MB (empty once it is gone)."""
    figures: dict[str, float] = {}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return figures
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = round(int(value.split()[0]) / 1024, 1)
    return figures


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    found: list[int] = []
    wanted = {pid}
    while wanted:
        below = [child for child, parent in parents.items() if parent in wanted]
        found += below
        wanted = set(below)
    return found


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0.0
        self.peak_workers = 0.0  # the sum of the descendants' VmRSS
        self.peak_total = 0.0  # daemon + descendants, sampled at the same moment
        self.last: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            figures = memory_mb(self.pid)
            if figures:
                self.last = figures
                self.peak_rss = max(self.peak_rss, figures["VmRSS"])
                workers = sum(memory_mb(child).get("VmRSS", 0.0)
                              for child in descendants(self.pid))
                self.peak_workers = max(self.peak_workers, workers)
                self.peak_total = max(self.peak_total, figures["VmRSS"] + workers)
            time.sleep(SAMPLE_SECONDS)


def client(port: int, index: int, size_mb: int, finish: bool, sent: threading.Barrier,
           replies: list[str]) -> None:
    """One client's transaction; appends its DATA reply (or 'abandoned')."""
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        answers = sock.makefile("rb")

        def command(line: bytes) -> bytes:
            sock.sendall(line)
            reply = answers.readline()
            while reply[3:4] == b"-":
                reply = answers.readline()
            return reply

        answers.readline()  # the greeting
        command(b"EHLO bench.invalid\r\n")
        command(b"MAIL FROM:<bench%d@kunde.invalid>\r\n" % index)
        command(b"RCPT TO:<support@oo.dk>\r\n")
        if not command(b"DATA\r\n").startswith(b"354"):
            replies.append("no 354")
            sent.abort()
            return
        sock.sendall(b"From: Bench %d <bench%d@kunde.invalid>\r\nTo: support@oo.dk\r\n"
                     b"Subject: Large mail %d\r\nMessage-ID: <bench-%d@kunde.invalid>\r\n\r\n"
                     % (index, index, index, index))
        for _ in range(size_mb * 1024 * 1024 // len(WRITE)):
            sock.sendall(WRITE)
        sent.wait()
        if not finish:
            replies.append("abandoned")
            return  # closed mid-DATA
        sock.sendall(b".\r\n")
        replies.append(answers.readline().decode("ascii", "replace").strip())
        command(b"QUIT\r\n")


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"the daemon exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the listener did not come up in 30 s")


def run(clients: int, size_mb: int, finished: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="oo-listener-memory-") as scratch:
        port = free_port()
        config = write_config(
            Path(scratch) / "oo.toml",
            database_url=f"sqlite:///{scratch}/oo.db",
            extra={"smtp_in": {"enabled": True, "port": port,
                               "max_message_size": (size_mb + 1) * 1024 * 1024,
                               "max_connections": clients + 1,
                               "max_connections_per_client": clients + 1}},
        )
        log = (Path(scratch) / "daemon.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "daemon", "run", "--config", str(config)],
                                cwd=report.REPO, stdout=log, stderr=subprocess.STDOUT,
                                env=clean_env())
        try:
            wait_listening(port, proc)
            sampler = Sampler(proc.pid)
            sampler.start()
            time.sleep(0.5)
            start = dict(sampler.last)
            replies: list[str] = []
            started = time.monotonic()
            listener: dict[str, float] = {}

            def all_sent() -> None:  # the barrier's action: every stream is in DATA
                time.sleep(0.5)  # what was sent last is read by the listener
                listener.update(memory_mb(proc.pid))

            sent = threading.Barrier(clients, action=all_sent)
            threads = [threading.Thread(target=client, args=(
                port, index, size_mb, index < finished, sent, replies))
                for index in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - started
            time.sleep(1.0)  # the abandoned connections' close is seen and freed
            end = dict(sampler.last)
            sampler.stop.set()
            sampler.join()
        finally:
            proc.terminate()
            proc.wait(30)
            log.close()
        daemon_log = (Path(scratch) / "daemon.log").read_text(errors="replace")
    answered = [r for r in replies if r != "abandoned"]
    problems = [f"a finished mail was answered {r!r}" for r in answered if not r.startswith("250")]
    if len(replies) != clients:
        problems.append(f"{clients - len(replies)} clients failed; daemon log: "
                        f"{daemon_log[-1500:]}")
    return {
        "clients": clients, "mb_per_client": size_mb, "finished": len(answered),
        "abandoned": replies.count("abandoned"), "seconds": round(seconds, 1),
        "rss_start_mb": start.get("VmRSS"), "rss_end_mb": end.get("VmRSS"),
        "listener_vmhwm_mb": listener.get("VmHWM"), "listener_rss_mb": listener.get("VmRSS"),
        "peak_rss_sampled_mb": sampler.peak_rss, "vmhwm_mb": end.get("VmHWM"),
        "workers_peak_rss_mb": round(sampler.peak_workers, 1),
        "daemon_and_workers_peak_rss_mb": round(sampler.peak_total, 1),
        "target_mb": TARGET_MB, "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mb", type=int, default=40)
    parser.add_argument("--finished", type=int, default=1)
    parser.add_argument("--results-dir", type=Path)
    args = parser.parse_args(argv)
    result = run(args.clients, args.mb, args.finished)
    result["environment"] = report.environment()
    path = report.write_result("listener_memory", result, args.results_dir)
    print(report.format_table(
        ["clients", "MB each", "finished", "abandoned", "s", "RSS start", "listener peak",
         "target", "peak with ingest", "RSS end", "workers peak", "all peak"],
        [[result["clients"], result["mb_per_client"], result["finished"], result["abandoned"],
          result["seconds"], result["rss_start_mb"], result["listener_vmhwm_mb"], TARGET_MB,
          result["vmhwm_mb"], result["rss_end_mb"], result["workers_peak_rss_mb"],
          result["daemon_and_workers_peak_rss_mb"]]]))
    print(f"result: {path}")
    for problem in result["problems"]:
        print(f"FAILED: {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
