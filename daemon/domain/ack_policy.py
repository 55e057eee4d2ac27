"""May this new case be acknowledged (loop safety, acks as a spam channel), and what
does its acknowledgement say about our hours (`ack_hours`)?

Anyone can put any address in From:, and every acknowledgement goes from the support
address to that address. Unbounded, that makes the daemon a mail cannon: 360 forged
senders in 7 s were 360 acks. The case is always created; only the ack is held back:

- per address an hour, with sub-addresses folded (`bo+1@x.dk` is `bo@x.dk`), which
  also stops a loop with an autoresponder that does not say it is one (RFC 3834);
- per sender domain an hour, and for all senders together an hour;
- not at all when the border MTA marked the mail as spam, or when its trusted
  Authentication-Results say the sender's domain disowns it (see `forged_sender`).

What an ack says about hours (BR-4, BR-5, BR-7, BR-10, BR-16) is decided by
`ack_hours`: outside normal hours, the closed day it came on by name ("i dag er det
skærtorsdag") rather than the generic hours, and when we are back (the next opening).

Plain functions of plain data; the pipeline counts what was sent and asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.closed_days import closed_day_name
from daemon.domain.domain_names import canonical_domain
from daemon.domain.language import Language
from daemon.domain.staff import topmost_fields, trusted_results


@dataclass(frozen=True)
class AckLimits:
    per_address: int  # an hour, sub-addresses folded
    per_domain: int  # an hour
    total: int  # an hour, all senders


@dataclass
class AcksSent:
    """Acknowledgements sent in the last hour, by folded address and by domain."""

    by_address: dict[str, int] = field(default_factory=dict)
    by_domain: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @classmethod
    def of(cls, recipients: Iterable[str]) -> AcksSent:
        sent = cls()
        for address in recipients:
            sent.count(address)
        return sent

    @classmethod
    def counted(cls, recipients: Iterable[tuple[str, int]]) -> AcksSent:
        """From (address as stored, how many acks it was sent): the same as `of` given
        each address that many times."""
        sent = cls()
        for address, times in recipients:
            sent.count(address, times)
        return sent

    def count(self, address: str, times: int = 1) -> None:
        folded = fold_address(address)
        domain = folded.rpartition("@")[2]
        self.by_address[folded] = self.by_address.get(folded, 0) + times
        self.by_domain[domain] = self.by_domain.get(domain, 0) + times
        self.total += times


def fold_address(address: str) -> str:
    """The mailbox an address delivers to, as far as limits go: lower case, without a
    `+tag` sub-address. (Stored addresses keep their case; this is for counting.)"""
    local, _, domain = address.strip().lower().rpartition("@")
    # The domain in one spelling (an IDN as typed or as xn--): one mailbox, one count.
    if not local:
        return address.strip().lower()
    return f"{local.split('+', 1)[0]}@{canonical_domain(domain)}"


def rate_limited(address: str, sent: AcksSent, limits: AckLimits) -> str | None:
    """Why no ack may go to `address` now (a limit reached), or None."""
    folded = fold_address(address)
    domain = folded.rpartition("@")[2]
    if sent.by_address.get(folded, 0) >= limits.per_address:
        return f"rate limit: {limits.per_address} an hour to {folded}"
    if sent.by_domain.get(domain, 0) >= limits.per_domain:
        return f"rate limit: {limits.per_domain} an hour to {domain}"
    if sent.total >= limits.total:
        return f"rate limit: {limits.total} an hour in all"
    return None


def spam_verdict(
    header_values: Callable[[str], Sequence[str]], verdicts: Mapping[str, str]
) -> str | None:
    """The border MTA's spam verdict, if it gave one: `verdicts` maps a header name to
    the value that means spam (compared case-insensitively, at the start of the value,
    so "Yes, score=12.3" matches "yes"); `header_values(name)` gives every value of a
    header of the mail."""
    for name, spam in verdicts.items():
        for value in header_values(name):
            if value.strip().lower().startswith(spam.strip().lower()):
                return f"marked as spam by the border MTA ({name}: {value.strip()[:40]})"
    return None


# How border MTAs write that the From domain's owner asks for such mail to be refused
# or quarantined: OpenDMARC and Gmail in a comment "(p=reject ...)", Microsoft as
# "action=quarantine|oreject", rspamd "(policy=reject)".
_REFUSING_POLICY = re.compile(
    r"\b(?:p|sp|policy|action)\s*=\s*(?:o?reject|quarantine)\b", re.IGNORECASE
)


def forged_sender(
    sender: str, trace: Sequence[tuple[str, str]], trusted_authserv_ids: Sequence[str]
) -> str | None:
    """Why our border MTA's own Authentication-Results say the From domain disowns this
    mail, or None: DMARC failed for that domain and its policy asks to refuse or
    quarantine such mail, or SPF failed (hard) for that domain itself. An ack would go
    to whoever the forger named as sender."""
    domain = sender.strip().lower().rpartition("@")[2]
    for value in topmost_fields(trace, trusted_authserv_ids):
        for result in trusted_results(value, set(trusted_authserv_ids)) or []:
            about = result.properties.get(
                "header.from" if result.method == "dmarc" else "smtp.mailfrom", ()
            )
            ours = [v for v in about if v.rpartition("@")[2].lower() == domain]
            refused = result.result == "fail" and _REFUSING_POLICY.search(value)
            if result.method == "dmarc" and refused and ours:
                return f"DMARC fails for {domain}, whose policy refuses such mail"
            if result.method == "spf" and result.result == "fail" and ours:
                return f"SPF fails for {domain}"
    return None


@dataclass(frozen=True)
class AckHours:
    """What an acknowledgement says about our hours."""

    outside_hours: bool  # it came outside normal hours (BR-4, BR-5)
    # The closed day it came on, named ("skærtorsdag"; "" for one we cannot name);
    # None on an ordinary day, evening or weekend (then the ack gives the hours).
    closed_day: str | None
    today: bool  # the ack goes out the local day the case came in ("i dag")
    back_at: datetime | None  # the next opening, when it came outside normal hours


def ack_hours(
    calendar: BusinessCalendar, received_at: datetime, now: datetime, language: Language
) -> AckHours:
    """What the ack of a case received at `received_at` and sent at `now` says about
    hours (BR-5: "i dag er det skærtorsdag", and when we are back)."""
    if calendar.is_open(received_at):
        return AckHours(outside_hours=False, closed_day=None, today=True, back_at=None)
    received_day = calendar.to_local(received_at).date()
    return AckHours(
        outside_hours=True,
        closed_day=closed_day_name(calendar, received_day, language),
        today=calendar.to_local(now).date() == received_day,
        back_at=calendar.next_opening(received_at),
    )
