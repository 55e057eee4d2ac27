"""When a mail is one we have already (daemon/domain/dedupe.py)."""

from daemon.domain.dedupe import is_repeat, records_arrival


def test_a_mail_stored_already_or_earlier_in_the_batch_is_a_repeat() -> None:
    assert is_repeat("k", {"k"}, set())
    assert is_repeat("k", set(), {"k"})
    assert not is_repeat("k", {"other"}, {"another"})


def test_reread_of_the_same_imap_message_is_not_a_second_arrival() -> None:
    assert not records_arrival(("imap:INBOX", 7, 42), ("imap:INBOX", 7, 42))


def test_same_mail_at_another_uid_or_uidvalidity_is_recorded() -> None:
    assert records_arrival(("imap:INBOX", 7, 43), ("imap:INBOX", 7, 42))
    assert records_arrival(("imap:INBOX", 8, 42), ("imap:INBOX", 7, 42))


def test_every_listener_delivery_is_recorded() -> None:
    # the SMTP listener has no UID: a second delivery is always a second arrival
    assert records_arrival(("smtp", None, None), ("smtp", None, None))
