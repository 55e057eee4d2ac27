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

One sending may still carry two Dates: a device that writes none has one added by each
MTA its mail passes, so a mail that reaches the desk by two paths (two servers, the
mailbox and the listener) is dated twice, seconds apart; a server may rewrite the Date
in its own zone (the same instant, written otherwise). Compared as written, those were
two or three cases and acks for one sending. So two Dates that are instants within
SAME_SENDING of each other are one sending, and a copy with no Date counts as sent when
it arrived. So do two copies both without a Date (review25a): their stamps are equal
("") whenever each came, and a UPS, printer or cron job that writes neither Date nor
Message-ID sends the same text again an hour or a day later, each time an inquiry of
its own (BR-2, BR-3); compared as written, the second and every later one were taken
for re-deliveries of the first, with no case and no ack. A true re-delivery of one
sending comes within SAME_SENDING of it: a client's retry after a lost answer (minutes),
a copy by another path (seconds); a re-read of the same IMAP message keeps its
INTERNALDATE, and is known by its UID whenever it comes (pipeline/dedupe.py). A device
that sends the same id and text again within minutes is one inquiry (BR-2): its repeat
is recorded as a re-delivery, and listed.

The Subject is not compared, only the case reference in it: gateways tag the subjects
of mail that reaches them ("[EXTERNAL] ...", "*** SPAM ***"), so one mail by two
delivery paths has two subjects, and would be two cases and two acks (BR-2); a device
that reuses its ids sends its other subjects at other times, which the Date tells.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Where a mail was read: (source, UIDVALIDITY, UID); UID None for the SMTP listener.
Position = tuple[str, int | None, int | None]


# What a mail says it belongs to and when it was written: the case reference in its
# Subject, its In-Reply-To, its References (as stored: the ids joined by blanks) and its
# Date field as written (daemon/mail/identity.py `date_stamp`).
ThreadMarks = tuple[int | None, str, str, str]


# How far apart two Dates of one sending may be: MTAs on two paths date a Date-less
# mail as it reaches each (seconds apart; a queue or greylisting can hold one some
# minutes), and a copy with no Date is dated by its arrival.
SAME_SENDING = timedelta(minutes=15)


def same_mail(
    marks: ThreadMarks,
    original: ThreadMarks,
    sent: datetime | None = None,
    original_sent: datetime | None = None,
) -> bool:
    """Is a mail of the same identity as `original` a re-delivery of it (else another
    mail: it names another case, answers other messages or was written at another
    time)? `sent`, `original_sent`: when each was sent, if known (identity.sent_at):
    Dates written differently but within SAME_SENDING are one sending, and so are two
    copies without a Date that arrived within SAME_SENDING of each other."""
    if marks[:3] != original[:3]:
        return False
    if marks[3] == original[3] and marks[3]:
        return True  # the sender's own Date, unchanged: one sending whenever it came
    # Dates written otherwise, or none on either copy (each then sent when it arrived)
    return (
        sent is not None
        and original_sent is not None
        and abs(sent - original_sent) <= SAME_SENDING
    )


def sending_slot(sent: datetime) -> int:
    """Which SAME_SENDING-long slot of time `sent` falls in: two sendings of one slot
    are within SAME_SENDING of each other, and one within SAME_SENDING of a sending is
    in its slot or one beside it (pipeline/dedupe.py looks there)."""
    return int(sent.timestamp() // SAME_SENDING.total_seconds())


def records_arrival(arrival: Position, original: Position) -> bool:
    """Is a repeat recorded as a re-delivery of `original`? Every one is, except a
    re-read of the very same IMAP message (a crash before its MOVE): that is not a
    second arrival, only a second look."""
    return arrival[2] is None or arrival != original
