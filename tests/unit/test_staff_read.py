"""Staff forgeries as whole mails read from the mailbox (redteam23, outside-in
variants of issue 14): `read` decides staff from the parsed mail, so each forgery is
written as bytes, as an attacker would send it, under the trace our border adds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daemon.inbound import InboundMail
from daemon.reading import ReadingRules, read

RULES = ReadingRules("support@oo.dk", "oo.dk", {}, ("oo.dk",), ("mx.oo.dk",))
DELIVERY = "Received: from mx.oo.dk by imap.oo.dk with LMTP; Tue, 24 Nov 2026 11:00:02 +0100\r\n"
BORDER_HOP = (
    "Received: from mail.evil.example (mail.evil.example [192.0.2.9])\r\n"
    "\tby mx.oo.dk (Postfix) with ESMTPS id 4AbC; Tue, 24 Nov 2026 11:00:01 +0100\r\n"
)
PASS = "Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk header.s=sel\r\n"
NONE = "Authentication-Results: mx.oo.dk; dkim=none; spf=none smtp.mailfrom=oo.dk\r\n"
MAIL = (  # every field RFC 5322 allows once, once
    "From: Jens <jens@oo.dk>\r\nSender: jens@oo.dk\r\nReply-To: jens@oo.dk\r\n"
    "To: support@oo.dk\r\nCc: kollega@kunde.dk\r\nSubject: Re: [OO#100001] Printer\r\n"
    "Message-ID: <m1@oo.dk>\r\nIn-Reply-To: <original@kunde.dk>\r\n"
    "References: <original@kunde.dk>\r\nDate: Tue, 24 Nov 2026 11:00:00 +0100\r\n"
)
BODY = "\r\n#status closed\r\nHej\r\n"


def is_staff(raw: str) -> bool:
    return read(InboundMail(raw.encode(), "imap:INBOX", datetime.now(UTC)), RULES).is_staff


def test_the_border_mtas_own_pass_is_staff() -> None:
    assert is_staff(DELIVERY + PASS + BORDER_HOP + MAIL + BODY)


# A signed staff mail replayed with a field added on top: DKIM signs the bottom-most
# instance of a field (RFC 6376 5.4.2), so an added instance passes verification,
# and the mail is read by the topmost one (another case, another thread, other
# recipients). RFC 5322 3.6 allows each of these once.
REPEATED = {
    "Subject": "Subject: Re: [OO#100777] Andet\r\n",
    "In-Reply-To": "In-Reply-To: <other@kunde.dk>\r\n",
    "References": "References: <other@kunde.dk>\r\n",
    "To": "To: victim@kunde.dk\r\n",
    "Cc": "Cc: victim@kunde.dk\r\n",
    "Message-ID": "Message-ID: <m2@oo.dk>\r\n",
    "Date": "Date: Wed, 25 Nov 2026 11:00:00 +0100\r\n",
    "Reply-To": "Reply-To: x@evil.example\r\n",
    "Sender": "Sender: x@evil.example\r\n",
}


@pytest.mark.parametrize("field", REPEATED.values(), ids=REPEATED.keys())
def test_a_mail_with_a_field_that_may_occur_once_occurring_twice_is_not_staff(field: str) -> None:
    assert not is_staff(DELIVERY + PASS + BORDER_HOP + field + MAIL + BODY)


def test_a_repeated_field_flags_the_mail_as_unverified_staff() -> None:
    raw = DELIVERY + PASS + BORDER_HOP + REPEATED["Subject"] + MAIL + BODY
    prepared = read(InboundMail(raw.encode(), "imap:INBOX", datetime.now(UTC)), RULES)
    assert prepared.unverified_staff


def test_a_resent_staff_mail_is_still_staff() -> None:
    """review23b: Resent-* fields come in a block for each resending (RFC 5322 3.6.6),
    so they may repeat; only the fields a mail has once are counted."""
    resent = "".join(
        f"Resent-From: jens@oo.dk\r\nResent-To: support@oo.dk\r\n"
        f"Resent-Date: Tue, 24 Nov 2026 10:5{i}:00 +0100\r\nResent-Message-ID: <r{i}@oo.dk>\r\n"
        for i in range(2)
    )
    assert is_staff(DELIVERY + PASS + BORDER_HOP + resent + MAIL + BODY)


def test_a_staff_mail_whose_name_is_its_own_address_is_staff() -> None:
    """redteam24b: Outlook with no display name set writes `"jens@oo.dk" <jens@oo.dk>`;
    that was read as an ambiguous sender, and the supporter's signed reply, commands
    and all, as a customer's."""
    own_name = MAIL.replace("From: Jens <jens@oo.dk>", 'From: "jens@oo.dk" <jens@oo.dk>')
    assert is_staff(DELIVERY + PASS + BORDER_HOP + own_name + BODY)
    other = MAIL.replace("From: Jens <jens@oo.dk>", 'From: "anna@oo.dk" <jens@oo.dk>')
    assert not is_staff(DELIVERY + PASS + BORDER_HOP + other + BODY)


@pytest.mark.parametrize(
    "from_field",
    ["From: \r\n", "From: undisclosed-recipients:;\r\n", "From: Jens\r\n",
     "From: =?utf-8?q?jens=40oo.dk?=\r\n"],
)
def test_a_staff_address_named_only_outside_the_from_field_is_not_staff(from_field: str) -> None:
    """redteam25a: a From field with no address made the reader fall back to Sender
    (then Reply-To, Return-Path) for the sender, and that address was judged staff. The
    From address is the identity being proven (DMARC aligns on it, and DKIM signs it):
    named only elsewhere, it proves nothing."""
    mail = (MAIL.replace("From: Jens <jens@oo.dk>\r\n", from_field)
            .replace("Sender: jens@oo.dk\r\n", "Sender: jens@oo.dk\r\n"))
    assert not is_staff(DELIVERY + PASS + BORDER_HOP + mail + BODY)
