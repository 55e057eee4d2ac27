"""Peak memory of the daemon while it drains a backlog with some very large mails.

A fresh Dovecot and database (sandbox.py) get the corpus (benchmarks.corpus, n mails)
plus `--big` mails that each carry one attachment of `--big-mb` MB (random bytes,
base64), spread evenly through the mailbox. Then the daemon drains it as a child
process, the way it runs in production:

    python -m daemon poll --once --no-send --json --config F

so the resident memory measured is the daemon's own, not the benchmark's (which holds
the generator and its attachment bytes). Two figures of the same peak:
  - VmHWM from /proc/<pid>/status, read every 50 ms while the child runs (VmRSS is
    sampled at the same time, for a timeline of where in the pass the memory went);
  - ru_maxrss of that one child from os.wait4() when it exits (the kernel's own count,
    so it also covers the last 50 ms). Linux starts a child's ru_maxrss at its parent's
    high-water mark when it forks (the exec keeps the mark of the memory it replaces),
    so this figure only means something when it is above the benchmark's own peak at
    the start, which is recorded next to it (`parent_hwm_at_spawn_mb`). VmHWM has no such
    floor: it is the peak reported and judged against the target.
For scale, a second `poll --once` over the then empty INBOX gives the daemon's peak
without any mail: start-up, imports, the database and IMAP connections.

Checked, else FAILED and exit 1: the poll exits 0 and its pass report (the JSON it
prints) accounts for every mail with nothing rejected or deferred; as many cases in the
database as the report says `created` (n + big, less the corpus replies that joined a
case and any duplicates or ignored automatic mail); every inbound mail stored; every
big mail stored with its attachment's size; one ack queued per case; INBOX empty.

Issue 18 counts the parsing workers in: the figure judged is the peak of the sum of
VmHWM over the daemon and its descendants alive at the same sample (a worker replaced
after a big mail leaves with its mark). Each process seen is listed with its role
(daemon, parsing worker; forkserver and resource tracker on older code) and its largest
VmHWM, and the sum over every process ever seen is given as an upper bound.

Target: peak RSS < 200 MB through the backlog. Missing it is reported, not a
failure: the figure is what the benchmark is for.

CLI: python -m benchmarks.backlog_memory [--n 10000] [--big 20] [--big-mb 20] [--seed 1]
         [--workers N] [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from benchmarks import corpus_mime as mime
from benchmarks import report
from benchmarks.corpus import END, SUPPORT_ADDRESS, generate
from benchmarks.listener_memory import descendants
from benchmarks.sandbox import Sandbox, benchmark_overrides, sandbox
from daemon.settings import load_settings
from tests.harness import clean_env

TARGET_MB = 200.0  # peak RSS below this through the backlog
SAMPLE_SECONDS = 0.05  # how often /proc/<pid>/status is read
TIMELINE_STEP = 0.5  # the JSON keeps the largest VmRSS per this many seconds
CHILD_TIMEOUT = 3600.0
BIG_ID = "<backlog-big-{index:03d}@bench.oo-support.invalid>"


class BenchmarkFailure(Exception):
    """The drain did not do what it should; its memory figure means nothing."""


# -- the mailbox --------------------------------------------------------------------------


def big_mail(index: int, size_mb: int, seed: int) -> bytes:
    """A customer mail with one `size_mb` MB attachment of random bytes (base64), its own
    sender and Message-ID, so each must become a new case."""
    rng = random.Random(f"{seed}-big-{index}")
    body = mime.text_part(
        f"Hi,\n\nThe scan of the damaged printer is attached ({size_mb} MB).\n\n"
        f"Best regards,\nBig Sender {index}\n", "plain", "us-ascii")
    data = base64.encodebytes(rng.randbytes(size_mb * 1024 * 1024)).decode("ascii")
    attachment = ([("Content-Type", f'application/pdf;\n\tname="scan-{index:03d}.pdf"'),
                   ("Content-Disposition", f'attachment;\n\tfilename="scan-{index:03d}.pdf"'),
                   ("Content-Transfer-Encoding", "base64")], data)
    content_headers, content = mime.multipart(
        "mixed", f"------------big{rng.getrandbits(96):024x}", [body, attachment])
    when = END - timedelta(hours=1, minutes=index)
    headers = [
        ("From", f"Big Sender {index} <big.sender{index}@example.net>"),
        ("To", f"OO Support <{SUPPORT_ADDRESS}>"),
        ("Subject", f"Scanned printer report {index} (large attachment)"),
        ("Date", format_datetime(when)),
        ("Message-ID", BIG_ID.format(index=index)),
        ("MIME-Version", "1.0"),
        *content_headers,
    ]
    return mime.serialize((headers, content)).replace("\n", "\r\n").encode("ascii")


def big_positions(n: int, big: int) -> list[int]:
    """After how many corpus mails each big mail goes: evenly spread, none at the edges."""
    return [int((index + 0.5) * n / big) for index in range(big)]


@dataclass
class Appended:
    mails: int = 0
    bytes: int = 0
    big_bytes: list[int] = field(default_factory=list)


def backlog(n: int, big: int, big_mb: int, seed: int, tally: Appended) -> Iterator[bytes]:
    """The corpus with the big mails in between, counted into `tally` as it is drawn."""
    positions = big_positions(n, big)

    def counted(raw: bytes) -> bytes:
        tally.mails += 1
        tally.bytes += len(raw)
        return raw

    def bigs_at(position: int) -> Iterator[bytes]:
        while positions and positions[0] == position:
            positions.pop(0)
            raw = big_mail(len(tally.big_bytes), big_mb, seed)
            tally.big_bytes.append(len(raw))
            yield counted(raw)

    for count, raw in enumerate(generate(n, seed)):
        yield from bigs_at(count)
        yield counted(raw)
    yield from bigs_at(n)


# -- the daemon as a child process ----------------------------------------------------


@dataclass
class ChildRun:
    exit_code: int
    seconds: float
    stdout: str
    vmhwm_mb: float  # largest VmHWM read while it ran
    ru_maxrss_mb: float  # from wait4: the kernel's peak for this child (see the docstring)
    parent_rss_mb: float  # the benchmark's own VmRSS when it started the child
    # and its VmHWM: the kernel copies the parent's high-water mark into a forked
    # child's ru_maxrss, so ru_maxrss never shows less than this.
    parent_hwm_mb: float
    timeline: list[tuple[float, float]]  # (seconds since start, largest VmRSS MB in step)
    # The daemon's parsing workers (its children) counted in: the peak of
    # the sum of VmHWM over the daemon and its descendants alive at the same moment
    # (a replaced worker's high-water mark leaves with it), and of their VmRSS.
    tree_vmhwm_mb: float = 0.0
    tree_rss_mb: float = 0.0
    most_processes: int = 1
    # Each process seen, by what it is (daemon, forkserver, resource tracker, parsing
    # worker): its largest VmHWM, so the sum can be read process by process.
    processes: list[dict[str, Any]] = field(default_factory=list)
    # The sum of the last-read VmHWM over every process ever seen: an upper bound on
    # the concurrent sum (a worker replaced after a big mail is counted too).
    every_process_vmhwm_mb: float = 0.0


def _memory_mb(pid: int) -> tuple[float, float] | None:
    """(VmRSS, VmHWM) in MB; None once the process is gone or a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS:", "VmHWM:"))}
    if len(values) < 2:
        return None
    return values["VmRSS"] / 1024, values["VmHWM"] / 1024


