"""DKIM signatures the SMTP listener verifies itself (dkimpy, with our own key and DNS)."""

from __future__ import annotations

import pytest
from dkim_keys import DkimKey

from daemon.mail.dkim_check import verified_staff_signers

STAFF = ["oo.dk"]


def staff_mail(sender: str = "Jens <jens@oo.dk>", body: bytes = b"#priority high\r\n") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@oo.dk\r\nSubject: Re: [OO#100001] x\r\n"
        "Message-ID: <m1@oo.dk>\r\n\r\n"
    ).encode() + body


@pytest.fixture(scope="module")
def key() -> DkimKey:
    return DkimKey("oo.dk")


def test_a_valid_signature_of_the_from_domain_is_found(key: DkimKey) -> None:
    assert verified_staff_signers(key.sign(staff_mail()), STAFF, key.lookup) == {"oo.dk"}


def test_a_changed_body_or_from_is_not_valid(key: DkimKey) -> None:
    signed = key.sign(staff_mail())
    assert verified_staff_signers(signed.replace(b"high", b"low"), STAFF, key.lookup) == set()
    forged_from = signed.replace(b"jens@oo.dk", b"mette@oo.dk")
    assert verified_staff_signers(forged_from, STAFF, key.lookup) == set()


def test_a_second_from_field_added_above_the_signed_one_is_not_valid(key: DkimKey) -> None:
    signed = key.sign(staff_mail())
    assert verified_staff_signers(b"From: boss@oo.dk\r\n" + signed, STAFF, key.lookup) == set()


def test_a_key_that_dns_does_not_have_is_not_valid(key: DkimKey) -> None:
    other = DkimKey("oo.dk", selector="sel2026")  # same name, another key pair
    signed = other.sign(staff_mail())
    assert verified_staff_signers(signed, STAFF, key.lookup) == set()


def test_customer_mail_costs_no_lookup(key: DkimKey) -> None:
    firma = DkimKey("firma.dk")
    key.lookups.clear()
    mail = firma.sign(staff_mail(sender="kunde@firma.dk"))
    assert verified_staff_signers(mail, STAFF, key.lookup) == set()
    # A staff signature on a mail whose From is someone else's: not looked up either.
    mail = key.sign(staff_mail(sender="kunde@firma.dk"))
    assert verified_staff_signers(mail, STAFF, key.lookup) == set()
    assert key.lookups == []


def test_a_body_length_limit_is_no_evidence(key: DkimKey) -> None:
    signed = key.sign(staff_mail(), length=True) + b"appended by anyone\r\n"
    assert verified_staff_signers(signed, STAFF, key.lookup) == set()


def test_at_most_three_signatures_are_tried(key: DkimKey) -> None:
    signed = staff_mail()
    for _ in range(5):
        signed = DkimKey("oo.dk").sign(signed)  # keys DNS does not know
    key.lookups.clear()
    assert verified_staff_signers(signed, STAFF, key.lookup) == set()
    assert len(key.lookups) == 3


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"From: jens@oo.dk\r\nDKIM-Signature: d=oo.dk\r\n\r\nx",
        b"From: jens@oo.dk\r\nDKIM-Signature: v=1; d=oo.dk; d=oo.dk\r\n\r\nx",
        b"From: jens@oo.dk\r\nDKIM-Signature: v=1; a=rsa-sha256; d=oo.dk; s=s; h=from;"
        b" bh=x; b=y\r\n\x00\xff: bad\r\n\r\nx",
    ],
)
def test_broken_mail_or_signatures_are_not_valid_and_do_not_raise(raw: bytes, key: DkimKey) -> None:
    assert verified_staff_signers(raw, STAFF, key.lookup) == set()


@pytest.mark.parametrize("added", [b"In-Reply-To: <eva1@andet.dk>\r\n",
                                   b"References: <eva1@andet.dk>\r\n",
                                   b"in-reply-to:<eva1@andet.dk>\r\n"])
def test_a_threading_field_the_signature_does_not_cover_is_no_proof(
    key: DkimKey, added: bytes
) -> None:
    """review24b: In-Reply-To/References choose the case a staff mail acts on, and a
    signer need not sign them (RFC 6376 5.4.1). A signed staff mail with no [OO#n] in its
    subject, replayed with one added on top, still verified and acted on the case it
    named (another customer's). A mail whose threading fields are all signed is proof."""
    untagged = staff_mail().replace(b"Re: [OO#100001] x", b"Re: Printeren")
    signed = key.sign(untagged)
    assert verified_staff_signers(signed, STAFF, key.lookup) == {"oo.dk"}
    assert verified_staff_signers(added + signed, STAFF, key.lookup) == set()
    answering = key.sign(added + untagged)  # the signer signs the field it was given
    assert verified_staff_signers(answering, STAFF, key.lookup) == {"oo.dk"}
    assert verified_staff_signers(added + answering, STAFF, key.lookup) == set()


def test_with_a_case_in_the_subject_an_unsigned_in_reply_to_is_left_to_the_threading(
    key: DkimKey,
) -> None:
    """The subject's [OO#n] names the case; a staff mail whose headers name another
    customer's case is held back there (case_threading.staff_names_two_cases), so the
    signature stays proof (test_listener_staff: the replay keeps Søren's case closed)."""
    signed = key.sign(staff_mail())
    added = b"In-Reply-To: <eva1@andet.dk>\r\n" + signed
    assert verified_staff_signers(added, STAFF, key.lookup) == {"oo.dk"}
