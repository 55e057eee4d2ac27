"""Delivery status notifications (RFC 3464) name the message that bounced and why."""

import base64
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail.dsn import Bounce, read_bounce

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

POSTFIX_BOUNCE = b"""\
Return-Path: <>
Received: by mx.oo.dk (Postfix)
\tid 4Vt8Xb0Qz1z9sVL; Mon,  3 Jun 2024 10:15:20 +0200 (CEST)
Date: Mon,  3 Jun 2024 10:15:20 +0200 (CEST)
From: MAILER-DAEMON@mx.oo.dk (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@oo.dk
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Vt8Xb0Qz1z9sVL.1717402520/mx.oo.dk"
Content-Transfer-Encoding: 8bit
Message-Id: <20240603081520.1A2B3C4D5E@mx.oo.dk>

This is a MIME-encapsulated message.

--4Vt8Xb0Qz1z9sVL.1717402520/mx.oo.dk
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.oo.dk.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<nobody@kunde.dk>: host mx.kunde.dk[192.0.2.10] said: 550 5.1.1
    <nobody@kunde.dk>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4Vt8Xb0Qz1z9sVL.1717402520/mx.oo.dk
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.oo.dk
X-Postfix-Queue-ID: 4Vt8Xb0Qz1z9sVL
X-Postfix-Sender: rfc822; support@oo.dk
Arrival-Date: Mon,  3 Jun 2024 10:15:18 +0200 (CEST)

Final-Recipient: rfc822; nobody@kunde.dk
Original-Recipient: rfc822;nobody@kunde.dk
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.kunde.dk
Diagnostic-Code: smtp; 550 5.1.1 <nobody@kunde.dk>: Recipient address rejected:
    User unknown in virtual mailbox table

--4Vt8Xb0Qz1z9sVL.1717402520/mx.oo.dk
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

Return-Path: <support@oo.dk>
Received: from app.oo.dk (app.oo.dk [192.0.2.5])
\tby mx.oo.dk (Postfix) with ESMTPS id 4Vt8Xb0Qz1z9sVL
\tfor <nobody@kunde.dk>; Mon,  3 Jun 2024 10:15:18 +0200 (CEST)
From: OneOffice Support <support@oo.dk>
To: nobody@kunde.dk
Subject: [OO#100042] Vi har modtaget din henvendelse
Message-ID: <oo.100042.1a2b3c@support.oo.dk>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hej. Vi har modtaget din henvendelse og har givet den nummer 100042.

--4Vt8Xb0Qz1z9sVL.1717402520/mx.oo.dk--
"""

# Exchange Online: a human part in two forms, the report, and only the returned headers.
EXCHANGE_NDR = b"""\
From: postmaster@kunde.onmicrosoft.com
To: support@oo.dk
Date: Mon, 3 Jun 2024 08:15:21 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="b7c4a2f9-5d1e-4b0e-9d4a-6b1f0c7e2a11"
MIME-Version: 1.0
Message-ID: <a1b2c3d4-e5f6@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>
Subject: Undeliverable: [OO#100042] Vi har modtaget din henvendelse
Auto-Submitted: auto-replied

--b7c4a2f9-5d1e-4b0e-9d4a-6b1f0c7e2a11
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="d5e6f7a8-1234-4cde-9abc-0123456789ab"

--d5e6f7a8-1234-4cde-9abc-0123456789ab
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Your message to nobody@kunde.dk couldn't be delivered.
nobody wasn't found at kunde.dk.

--d5e6f7a8-1234-4cde-9abc-0123456789ab
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Your message to nobody@kunde.dk couldn't be delivered.</p></body></html>

--d5e6f7a8-1234-4cde-9abc-0123456789ab--

--b7c4a2f9-5d1e-4b0e-9d4a-6b1f0c7e2a11
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;mx.oo.dk
Arrival-Date: Mon, 3 Jun 2024 08:15:20 +0000

Original-Recipient: rfc822;nobody@kunde.dk
Final-Recipient: rfc822;nobody@kunde.dk
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient
 nobody@kunde.dk not found by SMTP address lookup

--b7c4a2f9-5d1e-4b0e-9d4a-6b1f0c7e2a11
Content-Type: text/rfc822-headers

Received: from mx.oo.dk (192.0.2.1) by AM0PR01MB1234.eurprd01.prod.exchangelabs.com
 with Microsoft SMTP Server id 15.20.7633.0; Mon, 3 Jun 2024 08:15:20 +0000
From: OneOffice Support <support@oo.dk>
To: <nobody@kunde.dk>
Subject: [OO#100042] Vi har modtaget din henvendelse
Date: Mon, 3 Jun 2024 10:15:18 +0200
Message-ID: <oo.100042.1a2b3c@support.oo.dk>
MIME-Version: 1.0

--b7c4a2f9-5d1e-4b0e-9d4a-6b1f0c7e2a11--
"""

