"""How an IMAP pass cuts its backlog into batches (daemon/sources/imap.py _batches): the
sizes are asked a chunk at a time as the batches are cut, not for the whole backlog
before the first mail is fetched (issue 18), and still cut the batches by bytes."""

from __future__ import annotations

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
