"""When a mail is one we have already (daemon/domain/dedupe.py)."""

from daemon.domain.dedupe import records_arrival, same_mail
from daemon.mail.identity import HEAD_BYTES, date_stamp, variant_key


def test_the_same_identity_naming_another_case_or_answering_another_mail_is_another_mail() -> None:
    """redteam23: one Message-ID, sender and text, reused by a device on a reply."""
    first = (None, "", "", "Mon, 2 Dec 2024 08:00:00 +0100")
    assert same_mail((None, "", "", "Mon, 2 Dec 2024 08:00:00 +0100"), first)  # a re-delivery
    assert not same_mail((100002, "", "", "Mon, 2 Dec 2024 08:00:00 +0100"), first)
    assert not same_mail((None, "<ack@oo.dk>", "<ack@oo.dk>", first[3]), first)


def test_the_same_identity_written_at_another_time_is_another_mail() -> None:
    """review23b: an alarm sent again an hour later, same Message-ID, sender and text."""
    first = (None, "", "", "Mon, 2 Dec 2024 08:00:00 +0100")
    assert not same_mail((None, "", "", "Mon, 2 Dec 2024 09:00:00 +0100"), first)
    assert not same_mail((None, "", "", ""), first)  # a copy with no Date is not that mail


def test_the_date_stamp_is_the_field_as_written_whatever_its_folding() -> None:
    """A re-delivery may be refolded or its line ends converted; a parser may read a
    Date differently from version to version: the stamp reads neither way."""
    one = (b"From: a@b.dk\r\nDate: Mon, 2 Dec 2024\r\n\t08:00:00 +0100\r\nSubject: x\r\n"
           b"\r\nDate: no\r\n")
    other = b"Received: by mx\nDATE:   Mon,  2 Dec 2024 08:00:00 +0100 \nFrom: a@b.dk\n\nbody\n"
    assert date_stamp(one) == date_stamp(other) == "Mon, 2 Dec 2024 08:00:00 +0100"
    assert date_stamp(b"From: a@b.dk\r\n\r\nDate: in the body\r\n") == ""
    assert date_stamp(b"Date: 2 Dec 2024 08:00 +0100\r\nDate: 3 Dec\r\n\r\n") == (
        "2 Dec 2024 08:00 +0100 3 Dec")  # every Date field: a second one is a change too
    far = b"X-Long: " + b"a" * HEAD_BYTES + b"\r\nDate: 2 Dec 2024\r\n\r\n"
    assert date_stamp(far) == ""  # past the head that is read of a stored mail too
    assert date_stamp(b"Date: \xe9t\xe9\r\n\r\n") == "\xe9t\xe9"  # bytes, never raises


def test_a_variant_identity_is_the_same_for_each_delivery_and_apart_from_the_first() -> None:
    key = "mid:" + "0" * 64
    assert variant_key(key, (100002, "", "", "")) == variant_key(key, (100002, "", "", ""))
    assert variant_key(key, (100002, "", "", "")) not in (
        key, variant_key(key, (100003, "", "", "")), variant_key(key, (100002, "", "", "x")))
    assert len(variant_key(key, (1, "x" * 2000, "", "y" * 900))) <= 80  # the column's width


def test_reread_of_the_same_imap_message_is_not_a_second_arrival() -> None:
    assert not records_arrival(("imap:INBOX", 7, 42), ("imap:INBOX", 7, 42))


def test_same_mail_at_another_uid_or_uidvalidity_is_recorded() -> None:
    assert records_arrival(("imap:INBOX", 7, 43), ("imap:INBOX", 7, 42))
    assert records_arrival(("imap:INBOX", 8, 42), ("imap:INBOX", 7, 42))


def test_every_listener_delivery_is_recorded() -> None:
    # the SMTP listener has no UID: a second delivery is always a second arrival
    assert records_arrival(("smtp", None, None), ("smtp", None, None))


def test_two_dates_of_one_sending_are_one_mail_and_hours_apart_are_two() -> None:
    """redteam25a: a Date-less mail dated by the MTA of each path it took, or its Date
    rewritten in another zone, is one sending; the same text an hour later is not."""
    from datetime import UTC, datetime, timedelta

    from daemon.mail.identity import sent_at

    first = (None, "", "", "Mon, 23 Nov 2026 10:00:02 +0100")
    copy = (None, "", "", "23 Nov 2026 09:00:04 -0000")
    at = sent_at(b"Date: Mon, 23 Nov 2026 10:00:02 +0100\r\n\r\n", datetime.now(UTC))
    later = sent_at(b"Date: 23 Nov 2026 09:00:04 -0000\r\n\r\n", datetime.now(UTC))
    assert at is not None and later is not None and later - at == timedelta(seconds=2)
    assert same_mail(copy, first, later, at)
    assert not same_mail(copy, first, at + timedelta(hours=1), at)
    assert not same_mail(copy, first)  # when unknown: the Date as written decides
    assert not same_mail((100002, "", "", copy[3]), first, later, at)  # another case
    arrival = datetime(2026, 11, 23, 9, 0, 9, tzinfo=UTC)
    assert sent_at(b"From: a@b.dk\r\n\r\n", arrival) == arrival  # no Date: its arrival
    assert sent_at(b"Date: Mon, 23 Nov 2026 10:00 +0100\r\nDate: x\r\n\r\n", arrival) is None
    assert sent_at(b"Date: in einer Woche\r\n\r\n", arrival) is None


def test_two_dateless_copies_are_told_apart_by_when_each_arrived() -> None:
    """review25a: with no Date on either copy, the Date stamps are equal ("") whenever
    each came: a UPS's "on battery" an hour later was taken for a re-delivery of the
    first (no case, no ack). Each counts as sent when it arrived: a retry minutes later
    is the same sending, the same text an hour later another (BR-2, BR-3)."""
    from datetime import UTC, datetime, timedelta

    dateless = (None, "", "", "")
    arrived = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert same_mail(dateless, dateless, arrived + timedelta(minutes=3), arrived)
    assert not same_mail(dateless, dateless, arrived + timedelta(hours=1), arrived)
    assert not same_mail(dateless, dateless, arrived - timedelta(days=1), arrived)
    # The sender's own Date, unchanged, is one sending whenever each copy arrived.
    dated = (None, "", "", "Mon, 2 Dec 2024 08:00:00 +0100")
    assert same_mail(dated, dated, arrived + timedelta(days=3), arrived)


def test_sendings_within_same_sending_are_in_one_slot_or_the_next() -> None:
    """pipeline/dedupe.py finds a later sending's copies in its slot and the two beside
    it, and stores it in its own: sound only if these hold."""
    from datetime import UTC, datetime, timedelta

    from daemon.domain.dedupe import SAME_SENDING, sending_slot

    start = datetime(2026, 12, 5, 8, 59, 59, tzinfo=UTC)
    for seconds in range(0, 3 * 3600, 37):
        one = start + timedelta(seconds=seconds)
        for other in (one + SAME_SENDING, one - SAME_SENDING, one + timedelta(seconds=1)):
            assert abs(sending_slot(other) - sending_slot(one)) <= 1
        later = one + timedelta(seconds=seconds % 901)
        if sending_slot(later) == sending_slot(one):
            assert later - one < SAME_SENDING
    zone = datetime(2026, 12, 5, 10, 0, tzinfo=UTC).astimezone()  # the same instant elsewhere
    assert sending_slot(zone) == sending_slot(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