POSTFIX_DELAYED = b"""\
Return-Path: <>
From: MAILER-DAEMON@mx.oo.dk (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: support@oo.dk
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4VtDelay.1717420000/mx.oo.dk"
Message-Id: <20240603131520.9F8E7D6C5B@mx.oo.dk>

--4VtDelay.1717420000/mx.oo.dk
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.oo.dk.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

--4VtDelay.1717420000/mx.oo.dk
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.oo.dk
X-Postfix-Queue-ID: 4VtDelay
Arrival-Date: Mon,  3 Jun 2024 10:15:18 +0200 (CEST)

Final-Recipient: rfc822; it@langsom.dk
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.langsom.dk[192.0.2.20]:25: Connection
    timed out
Will-Retry-Until: Fri,  7 Jun 2024 10:15:18 +0200 (CEST)

--4VtDelay.1717420000/mx.oo.dk
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <support@oo.dk>
From: OneOffice Support <support@oo.dk>
To: it@langsom.dk
Subject: [OO#100043] Vi har modtaget din henvendelse
Message-ID: <oo.100043.9f8e7d@support.oo.dk>

--4VtDelay.1717420000/mx.oo.dk--
"""

PLAIN_MAIL = b"""\
From: Mette <mette@firma.dk>
To: support@oo.dk
Subject: Printer
Message-ID: <abc@firma.dk>
Content-Type: text/plain; charset=utf-8

Action: failed
Status: 5.1.1
"""

READ_RECEIPT = b"""\
From: Mette <mette@firma.dk>
To: support@oo.dk
Subject: Read: [OO#100042] Printer
Content-Type: multipart/report; report-type=disposition-notification; boundary="rr"

--rr
Content-Type: text/plain

Your message was read.

--rr
Content-Type: message/disposition-notification

Reporting-UA: firma.dk; Outlook
Final-Recipient: rfc822;mette@firma.dk
Original-Message-ID: <oo.100042.1a2b3c@support.oo.dk>
Disposition: manual-action/MDN-sent-manually; displayed

--rr--
"""


def test_postfix_bounce() -> None:
    assert read_bounce(POSTFIX_BOUNCE) == Bounce(
        original_message_id="<oo.100042.1a2b3c@support.oo.dk>",
        status="5.1.1",
        action="failed",
        recipient="nobody@kunde.dk",
        diagnostic=(
            "550 5.1.1 <nobody@kunde.dk>: Recipient address rejected:"
            " User unknown in virtual mailbox table"
        ),
    )


def test_exchange_ndr_with_only_the_returned_headers() -> None:
    assert read_bounce(EXCHANGE_NDR) == Bounce(
        original_message_id="<oo.100042.1a2b3c@support.oo.dk>",
        status="5.1.10",
        action="failed",
        recipient="nobody@kunde.dk",
        diagnostic=(
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient"
            " nobody@kunde.dk not found by SMTP address lookup"
        ),
    )


def test_a_delay_notice_says_delayed_not_failed() -> None:
    bounce = read_bounce(POSTFIX_DELAYED)
    assert bounce is not None
    assert bounce.action == "delayed"
    assert bounce.status == "4.4.1"
    assert bounce.original_message_id == "<oo.100043.9f8e7d@support.oo.dk>"
    assert bounce.recipient == "it@langsom.dk"
    assert bounce.diagnostic == "connect to mx.langsom.dk[192.0.2.20]:25: Connection timed out"


def test_a_mail_that_is_not_a_report_is_not_a_bounce() -> None:
    assert read_bounce(PLAIN_MAIL) is None


def test_a_read_receipt_is_not_a_bounce() -> None:
    assert read_bounce(READ_RECEIPT) is None


