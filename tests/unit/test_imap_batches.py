"""How an IMAP pass cuts its backlog into batches (daemon/sources/imap.py _batches): the
sizes are asked a chunk at a time as the batches are cut, not for the whole backlog
before the first mail is fetched (issue 18), and still cut the batches by bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from daemon.sources import imap


def test_sizes_are_asked_chunk_by_chunk_and_cut_batches_by_bytes() -> None:
    uids = list(range(1, 1201))
    sizes: dict[int, int] = {}
    asked: list[list[int]] = []
    big = imap._MAX_BATCH_BYTES // 2 + 1  # two of these never share a batch

    def size_up(chunk: list[int]) -> None:
        asked.append(chunk)
        sizes.update({uid: big if uid in (700, 701) else 10 for uid in chunk})

    batches = imap._batches(uids, sizes, 100, size_up)
    first = next(batches)
    assert first == list(range(1, 101))
    assert asked == [uids[: imap._SIZE_CHUNK]]  # only the first chunk's sizes so far

    rest = list(batches)
    assert [uid for batch in [first, *rest] for uid in batch] == uids
    assert asked == [uids[i : i + imap._SIZE_CHUNK] for i in range(0, 1200, imap._SIZE_CHUNK)]
    assert all(len(batch) <= 100 for batch in rest)
    assert not any(700 in batch and 701 in batch for batch in rest)


def test_a_batch_is_fetched_in_runs_of_at_most_the_fetch_bytes() -> None:
    """A batch's mails are asked in FETCHes of at most _FETCH_BYTES (a FETCH costs ~3
    times its answer for a moment, issue 18); a mail larger than that alone, the order
    kept, every mail once."""
    sizes = {1: 400, 2: 400, 3: 300, 4: 1500, 5: 100, 6: 800, 7: 100}
    groups = list(imap._fetch_groups(list(range(1, 8)), sizes, 1000))
    assert groups == [[1, 2], [3], [4], [5, 6, 7]]
    assert list(imap._fetch_groups([1, 2, 3], {}, 1000)) == [[1, 2, 3]]  # sizes unknown
    assert list(imap._fetch_groups([], sizes, 1000)) == []


def test_a_flag_change_told_during_a_later_fetch_keeps_the_mail_fetched_before() -> None:
    """Review of issue 18's 1 MB FETCHes: each FETCH's answer also holds the unsolicited
    FETCH responses sent meanwhile (another client read mail 1: "UID 1 FLAGS (\\Seen)").
    Merged by replacing, mail 1's body was dropped and the mail passed over this pass as
    if expunged; its items are kept."""
    at = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    answers = [
        {1: {b"BODY[]": b"one", b"INTERNALDATE": at, b"SEQ": 1}},
        {2: {b"BODY[]": b"two", b"INTERNALDATE": at, b"SEQ": 2},
         1: {b"FLAGS": (b"\\Seen",), b"SEQ": 1}},  # unsolicited: mail 1's flags changed
    ]
    asked: list[list[int]] = []

    def fetch(uids: list[int], items: list[str]) -> dict[int, dict[bytes, Any]]:
        asked.append(uids)
        return answers[len(asked) - 1]

    source = SimpleNamespace(clock=lambda: at, server_time=True)
    client = SimpleNamespace(fetch=fetch)
    sizes = {1: imap._FETCH_BYTES - 10, 2: imap._FETCH_BYTES - 10}  # one FETCH each
    mails = imap.ImapSource._fetch_batch(
        cast("imap.ImapSource", source), cast("Any", client), "INBOX", 7, [1, 2], sizes
    )
    assert asked == [[1], [2]]
    assert [(m.uid, m.raw) for m in mails] == [(1, b"one"), (2, b"two")]
