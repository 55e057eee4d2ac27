"""Messages the daemon sends, built as RFC 5322 bytes (INTERFACE.md "Mail the daemon sends")."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.header import Header
from email.utils import format_datetime, formataddr
from zoneinfo import ZoneInfo

from daemon.domain.ack_policy import AckHours
from daemon.domain.billing import AFTER_HOURS_FACTOR, ONCALL_FEE
from daemon.domain.domain_names import ascii_address
from daemon.domain.greeting import first_name
from daemon.domain.language import Language
from daemon.domain.references import format_reference, tagged_subject
from daemon.mail.render import TemplateRenderer
from daemon.mail.wire_encoding import UTF8_HEADERS, qp_text, random_hex
from daemon.settings import SupportSettings

_ASCII_WORDS = "".join(chr(c) for c in range(32, 127))
_ASCII_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+>")  # printable ASCII, no < or >
# Enough of the thread for any client to place the reply; an unbounded References
# header grows with every round trip.
_MAX_REFERENCES = 20
_HEADER_LINE = 78  # email.header.MAXLINELEN (not in its stubs): where a Header folds

_DA_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DANISH_SEPARATORS = str.maketrans(",.", ".,")  # thousands dot, decimal comma
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


# What an acknowledgement echoes of the mail it answers: anyone can write any From:
# and Subject: and have the ack deliver them from the support address to a victim, so
# links are taken out and the name is cut to what a greeting needs.
GREETING_NAME_CHARS = 64
# A URL, www.anything, an address; a closing bracket after one is not part of it.
_URL = r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s)\]>]*|[^\s(<\[]*@[^\s)\]>]+"
_HOST = r"\b[\w-]{2,}(?:\.[\w-]+)*\.[a-z]{2,24}\b(?:/\S*)?"  # a host name: evil.example
_LINK = re.compile(_URL, re.IGNORECASE)
_LINK_OR_HOST = re.compile(f"{_URL}|{_HOST}", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>")
# Not the ideographic space (U+3000): a character of its own in CJK subjects and names.
_SPACES = re.compile(r"[^\S\u3000]+")


def without_links(text: str, hosts: bool = False) -> str:
    """`text` without URLs and addresses (and, with `hosts`, host names), tidied.

    A subject keeps its host names ("dc01.firma.local er nede" is the problem report);
    a name has no use for one."""
    if hosts:
        text = _LINK_OR_HOST.sub(" ", text)
    elif _may_hold_link(text):
        text = _LINK.sub(" ", text)
    return _SPACES.sub(" ", _EMPTY_BRACKETS.sub(" ", text)).strip(" ")


def _may_hold_link(text: str) -> bool:
    """Whether `_LINK` can match in `text`: each of its alternatives needs "://",
    "www." (in any case: no other character folds to "w") or "@". Most subjects have
    none, and _LINK's address alternative tries every word's every character as the
    start of a local part: ~10-20 us a subject, a tenth of composing its ack (issue 18,
    ack24); these three looks cost ~1 us."""
    return "@" in text or "://" in text or "www." in text.lower()


def greeting_name(display_name: str) -> str:
    """The sender's display name as an ack may greet it: no links, at most 64
    characters (cut at a word); "" leaves the template's neutral greeting."""
    name = without_links(display_name, hosts=True).strip(" \"',;:")
    if len(name) <= GREETING_NAME_CHARS:
        return name
    cut = name[:GREETING_NAME_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


_GREETED_CACHED = 256  # characters: a longer display name is worked out each time


def _greeted(display_name: str) -> tuple[str, str]:
    """The sender's name as the ack may greet it, and its first name (domain/greeting.py).

    A support desk hears from the same customers again and again; both are pure
    functions of the display name and cost ~15 us an ack (issue 18), so they are kept
    for the last 4,096 names (of a bounded length: the memory stays ~1 MB)."""
    if len(display_name) > _GREETED_CACHED:
        return _greeting_of(display_name)
    return _greeting_of_cached(display_name)


def _greeting_of(display_name: str) -> tuple[str, str]:
    safe_name = greeting_name(display_name)
    return safe_name, first_name(safe_name)


_greeting_of_cached = functools.lru_cache(maxsize=4096)(_greeting_of)


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
    return f"<oo.{case_number}.{random_hex(8)}@{domain}>"


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
    hours: AckHours,
    now: datetime,
    channel: str = "email",
    critical: bool = False,
) -> Outgoing:
    """A new case's acknowledgement (BR-3): its reference, when it is reviewed (BR-6,
    BR-7) and, outside hours, the closed day and when we are back (BR-5) and what the
    on-call duty costs (BR-10, BR-16). A phone case's ack confirms the call and never
    asks the caller to call (BR-2). Greets the sender by first name
    (domain/greeting.py), in one form of address ("du")."""
    tz = ZoneInfo(support.timezone)
    echoed_subject = without_links(case_subject)
    safe_name, given_name = _greeted(customer_name)
    context = {
        "case": {
            "number": case_number,
            "reference": format_reference(case_number),
            "subject": echoed_subject,
        },
        "customer": {
            "name": given_name,
            "display_name": safe_name,
            "email": customer_addr,
        },
        "phone": channel == "phone",
        "critical": critical,
        "received": local_time_text(received_at.astimezone(tz), language),
        "review": {
            # In UTC: two datetimes in one zone subtract as wall times, and the night
            # the clocks go forward an hour on the wall clock (BR-7) reads as two.
            "within_hour": review_due.astimezone(UTC) - received_at.astimezone(UTC)
            <= timedelta(hours=1),
            "when": local_time_text(review_due.astimezone(tz), language),
        },
        "outside_hours": hours.outside_hours,  # kept for templates written before `hours`
        "hours": _hours_context(hours, tz, language),
        "oncall_fee": _ONCALL_FEE_TEXT.get(language, _ONCALL_FEE_TEXT["da"]),  # BR-10
        "surcharge": _SURCHARGE_TEXT,  # BR-16: "100"
        "support": _support_fields(support),
    }
    text = renderer.render(f"ack.{language}.txt.j2", context)
    html_name = f"ack.{language}.html.j2"
    html = renderer.render(html_name, context) if renderer.exists(html_name) else None
    return build_message(
        support=support,
        case_number=case_number,
        subject=tagged_subject(case_number, echoed_subject),
        recipients=[customer_addr],
        answered=answered,
        text=text,
        html=html,
        auto_submitted="auto-replied",
        language=language,
        now=now,
    )


