"""Which case a mail belongs to (threading), and who may join a case by its tag.

A mail names a case by the reference in its Subject (`[OO#n]`, behind any Re:/SV:/
AW:/VS:/Fwd:) or by In-Reply-To/References to a message of the case. Headers win, but
neither lets just anyone in: a tag is a number anyone can type, and a Message-ID leaks
(a forwarded mail, a Cc'd outsider). Only people who belong to the case join it: its
participants (From/To/Cc seen on it), its customer's domain, and verified staff.
Anyone else gets a new case and learns nothing about the one they named. "Its customer's
domain" means a registered customer's domain: on a freemail domain, a colleague is
any stranger.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from daemon.domain.domain_names import canonical_domain


@dataclass(frozen=True)
class CaseView:
    """What the threading rules need to know about a case."""

    id: int
    number: int
    status: str
    customer_email: str
    customer_domain: str
    resolved_at: datetime | None
    participants: frozenset[str]
    # A registered customer's domain is theirs; gmail.com is everybody's.
    registered_customer: bool = False
    # The long-closed case a customer's reply opened this one from (Route.NEW_LINKED).
    linked_case_id: int | None = None


class Route(StrEnum):
    NEW = "new"  # a new case
    JOIN = "join"  # a message on an existing case
    REOPEN = "reopen"  # joins a closed case and reopens it
    NEW_LINKED = "new_linked"  # a new case that links the (long closed) one it names


@dataclass(frozen=True)
class Threading:
    route: Route
    case: CaseView | None = None
    why: str = ""


def may_join(sender: str, case: CaseView, is_staff: bool, sender_ambiguous: bool = False) -> bool:
    """May `sender` add to `case`? Staff, its participants, and (for a registered
    customer) anyone of its domain; an ambiguous sender only as a participant, since
    which address really sent it is a guess."""
    sender = sender.lower()
    if is_staff or sender in case.participants or sender == case.customer_email.lower():
        return True
    same_domain = canonical_domain(sender.rpartition("@")[2]) == canonical_domain(
        case.customer_domain
    )
    return case.registered_customer and same_domain and not sender_ambiguous


def thread(
    *,
    sender: str,
    is_staff: bool,
    by_headers: CaseView | None,
    by_tag: CaseView | None,
    now: datetime,
    reopen_within: timedelta,
    sender_ambiguous: bool = False,
) -> Threading:
    """Where a mail goes; `by_headers`/`by_tag` are the cases its headers/subject name.

    Headers win over the tag, but neither lets a stranger in: a Message-ID of a case
    can leak (a forwarded mail, a Cc'd outsider), and whoever holds one must not be
    able to add to, or reopen, another customer's case. A verified staff mail whose
    headers and subject name two customers' cases is held back by the route step
    (`staff_names_two_cases`): that also stops a signed staff mail replayed with an
    In-Reply-To added (DKIM need not sign it, RFC 6376 5.4.1) from acting on another
    customer's case.
    """
    named = [(by_headers, "In-Reply-To/References"), (by_tag, "subject reference")]
    allowed = [
        (case, why)
        for case, why in named
        if case is not None and may_join(sender, case, is_staff, sender_ambiguous)
    ]
    if not allowed:
        refused = by_headers or by_tag
        if refused is None:
            return Threading(Route.NEW)
        return Threading(Route.NEW, why=f"{sender} may not join case {refused.number}")
    case, why = allowed[0]
    if case.status != "closed" or is_staff:
        return Threading(Route.JOIN, case, why)
    if within_reopen_window(case.resolved_at, now, reopen_within):
        return Threading(Route.REOPEN, case, why)
    return Threading(Route.NEW_LINKED, case, f"case {case.number} closed too long ago")


def staff_names_two_cases(by_headers: CaseView | None, by_tag: CaseView | None) -> str | None:
    """Why a verified staff mail cannot be applied or relayed, or None: its
    In-Reply-To/References name one customer's case and its subject's reference
    another customer's.

    For a customer the headers win (`thread`): their mail only reaches staff. A staff
    mail is relayed to a customer and its commands close cases and log billed time,
    so a guess could send one customer's answer to another customer (a reply to an
    old mail of case A, its subject changed to case B). Neither is taken: the mail is
    kept as an internal note on the case its subject names (what the writer saw) and
    the writer is told.

    Two cases of the same customer are no such risk, and are common: a reply to a
    long-closed case opens a new case linked to it (Route.NEW_LINKED), whose mails
    still carry the old reference in their subject. There the headers win as for
    any mail: they name the mail answered, in the case it was stored in. So too when
    the reply was a colleague's (a registered customer's domain joins the old case):
    the new case is hers, but it was opened from the one the subject names."""
    if by_headers is None or by_tag is None or by_headers.id == by_tag.id:
        return None
    if by_headers.customer_email.lower() == by_tag.customer_email.lower():
        return None
    if by_headers.linked_case_id == by_tag.id:
        return None
    return (
        f"this mail answers a mail of case {by_headers.number} (In-Reply-To/References) but"
        f" its subject names case {by_tag.number}: no command was applied and nothing was"
        f" sent to a customer; it is kept as an internal note on case {by_tag.number}."
        " Send it again as a reply on the one case it is about"
    )


def within_reopen_window(
    resolved_at: datetime | None, now: datetime, reopen_within: timedelta
) -> bool:
    """May a customer's reply still reopen a case closed at `resolved_at`? Within
    `[support] reopen_days` yes; later it opens a new case that links the old one.
    A closed case with no close time (closed by hand in the database) always reopens."""
    return resolved_at is None or now - resolved_at <= reopen_within


def participants(addresses: Collection[str]) -> frozenset[str]:
    return frozenset(a.lower() for a in addresses if a and "@" in a)