def _role(pid: int, daemon_pid: int) -> str:
    """What a process of the daemon's tree is, from its command line."""
    if pid == daemon_pid:
        return "daemon"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    for marker, role in (("forkserver", "forkserver"), ("resource_tracker", "resource tracker"),
                         ("parse_worker", "parsing worker")):
        if marker in command:
            return role
    return "parsing worker" if "multiprocessing" in command or "daemon" in command else command


def run_daemon(args: Sequence[str], config: Path, log_path: Path) -> ChildRun:
    """`python -m daemon ARGS --config CONFIG`, its memory watched until it exits."""
    command = [sys.executable, "-m", "daemon", *args, "--config", str(config)]
    buckets: dict[int, float] = {}
    vmhwm = tree_hwm = tree_rss = 0.0
    most = 1
    seen: dict[int, dict[str, Any]] = {}  # pid -> its role and largest VmHWM
    parent = _memory_mb(os.getpid())
    with log_path.open("ab") as log, tempfile.TemporaryFile() as out:
        started = time.monotonic()
        proc = subprocess.Popen(command, cwd=report.REPO, stdout=out, stderr=log,
                                env=clean_env())
        try:
            while True:
                # wait4, not proc.wait(): it returns this child's own resource usage.
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                elapsed = time.monotonic() - started
                if elapsed > CHILD_TIMEOUT:
                    raise BenchmarkFailure(f"{' '.join(args)} still running after "
                                           f"{CHILD_TIMEOUT:.0f} s")
                memory = _memory_mb(proc.pid)
                if memory is not None:
                    step = int(elapsed / TIMELINE_STEP)
                    buckets[step] = max(buckets.get(step, 0.0), memory[0])
                    vmhwm = max(vmhwm, memory[1])
                    tree = [(proc.pid, memory)] + [
                        (child, m) for child in descendants(proc.pid)
                        if (m := _memory_mb(child)) is not None]
                    for pid_, (_rss, hwm) in tree:
                        if pid_ not in seen:
                            seen[pid_] = {"pid": pid_, "role": _role(pid_, proc.pid),
                                          "vmhwm_mb": 0.0, "first_s": round(elapsed, 1)}
                        seen[pid_]["vmhwm_mb"] = round(max(seen[pid_]["vmhwm_mb"], hwm), 1)
                        seen[pid_]["last_s"] = round(elapsed, 1)
                    tree = [m for _pid, m in tree]
                    tree_hwm = max(tree_hwm, sum(m[1] for m in tree))
                    tree_rss = max(tree_rss, sum(m[0] for m in tree))
                    most = max(most, len(tree))
                time.sleep(SAMPLE_SECONDS)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    return ChildRun(
        exit_code=proc.returncode, seconds=seconds, stdout=stdout,
        vmhwm_mb=round(vmhwm, 1),
        ru_maxrss_mb=round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        parent_rss_mb=round(parent[0], 1) if parent else 0.0,
        parent_hwm_mb=round(parent[1], 1) if parent else 0.0,
        timeline=[(round(step * TIMELINE_STEP, 1), round(mb, 1))
                  for step, mb in sorted(buckets.items())],
        tree_vmhwm_mb=round(tree_hwm, 1),
        tree_rss_mb=round(tree_rss, 1),
        most_processes=most,
        processes=list(seen.values()),
        every_process_vmhwm_mb=round(sum(p["vmhwm_mb"] for p in seen.values()), 1),
    )


