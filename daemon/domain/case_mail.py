"""What a message on an existing case does to it: the pure rules behind the pipeline's
conversation step (daemon/pipeline/conversation.py).

- A customer's reply reopens a closed case within the reopen window (BR-2: the
  inquiry stays one case; the window itself is `within_reopen_window` in
  daemon/domain/case_threading.py, the only place it is decided) and wakes a case that
  waited for them.
- A staff mail is relayed to the customer when it was written to support, not to the
  customer, and has words for them (the relay rule, `staff_mail_delivery`).
- A delivery report marks the outbound mail failed only when it says so for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from daemon.domain.case_threading import within_reopen_window


class ReplyEffect(Enum):
    NONE = "none"
    REOPEN = "reopen"  # status open again, resolved_at cleared
    WAKE = "wake"  # a waiting case is open again: the customer answered what we asked


def customer_reply_effect(
    *,
    status: str,
    resolved_at: datetime | None,
    routed_to_reopen: bool,
    now: datetime,
    reopen_within: timedelta,
) -> ReplyEffect:
    """What a customer's reply does to the status of the case it joined.

    Decided on the case as it is now, not as routing saw it: a staff "#status closed"
    stored earlier in the same pass has already closed it.
    """
    if routed_to_reopen or status == "closed":
        if within_reopen_window(resolved_at, now, reopen_within):
            return ReplyEffect.REOPEN
        return ReplyEffect.NONE
    if status == "waiting":
        return ReplyEffect.WAKE
    return ReplyEffect.NONE


@dataclass(frozen=True)
class StaffMailDelivery:
    relay: bool  # we send its text to the customer on the staff member's behalf
    customer_has_it: bool  # the customer was in To/Cc: they have it already
    to_customer: bool  # the customer got words from staff, either way (BR-12 "respond")


def staff_mail_delivery(
    *,
    internal: bool,
    has_text: bool,
    support_address: str,
    customer_address: str,
    to: list[str],
    cc: list[str],
) -> StaffMailDelivery:
    """The relay rule: who has seen a staff member's mail on a case, and must we send it.

    Relayed: a mail to support with words for the customer, who did not get it. Sent
    to the customer with support in Cc (or a reply-all): they have it, so it is only
    recorded. An #internal note is never sent.
    """
    support, customer = support_address.lower(), customer_address.lower()
    customer_has_it = customer in to or customer in cc
    relay = not internal and has_text and support in to and not customer_has_it
    to_customer = not internal and has_text and (relay or customer_has_it)
    return StaffMailDelivery(relay=relay, customer_has_it=customer_has_it, to_customer=to_customer)


def bounce_is_final(action: str | None, status: str | None) -> bool:
    """Does a delivery report mean the mail will never arrive? "delayed", "relayed"
    and "delivered" reports are only kept on the case; a final failure is RFC 3464
    action "failed" or a permanent (5.x.x) status."""
    return action == "failed" or (status or "").startswith("5")
