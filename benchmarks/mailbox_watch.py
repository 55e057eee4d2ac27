"""Watching the mailbox the daemon drains, from a second IMAP session.

IdleWatcher answers "when could the daemon first have known?": it sits in IDLE on
the same folder and notes when the server announces each arrival. That is the floor of
the latency benchmark. Dovecot, for one, holds change notices back for 500 ms
(NOTIFY_DELAY_MSECS in its mailbox-watch code), so the first mail after a quiet spell
cannot be acknowledged sooner than that, whatever the daemon does.
"""

from __future__ import annotations

import bisect
import threading
import time
from email.parser import BytesHeaderParser
from email.policy import compat32

from tests.servers import Dovecot


class IdleWatcher(threading.Thread):
    """A read-only IDLE session on `folder` that notes when (time.time()) the server
    announces new mail: `announcements` is the sorted list of those moments.

    A mail counts as announced at the first announcement after its APPEND completed:
    the server syncs the session's view just before it speaks, so that view includes
    the mail. Counting EXISTS numbers instead does not work: a mail that arrives and is
    moved away by the daemon between two announcements is never announced to this
    session at all, and the count drifts.
    """

    def __init__(self, dovecot: Dovecot, folder: str = "INBOX") -> None:
        super().__init__(name="idle-watcher", daemon=True)
        self.announcements: list[float] = []
        self._stop_event = threading.Event()
        self._client = dovecot.client()
        # EXAMINE: the watcher must never change a flag the daemon might look at.
        self._client.select_folder(folder, readonly=True)
        self._client.idle()  # before start() returns, so no arrival is missed

    def run(self) -> None:
        try:
            while not self._stop_event.is_set():
                responses = self._client.idle_check(timeout=0.2)
                if any(isinstance(r, tuple) and len(r) >= 2 and r[1] == b"EXISTS"
                       for r in responses):
                    self.announcements.append(time.time())
            self._client.idle_done()
        finally:
            self._client.logout()

    def announced_at(self, appended_at: float) -> float | None:
        """When a mail whose APPEND completed at `appended_at` was first announced."""
        index = bisect.bisect_left(self.announcements, appended_at)
        return self.announcements[index] if index < len(self.announcements) else None

    def stop(self) -> None:
        self._stop_event.set()
        self.join(10)


def message_ids_in(dovecot: Dovecot, folder: str) -> list[str]:
    """Message-IDs of the mail now in `folder`, read without changing anything."""
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        if not uids:
            return []
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    parser = BytesHeaderParser(policy=compat32)
    found = []
    for data in fetched.values():
        # The key echoes the section as the server spelled it; take it by its prefix.
        header = next((v for k, v in data.items() if k.startswith(b"BODY[")), b"")
        found.append(str(parser.parsebytes(header).get("Message-ID", "")).strip())
    return found