def _pass_report(child: ChildRun, what: str) -> dict[str, int]:
    if child.exit_code != 0:
        raise BenchmarkFailure(f"{what} exited {child.exit_code}")
    try:
        document: dict[str, int] = json.loads(child.stdout)
    except ValueError:
        raise BenchmarkFailure(f"{what} printed no JSON: {child.stdout[:200]!r}") from None
    return document


# -- checks -------------------------------------------------------------------------------


def verify(box: Sandbox, appended: Appended, big_mb: int, passed: dict[str, int],
           processed_folder: str) -> dict[str, Any]:
    """What the drain must have done; raise BenchmarkFailure listing what it did not."""
    problems: list[str] = []
    mails, big = appended.mails, len(appended.big_bytes)
    if passed.get("total") != mails:
        problems.append(f"pass report {passed} accounts for {passed.get('total')} of {mails}")
    if passed.get("rejected") or passed.get("deferred"):
        problems.append(f"pass report {passed}: rejected or deferred mail")
    # New cases: every mail, less corpus replies that joined a case, duplicates and
    # automatic mail (the corpus has none of the last two, but the report says).
    expected_cases = mails - sum(passed.get(k, 0) for k in ("threaded", "duplicate", "ignored"))
    cases = box.query("SELECT count(*) FROM cases")[0][0]
    inbound = box.query("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0]
    if cases != expected_cases or cases != passed.get("created"):
        problems.append(f"{cases} cases stored, expected {expected_cases} "
                        f"(the pass report says {passed.get('created')} created)")
    if inbound != mails - passed.get("duplicate", 0):
        problems.append(f"{inbound} inbound messages stored, expected "
                        f"{mails - passed.get('duplicate', 0)}")
    big_rows = box.query(
        "SELECT m.case_id IS NOT NULL, a.size FROM messages m"
        " LEFT JOIN attachments a ON a.message_pk = m.id"
        " WHERE m.direction = 'in' AND m.message_id LIKE '<backlog-big-%%'")
    if sorted(big_rows) != [(True, big_mb * 1024 * 1024)] * big:
        problems.append(f"big mails stored as {big_rows}, expected {big} on cases, each "
                        f"with one {big_mb * 1024 * 1024}-byte attachment")
    acks = box.query("SELECT count(*) FROM outbox")[0][0]
    if acks != cases:
        problems.append(f"{acks} acks queued for {cases} new cases")
    inbox = box.dovecot.count("INBOX")
    processed = box.dovecot.count(processed_folder)
    if inbox != 0 or processed != mails:
        problems.append(f"INBOX has {inbox} mails and {processed_folder} {processed}, "
                        f"expected 0 and {mails}")
    if problems:
        raise BenchmarkFailure("; ".join(problems))
    return {"cases": cases, "expected_cases": expected_cases, "inbound": inbound,
            "big_mails_stored": len(big_rows), "acks_queued": acks,
            "inbox_after": inbox, "processed_after": processed}


def _log_problems(path: Path, limit: int = 20) -> str:
    if not path.exists():
        return ""
    lines = [line for line in path.read_text(errors="replace").splitlines()
             if " WARNING " in line or " ERROR " in line or "Traceback" in line]
    return "daemon log:\n" + "\n".join(lines[-limit:]) if lines else "daemon log: no warnings"


# -- one run ------------------------------------------------------------------------------


def measure(n: int, big: int, big_mb: int, seed: int, log_path: Path,
            workers: int | None = None) -> dict[str, Any]:
    with sandbox("backlog") as box:
        # --no-send: no relay; the acks stay queued, as the command promises.
        extra = {"parsing": {"workers": workers}} if workers else None
        config = box.write_config(smtp_out=None, extra=extra)
        migrated = run_daemon(["db", "upgrade"], config, log_path)
        if migrated.exit_code != 0:
            raise BenchmarkFailure(f"db upgrade exited {migrated.exit_code}\n"
                                   f"{_log_problems(log_path)}")
        appended = Appended()
        started = time.monotonic()
        box.dovecot.append("INBOX", backlog(n, big, big_mb, seed, appended))
        append_s = time.monotonic() - started
        drain = run_daemon(["poll", "--once", "--no-send", "--json"], config, log_path)
        empty = run_daemon(["poll", "--once", "--no-send", "--json"], config, log_path)
        try:
            passed = _pass_report(drain, "poll --once")
            again = _pass_report(empty, "the second poll --once")
            if again.get("total"):
                raise BenchmarkFailure(f"the second pass found more mail: {again}")
            checks = verify(box, appended, big_mb, passed,
                            _processed_folder(config))
        except BenchmarkFailure as exc:
            raise BenchmarkFailure(f"{exc}\n{_log_problems(log_path)}") from None
    # VmHWM; ru_maxrss only where no sample was taken (a child done within 50 ms).
    own_peak = drain.vmhwm_mb or drain.ru_maxrss_mb
    # Issue 18: the target counts the parsing workers too (sum of VmHWM).
    peak = max(own_peak, drain.tree_vmhwm_mb)
    return {
        "mails": appended.mails,
        "big_mails": big,
        "big_mail_mb": round(max(appended.big_bytes, default=0) / 1024 / 1024, 1),
        "appended_mb": round(appended.bytes / 1024 / 1024, 1),
        "append_s": round(append_s, 2),
        "seconds": round(drain.seconds, 2),
        "mails_per_s": round(appended.mails / drain.seconds, 1),
        "peak_rss_mb": peak,
        "peak_rss_mb_vmhwm": drain.vmhwm_mb,
        "peak_sum_vmhwm_with_workers_mb": drain.tree_vmhwm_mb,
        "peak_sum_vmrss_with_workers_mb": drain.tree_rss_mb,
        "most_processes": drain.most_processes,
        "processes_seen": len(drain.processes),
        "sum_vmhwm_every_process_mb": drain.every_process_vmhwm_mb,
        "peak_vmhwm_by_role_mb": _by_role(drain.processes),
        "processes": drain.processes,
        "load_average": report.load_average(),
        "peak_rss_mb_ru_maxrss": drain.ru_maxrss_mb,
        "parent_rss_at_spawn_mb": drain.parent_rss_mb,
        # ru_maxrss at or below the parent's RSS may be the parent's, not the daemon's.
        "parent_hwm_at_spawn_mb": drain.parent_hwm_mb,
        # Only then is ru_maxrss the child's own peak (see DrainResult.parent_hwm_mb).
        "ru_maxrss_above_parent": drain.ru_maxrss_mb > drain.parent_hwm_mb,
        "empty_pass_peak_rss_mb": empty.vmhwm_mb or empty.ru_maxrss_mb,
        "target_mb": TARGET_MB,
        "target_met": peak < TARGET_MB,
        "pass_report": passed,
        "checks": checks,
        "problems": [],
        "rss_timeline": drain.timeline,
    }


def _by_role(processes: list[dict[str, Any]]) -> dict[str, float]:
    """The largest VmHWM of any one process of each role."""
    roles: dict[str, float] = {}
    for process in processes:
        roles[process["role"]] = max(roles.get(process["role"], 0.0), process["vmhwm_mb"])
    return roles


def _processed_folder(config: Path) -> str:
    settings = load_settings(config, environ={})
    return settings.imap.processed_folder if settings.imap else ""


def table(result: dict[str, Any]) -> str:
    headers = ("mails", "big", "MB appended", "seconds", "mails/s", "peak RSS MB",
               "sum VmHWM with workers MB", "sum VmRSS MB", "processes", "ru_maxrss MB",
               "empty pass MB", "load", "target met")
    return report.format_table(headers, [[
        result["mails"], result["big_mails"], result["appended_mb"], result["seconds"],
        result["mails_per_s"], result["peak_rss_mb_vmhwm"],
        result["peak_sum_vmhwm_with_workers_mb"], result["peak_sum_vmrss_with_workers_mb"],
        result["most_processes"], result["peak_rss_mb_ru_maxrss"],
        result["empty_pass_peak_rss_mb"], result["load_average"],
        "yes" if result["target_met"] else "NO"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backlog_memory",
                                     description="The daemon's peak RSS draining a backlog")
    parser.add_argument("--n", type=int, default=10_000, help="corpus mails")
    parser.add_argument("--big", type=int, default=20, help="mails with a big attachment")
    parser.add_argument("--big-mb", type=int, default=20, help="each big attachment, MB")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--workers", type=int,
                        help="[parsing] workers (default: the daemon's)")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    args = parser.parse_args(argv)
    if args.n < 1 or args.big < 0 or args.big_mb < 1:
        parser.error("--n and --big-mb must be at least 1, --big at least 0")

    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = report.timestamp()
    log_path = args.results_dir / f"backlog_memory-{stamp}.daemon.log"
    document: dict[str, Any] = {
        "benchmark": "backlog_memory", "n": args.n, "big": args.big, "big_mb": args.big_mb,
        "seed": args.seed, "workers": args.workers, "environment": report.environment(),
        "config_overrides": benchmark_overrides(), "daemon_log": str(log_path),
    }
    print(f"backlog-memory benchmark: {args.n} corpus mails + {args.big} x {args.big_mb} MB "
          f"attachments, seed {args.seed}", flush=True)
    try:
        document["result"] = measure(args.n, args.big, args.big_mb, args.seed, log_path,
                                     args.workers)
    except BenchmarkFailure as exc:
        document["error"] = str(exc)
        document["result"] = {"problems": [str(exc)]}
        path = report.write_result("backlog_memory", document, args.results_dir, stamp)
        print(f"FAILED: {exc}\nresult: {path}", file=sys.stderr)
        return 1
    result = document["result"]
    print()
    print(table(result))
    verdict = "met" if result["target_met"] else "NOT met"
    print("largest VmHWM per process, by role (MB): " + ", ".join(
        f"{role} {mb}" for role, mb in result["peak_vmhwm_by_role_mb"].items())
        + f"; {result['processes_seen']} processes seen, the sum of every one's VmHWM "
        f"{result['sum_vmhwm_every_process_mb']} MB")
    print(f"target peak RSS < {TARGET_MB:.0f} MB: {verdict}")
    print(f"result: {report.write_result('backlog_memory', document, args.results_dir, stamp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
