"""When a mail is one we have already (daemon/domain/dedupe.py)."""

from daemon.domain.dedupe import records_arrival, same_mail
from daemon.mail.identity import variant_key


def test_the_same_identity_naming_another_case_or_answering_another_mail_is_another_mail() -> None:
    """redteam23: one Message-ID, sender and text, reused by a device on a reply."""
    first = (None, "", "")
    assert same_mail((None, "", ""), first)  # a re-delivery
    assert not same_mail((100002, "", ""), first)  # "Re: [OO#100002] ..."
    assert not same_mail((None, "<ack@oo.dk>", "<ack@oo.dk>"), first)


def test_a_variant_identity_is_the_same_for_each_delivery_and_apart_from_the_first() -> None:
    key = "mid:" + "0" * 64
    assert variant_key(key, (100002, "", "")) == variant_key(key, (100002, "", ""))
    assert variant_key(key, (100002, "", "")) not in (key, variant_key(key, (100003, "", "")))
    assert len(variant_key(key, (1, "x" * 2000, ""))) <= 80  # the column's width


def test_reread_of_the_same_imap_message_is_not_a_second_arrival() -> None:
    assert not records_arrival(("imap:INBOX", 7, 42), ("imap:INBOX", 7, 42))


def test_same_mail_at_another_uid_or_uidvalidity_is_recorded() -> None:
    assert records_arrival(("imap:INBOX", 7, 43), ("imap:INBOX", 7, 42))
    assert records_arrival(("imap:INBOX", 8, 42), ("imap:INBOX", 7, 42))


def test_every_listener_delivery_is_recorded() -> None:
    # the SMTP listener has no UID: a second delivery is always a second arrival
    assert records_arrival(("smtp", None, None), ("smtp", None, None))
