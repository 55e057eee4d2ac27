"""Which critical cases page the on-call duty now, which wait, and which never do
(BR-7, BR-10: one stranger's 20 mails at night must not be 20 pages).

A page is one mail to the on-call address listing every case it is about. The first
critical case of a quiet spell pages at once; cases that come while a page is less
than `quiet` old wait and go out together in one follow-up page when it is over. A
sender, and a customer, is paged about at most `per_sender` and `per_customer` times
in one on-call window; further cases of theirs are recorded, not paged. The caps count
pages, not cases, and only that sender's or customer's, so a flood spends no one
else's: another customer's emergency still pages.

Plain data in, plain data out; the scheduler reads the inputs from the alerts table,
so the decision is the same in every daemon and after a restart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

SENDER_CAP = "sender_cap"
CUSTOMER_CAP = "customer_cap"


@dataclass(frozen=True)
class PagingPolicy:
    quiet: timedelta  # after a page, wait this long before the next one
    per_sender: int  # pages that may name one sender address in a window
    per_customer: int  # pages that may name one customer in a window


@dataclass(frozen=True)
class Pageable:
    """A critical case waiting for the on-call duty to hear of it."""

    case_id: int
    sender: str  # the customer's address, lower-case
    customer: str  # a registered customer's key; for a stranger, the sender again


@dataclass(frozen=True)
class PastPage:
    """One case listed in a page sent earlier in this window."""

    sent_at: datetime
    sender: str
    customer: str


@dataclass(frozen=True)
class PagePlan:
    page: list[int] = field(default_factory=list)  # case ids for a page now
    hold: list[int] = field(default_factory=list)  # for the follow-up page
    withheld: dict[int, str] = field(default_factory=dict)  # case id -> which cap


def customer_key(sender: str, customer_id: int | None) -> str:
    """Whose cases count together: a registered customer's (any of their people and
    domains), or for anyone else the one address. gmail.com is everybody's."""
    return f"customer {customer_id}" if customer_id is not None else f"sender {sender.lower()}"


def plan_page(
    waiting: Sequence[Pageable],
    earlier: Sequence[PastPage],
    now: datetime,
    policy: PagingPolicy,
) -> PagePlan:
    """Decide about every waiting case; `earlier` is what this window's pages listed."""
    senders: dict[str, set[datetime]] = defaultdict(set)
    customers: dict[str, set[datetime]] = defaultdict(set)
    for listed in earlier:
        senders[listed.sender].add(listed.sent_at)
        customers[listed.customer].add(listed.sent_at)
    plan = PagePlan()
    pageable = []
    for case in waiting:
        if len(senders[case.sender]) >= policy.per_sender:
            plan.withheld[case.case_id] = SENDER_CAP
        elif len(customers[case.customer]) >= policy.per_customer:
            plan.withheld[case.case_id] = CUSTOMER_CAP
        else:
            pageable.append(case.case_id)
    last_page = max((listed.sent_at for listed in earlier), default=None)
    if last_page is None or now - last_page >= policy.quiet:
        plan.page.extend(pageable)
    else:
        plan.hold.extend(pageable)
    return plan