_last_support: tuple[SupportSettings, dict[str, object]] | None = None


def _support_fields(support: SupportSettings) -> dict[str, object]:
    """`support.model_dump()`, once for each settings object (frozen: its fields never
    change; a reload makes a new one): pydantic's dump cost ~2-3 us an ack (issue 18,
    ack24). The templates read the dict and never write it."""
    global _last_support
    last = _last_support  # one read: another thread (the SMTP listener) may replace it
    if last is None or last[0] is not support:
        last = _last_support = (support, support.model_dump())
    return last[1]


def _hours_context(hours: AckHours, tz: ZoneInfo, language: Language) -> dict[str, object]:
    """`hours` as the ack templates read it: the next opening as local text."""
    back = hours.back_at
    return {
        "outside": hours.outside_hours,
        "closed_day": hours.closed_day,  # None: an ordinary day; "": a closure unnamed
        "today": hours.today,
        "back": local_time_text(back.astimezone(tz), language) if back is not None else None,
    }


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
    message_id = new_message_id(case_number, support.message_id_domain)
    in_reply_to, references = _thread_headers(answered)
    # bo@blåbær.dk as bo@xn--blbr-roah.dk: written as typed, the To field became an
    # encoded word (no address at all) and the relay's RCPT TO needed SMTPUTF8.
    recipients = [ascii_address(recipient) for recipient in recipients]
    headers = [
        ("From", _from_header(support.name, support.address)),
        ("To", ", ".join(recipients)),
        ("Subject", subject),
        ("Date", _date_header(now)),
        ("Message-ID", message_id),
    ]
    if in_reply_to:
        headers += [("In-Reply-To", in_reply_to), ("References", references)]
    if auto_submitted:
        headers.append(("Auto-Submitted", auto_submitted))  # RFC 3834
        headers.append(("X-Auto-Response-Suppress", "All"))  # Exchange: no out-of-office back
    headers += [("Content-Language", language), ("MIME-Version", "1.0")]
    return Outgoing(
        message_id=message_id,
        subject=subject,
        sender=support.address,
        recipients=recipients,
        in_reply_to=in_reply_to,
        references=references,
        body_text=text,
        raw=mime_bytes(headers, text, html),
    )


