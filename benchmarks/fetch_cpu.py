"""The CPU of fetching a mail with imapclient, with imaplib's trace at the level
IMAPClient sets (5) and off (0), as the daemon's connection now has it (issue 18, ack18).

n corpus mails in a private Dovecot; UID FETCH BODY.PEEK[] INTERNALDATE in groups of
~1 MB as daemon/sources/imap.py asks them; `time.thread_time` of all the groups, each
level in turn, `--rounds` times; and, by wrapping imaplib's methods, the part of it spent
in `_append_untagged` and `_untagged_response` (where the trace formats each literal's
and each answer's repr) and in imapclient's `parse_fetch_response`.

CLI: python -m benchmarks.fetch_cpu [--n 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import imaplib
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from imapclient import IMAPClient
from imapclient import imapclient as imapclient_module

from benchmarks import report
from benchmarks.corpus import generate
from benchmarks.sandbox import sandbox

_GROUP_BYTES = 1024 * 1024  # daemon/sources/imap.py _FETCH_BYTES


def _timing(owner: Any, name: str, spent: dict[str, float]) -> None:
    call: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] += time.thread_time() - started

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch_cpu")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    spent: dict[str, float] = defaultdict(float)
    for name in ("_append_untagged", "_untagged_response"):
        _timing(imaplib.IMAP4, name, spent)
    _timing(imapclient_module, "parse_fetch_response", spent)
    with sandbox("fetch-cpu") as box:
        box.dovecot.append("INBOX", generate(args.n, 1))
        imap = box.dovecot
        client = IMAPClient(imap.host, port=imap.port, ssl=False, timeout=120)
        client.login(imap.user, imap.password)
        client.select_folder("INBOX", readonly=True)
        sizes = client.fetch(client.search("ALL"), ["RFC822.SIZE"])
        groups: list[list[int]] = [[]]
        size = 0
        for uid, items in sorted(sizes.items()):
            if groups[-1] and size + items[b"RFC822.SIZE"] > _GROUP_BYTES:
                groups.append([])
                size = 0
            groups[-1].append(uid)
            size += items[b"RFC822.SIZE"]
        for group in groups:  # warm Dovecot's cache and indexes first
            client.fetch(group, ["BODY.PEEK[]", "INTERNALDATE"])
        for _ in range(args.rounds):
            for level in (5, 0):
                client._imap.debug = level
                spent.clear()
                started = time.thread_time()
                for group in groups:
                    client.fetch(group, ["BODY.PEEK[]", "INTERNALDATE"])
                used = time.thread_time() - started
                parts = ", ".join(f"{name} {1000 * s / args.n:.3f}" for name, s in spent.items())
                print(f"n={args.n} load={report.load_average()} imaplib debug={level}: "
                      f"{1000 * used / args.n:.3f} ms a mail ({parts})")
        client.logout()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
