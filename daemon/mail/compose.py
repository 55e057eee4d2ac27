"""Messages the daemon sends, built as RFC 5322 bytes (INTERFACE.md "Mail the daemon sends")."""

from __future__ import annotations

import email.policy
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from zoneinfo import ZoneInfo

from daemon.domain.language import Language
from daemon.domain.references import format_reference, tagged_subject
from daemon.mail.render import TemplateRenderer
from daemon.settings import SupportSettings

_ASCII_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+>")  # printable ASCII, no < or >
# Enough of the thread for any client to place the reply; an unbounded References
# header grows with every round trip.
_MAX_REFERENCES = 20

_DA_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    subject: str
    sender: str
    recipients: list[str]
    in_reply_to: str | None
    references: str
    body_text: str
    raw: bytes


@dataclass(frozen=True)
class Answered:
    """What the daemon needs of the message it answers."""

    message_id: str | None
    references: list[str]


def new_message_id(case_number: int, domain: str) -> str:
    # The case number in our own Message-ID lets replies thread even when a client
    # drops the subject tag; the random part makes it unique and unguessable.
    return f"<oo.{case_number}.{secrets.token_hex(8)}@{domain}>"


def acknowledgement(
    *,
    renderer: TemplateRenderer,
    support: SupportSettings,
    case_number: int,
    case_subject: str,
    language: Language,
    customer_name: str,
    customer_addr: str,
    answered: Answered,
    received_at: datetime,
    review_due: datetime,
    outside_hours: bool,
    now: datetime,
) -> Outgoing:
    tz = ZoneInfo(support.timezone)
    context = {
        "case": {
            "number": case_number,
            "reference": format_reference(case_number),
            "subject": case_subject,
        },
        "customer": {"name": customer_name, "email": customer_addr},
        "received": local_time_text(received_at.astimezone(tz), language),
        "review": {
            "within_hour": review_due - received_at <= timedelta(hours=1),
            "when": local_time_text(review_due.astimezone(tz), language),
        },
        "outside_hours": outside_hours,
        "support": support.model_dump(),
    }
    text = renderer.render(f"ack.{language}.txt.j2", context)
    html_name = f"ack.{language}.html.j2"
    html = renderer.render(html_name, context) if renderer.exists(html_name) else None
    return build_message(
        support=support,
        case_number=case_number,
        subject=tagged_subject(case_number, case_subject),
        recipients=[customer_addr],
        answered=answered,
        text=text,
        html=html,
        auto_submitted="auto-replied",
        language=language,
        now=now,
    )


def build_message(
    *,
    support: SupportSettings,
    case_number: int,
    subject: str,
    recipients: list[str],
    answered: Answered | None,
    text: str,
    html: str | None,
    auto_submitted: str | None,
    language: Language,
    now: datetime,
) -> Outgoing:
    msg = EmailMessage(policy=email.policy.SMTP)
    message_id = new_message_id(case_number, support.message_id_domain)
    msg["From"] = formataddr((support.name, support.address))
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    in_reply_to, references = _thread_headers(answered)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = references
    if auto_submitted:
        msg["Auto-Submitted"] = auto_submitted  # RFC 3834
        msg["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office back
    msg["Content-Language"] = language
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return Outgoing(
        message_id=message_id,
        subject=subject,
        sender=support.address,
        recipients=recipients,
        in_reply_to=in_reply_to,
        references=references,
        body_text=text,
        raw=msg.as_bytes(),
    )


def _thread_headers(answered: Answered | None) -> tuple[str | None, str]:
    """In-Reply-To and References, plain ASCII only (Exchange drops encoded ones)."""
    if answered is None or not answered.message_id:
        return None, ""
    if not _ASCII_ID.fullmatch(answered.message_id):
        return None, ""
    chain = [ref for ref in answered.references if _ASCII_ID.fullmatch(ref)]
    chain = [*chain[-(_MAX_REFERENCES - 1) :], answered.message_id]
    return answered.message_id, " ".join(chain)


def local_time_text(at: datetime, language: Language) -> str:
    """`mandag 30.11. kl. 09:00` / `Monday 30 November at 09:00`, in local time."""
    if language == "da":
        return f"{_DA_WEEKDAYS[at.weekday()]} {at.day}.{at.month}. kl. {at:%H:%M}"
    return f"{_EN_WEEKDAYS[at.weekday()]} {at.day} {_EN_MONTHS[at.month - 1]} at {at:%H:%M}"