# The acks of one run are composed with the run's one `now` and the same sender: each
# header is written once for all of them (the IMAP pass's thread composes every ack).
_last_date: tuple[datetime, str] | None = None


def _date_header(now: datetime) -> str:
    global _last_date
    last = _last_date  # one read: another thread (the SMTP listener) may replace it
    if last is None or last[0] is not now:  # the same object, not an equal instant
        last = _last_date = (now, format_datetime(now))
    return last[1]


@functools.lru_cache(maxsize=8)
def _from_header(name: str, address: str) -> str:
    return formataddr((name, address), charset="utf-8")


def mime_bytes(headers: list[tuple[str, str]], text: str, html: str | None) -> bytes:
    """RFC 5322 bytes: the headers, then text/plain (and text/html as the alternative).

    Written out directly rather than through EmailMessage, which costs more than
    parsing the customer's mail (profiled); the stdlib encoders still do the encoding.
    """
    lines = [header_line(name, value) for name, value in headers]
    if html is None:
        lines += [*_text_part_headers("plain"), "", _qp(text)]
    else:
        boundary = f"=_oo_{random_hex(12)}"  # "=_" never occurs in QP output
        lines += [
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "",
            f"--{boundary}",
            *_text_part_headers("plain"),
            "",
            _qp(text),
            f"--{boundary}",
            *_text_part_headers("html"),
            "",
            _qp(html),
            f"--{boundary}--",
        ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def header_line(name: str, value: str) -> str:
    """One folded header line; non-ASCII as RFC 2047 words; line breaks refused."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in {name} header")  # header injection
    if value.isascii() and len(name) + len(value) < 900:
        return f"{name}: {value}"  # unfolded is legal to 998; folding could only hurt here
    # Keep the leading ASCII words (such as the [OO#n] tag) readable in the raw mail.
    cut = len(value) - len(value.lstrip(_ASCII_WORDS)) if not value.isascii() else len(value)
    cut = value.rfind(" ", 0, cut) + 1 if cut < len(value) else cut
    if 0 < cut < len(value):
        line = _tagged_words(name, value[:cut], value[cut:])
        if line is not None:
            return line
    encoded = Header(header_name=name)
    if cut:
        encoded.append(value[:cut], "us-ascii")
    if cut < len(value):
        encoded.append(value[cut:], UTF8_HEADERS)  # Charset("utf-8"), linear
    return f"{name}: " + encoded.encode(linesep="\r\n")


def _tagged_words(name: str, words: str, rest: str) -> str | None:
    """`name: words` and `rest` as RFC 2047 words, exactly as `header_line`'s Header
    writes them, when `words` (ASCII, ending in a space: an ack's "[OO#n] ..." before
    its first non-ASCII word) fit the first line; else None (then the Header does it).

    Email.header's formatter, for those two chunks, only ever keeps the ASCII words
    as they are on the first line (no fold is needed in them, and the transition
    between the chunks is their trailing space), fits the encoded words to what is
    left of that line and then to whole continuation lines (UTF8_HEADERS does the
    fitting), and joins the lines with a space's indent. Doing just that costs a
    tenth of running the formatter, once for every ack (issue 18);
    tests/unit/test_wire_encoding.py holds the two to each other."""
    used = len(name) + 2 + len(words)  # the header's name and ": " count on line one
    if used > _HEADER_LINE or rest.splitlines() != [rest]:
        return None  # a fold among the ASCII words, or line breaks of other kinds
    lengths = itertools.chain((_HEADER_LINE - used,), itertools.repeat(_HEADER_LINE - 1))
    encoded = UTF8_HEADERS.header_encode_lines(rest, lengths)
    first = encoded[0]
    if first is None or None in encoded:
        return None  # nothing fits after the ASCII words: the formatter's own case
    return f"{name}: {words}{first}" + "".join(f"\r\n {line}" for line in encoded[1:])


def _text_part_headers(subtype: str) -> list[str]:
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]


def _qp(text: str) -> str:
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    return qp_text(normalized, eol="\r\n")  # UTF-8, as quoprimime would write it


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
    clock = f"{at.hour:02d}:{at.minute:02d}"  # %H:%M without strftime's cost
    if language == "da":
        return f"{_DA_WEEKDAYS[at.weekday()]} {at.day}.{at.month}. kl. {clock}"
    return f"{_EN_WEEKDAYS[at.weekday()]} {at.day} {_EN_MONTHS[at.month - 1]} at {clock}"


def amount_text(amount: Decimal, language: str = "da") -> str:
    """An amount in kroner as an acknowledgement in `language` prints it: `1.000,00`
    in Danish, `1,000.00` in English (an English reader takes "1.000,00" for one)."""
    written = f"{amount:,.2f}"
    return written if language == "en" else written.translate(_DANISH_SEPARATORS)


# What every acknowledgement states of the on-call duty's price: constants (BR-10, BR-16).
_ONCALL_FEE_TEXT = {language: amount_text(ONCALL_FEE.amount, language) for language in ("da", "en")}
_SURCHARGE_TEXT = f"{(AFTER_HOURS_FACTOR - 1) * 100:.0f}"


def staff_reply(
    *,
    renderer: TemplateRenderer,
    support: SupportSettings,
    case_number: int,
    case_subject: str,
    staff_name: str,
    staff_email: str,
    body: str,
    customer_addr: str,
    answered: Answered | None,
    language: Language,
    now: datetime,
) -> Outgoing:
    """A staff member's answer, sent to the customer from the support address."""
    context = {
        "body": body,
        "staff": {"name": staff_name, "email": staff_email},
        "case": {"number": case_number, "reference": format_reference(case_number)},
        "support": support.model_dump(),
    }
    subject = (
        case_subject
        if case_subject.lower().startswith(("re:", "sv:"))
        else (f"Re: {case_subject}" if case_subject else "Re:")
    )
    return build_message(
        support=support,
        case_number=case_number,
        subject=tagged_subject(case_number, subject),
        recipients=[customer_addr],
        answered=answered,
        text=renderer.render("reply.txt.j2", context),
        html=None,
        auto_submitted=None,  # a person wrote it
        language=language,
        now=now,
    )


def command_errors(
    *,
    renderer: TemplateRenderer,
    support: SupportSettings,
    case_number: int,
    staff_email: str,
    errors: list[str],
    answered: Answered | None,
    now: datetime,
) -> Outgoing:
    """Tells a staff member which of their commands did not apply, and why."""
    context = {
        "errors": errors,
        "case": {"number": case_number, "reference": format_reference(case_number)},
        "support": support.model_dump(),
    }
    return build_message(
        support=support,
        case_number=case_number,
        subject=tagged_subject(case_number, "Kommando ikke udført / command not applied"),
        recipients=[staff_email],
        answered=answered,
        text=renderer.render("command_error.txt.j2", context),
        html=None,
        auto_submitted="auto-replied",
        language="da",
        now=now,
    )