def test_crlf_line_endings_are_read() -> None:
    bounce = read_bounce(POSTFIX_BOUNCE.replace(b"\n", b"\r\n"))
    assert bounce is not None
    assert bounce.original_message_id == "<oo.100042.1a2b3c@support.oo.dk>"
    assert bounce.action == "failed"


def test_the_first_failed_recipient_is_reported() -> None:
    raw = POSTFIX_BOUNCE.replace(
        b"Final-Recipient: rfc822; nobody@kunde.dk",
        b"Final-Recipient: rfc822; ok@kunde.dk\nAction: delivered\nStatus: 2.0.0\n\n"
        b"Final-Recipient: rfc822; nobody@kunde.dk",
    )
    bounce = read_bounce(raw)
    assert bounce is not None
    assert (bounce.recipient, bounce.action) == ("nobody@kunde.dk", "failed")


def test_without_a_returned_message_id_the_reports_own_id_is_not_taken() -> None:
    raw = POSTFIX_BOUNCE.replace(b"Message-ID: <oo.100042.1a2b3c@support.oo.dk>\n", b"")
    bounce = read_bounce(raw)
    assert bounce is not None
    assert bounce.original_message_id is None
    assert bounce.action == "failed"


def test_a_base64_encoded_returned_headers_part_is_read() -> None:
    headers = b"From: support@oo.dk\nMessage-ID: <b64@support.oo.dk>\n"
    start = EXCHANGE_NDR.index(b"Content-Type: text/rfc822-headers")
    end = EXCHANGE_NDR.rindex(b"--b7c4a2f9")
    raw = (
        EXCHANGE_NDR[:start]
        + b"Content-Type: text/rfc822-headers\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(headers)
        + b"\n"
        + EXCHANGE_NDR[end:]
    )
    bounce = read_bounce(raw)
    assert bounce is not None
    assert bounce.original_message_id == "<b64@support.oo.dk>"


def test_the_internationalised_report_type_is_read() -> None:
    raw = POSTFIX_BOUNCE.replace(
        b"Content-Type: message/delivery-status", b"Content-Type: message/global-delivery-status"
    )
    bounce = read_bounce(raw)
    assert bounce is not None
    assert (bounce.status, bounce.action, bounce.recipient) == (
        "5.1.1",
        "failed",
        "nobody@kunde.dk",
    )


def test_sendmail_bounce_from_the_rt_corpus() -> None:
    assert read_bounce((CORPUS / "rt" / "multipart-report").read_bytes()) == Bounce(
        original_message_id="<200308221615.h7MGFGac020135@mx12.other.example.com>",
        status="5.1.1",
        action="failed",
        recipient="jesmund@mailbox.other.example.com",
        diagnostic="550 5.1.1 <jesmund>... User unknown",
    )


def test_report_without_report_type_from_the_cpython_corpus() -> None:
    # Sun Internet Mail Server left out report-type; the delivery-status part is there.
    assert read_bounce((CORPUS / "cpython" / "msg_16.txt").read_bytes()) == Bounce(
        original_message_id="<002001c144a6$8752e060$56104586@oxy.edu>",
        status="5.0.0",  # written "5.0.0 (recipient reached disk quota)"
        action="failed",
        recipient="jangel1@cougar.noc.ucla.edu",
        diagnostic=None,
    )


def test_report_with_a_broken_boundary_gives_what_it_can_without_raising() -> None:
    # msg_25: the boundary parameter is cut off, so no part can be found.
    assert read_bounce((CORPUS / "cpython" / "msg_25.txt").read_bytes()) == Bounce(
        None, None, None, None, None
    )


@pytest.mark.parametrize("cut", [100, 900, 1500, 2000, 2500, 3000])
def test_a_truncated_bounce_never_raises(cut: int) -> None:
    bounce = read_bounce(POSTFIX_BOUNCE[:cut])
    assert bounce is None or isinstance(bounce, Bounce)


@given(st.binary(max_size=2000))
def test_any_bytes_never_raise(raw: bytes) -> None:
    bounce = read_bounce(raw)
    assert bounce is None or isinstance(bounce, Bounce)


@given(st.binary(max_size=200), st.integers(min_value=0, max_value=len(EXCHANGE_NDR)))
def test_a_damaged_report_never_raises(noise: bytes, at: int) -> None:
    bounce = read_bounce(EXCHANGE_NDR[:at] + noise + EXCHANGE_NDR[at:])
    assert bounce is None or isinstance(bounce, Bounce)
