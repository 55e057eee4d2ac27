"""When a mail is one we have already: the rule behind the pipeline's dedupe step.

A mail's identity is its Message-ID with its sender and content, else the hash of its
bytes (daemon/mail/identity.py `dedupe_key`). A mail whose identity is stored already, or
came earlier in the same batch, changes nothing (BR-2: one inquiry, one case); that is
what makes reading a mailbox again after a crash safe.

But a device or script that sends every mail under one Message-ID and the same text
can still mean another thing by it: a reply that names another case (its reference in
the Subject) or answers other messages (In-Reply-To, References) is another mail, and
was lost as a "duplicate"; so is the same text sent again at another time (an alarm
that fires twice), which carries another Date. Those marks are compared too
(`same_mail`); they are ids, an ASCII tag and the Date field's raw bytes, read the same
by every version of the parser, so a re-read after an upgrade is still known. A true
re-delivery (delivered twice, re-read after a crash, a copy by another path) carries
its sender's Date unchanged.

The Subject is not compared, only the case reference in it: gateways tag the subjects
of mail that reaches them ("[EXTERNAL] ...", "*** SPAM ***"), so one mail by two
delivery paths has two subjects, and would be two cases and two acks (BR-2); a device
that reuses its ids sends its other subjects at other times, which the Date tells.
"""

from __future__ import annotations

# Where a mail was read: (source, UIDVALIDITY, UID); UID None for the SMTP listener.
Position = tuple[str, int | None, int | None]


# What a mail says it belongs to and when it was written: the case reference in its
# Subject, its In-Reply-To, its References (as stored: the ids joined by blanks) and its
# Date field as written (daemon/mail/identity.py `date_stamp`).
ThreadMarks = tuple[int | None, str, str, str]


def same_mail(marks: ThreadMarks, original: ThreadMarks) -> bool:
    """Is a mail of the same identity as `original` a re-delivery of it (else another
    mail: it names another case, answers other messages or was written at another
    time)?"""
    return marks == original


def records_arrival(arrival: Position, original: Position) -> bool:
    """Is a repeat recorded as a re-delivery of `original`? Every one is, except a
    re-read of the very same IMAP message (a crash before its MOVE): that is not a
    second arrival, only a second look."""
    return arrival[2] is None or arrival != original
