"""Step 1 of a mail, before any transaction: read the bytes and decide what needs no
database (daemon/pipeline/read.py is the pipeline's name for it).

Decides: the mail's identity (its dedupe key), whether it can be read at all (else
REJECTED, kept raw with why), whether it is automatic (RFC 3834, bounces: IGNORED,
never answered, daemon/domain/autoreply.py), whether its sender is verified staff
(daemon/domain/staff.py), and whether a new case from it may be acknowledged at all
(spam verdicts, a forged sender: daemon/domain/ack_policy.py). A phone call staff
typed in is a case whatever it says (BR-2). And, for a mail that may open a case, its
triage ahead of the triage step (BR-8, BR-9).

Pure (no I/O, no clock), so a source may run it wherever it likes, off its loop. It
lives outside daemon/pipeline/ and imports only the mail parsing and the domain rules
(no SQLAlchemy, no templates, no pydantic): the parsing worker processes run it
(daemon/sources/parse_worker.py), and each of them costs its imports in memory.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from daemon.domain.ack_policy import forged_sender, spam_verdict
from daemon.domain.autoreply import automatic_reason
from daemon.domain.language import detect_language
from daemon.domain.references import find_reference
from daemon.domain.staff import ListenerProof, is_staff_domain, verified_staff
from daemon.domain.triage import Rule, classify
from daemon.domain.triage.follow_up import reply_verdicts
from daemon.domain.triage.replies import is_forward
from daemon.inbound import InboundMail, Outcome, Prepared
from daemon.mail.addresses import mailboxes
from daemon.mail.dsn import read_bounce
from daemon.mail.header_text import recovered
from daemon.mail.large_mail import stub_large_base64, stub_spooled
from daemon.mail.parse import ParsedMail, ParseError, dedupe_key, parse
from daemon.mail.quotes import new_text
from daemon.mail.spooled import Raw, SpooledMail, whole

if TYPE_CHECKING:  # the daemon's settings are pydantic; a worker is sent these values
    from daemon.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadingRules:
    """What reading a mail takes from the settings, as plain values."""

    support_address: str
    message_id_domain: str
    spam_verdict_headers: Mapping[str, str]
    staff_domains: tuple[str, ...]
    trusted_authserv_ids: tuple[str, ...]

    @classmethod
    def of(cls, settings: Settings) -> ReadingRules:
        support, staff = settings.support, settings.staff
        return cls(
            support.address,
            support.message_id_domain,
            dict(support.spam_verdict_headers),
            tuple(staff.domains),
            tuple(staff.trusted_authserv_ids),
        )


def read(
    mail: InboundMail, rules: ReadingRules, hidden: Mapping[str, int] | None = None
) -> Prepared:
    """Everything about `mail` that needs no database; never raises for a bad mail.

    `hidden`: `mail.raw` is a slim copy (slim_copy), and these its hidden bodies'
    sizes; the caller, who has the whole bytes, then gives the Prepared its identity
    (identified_by).
    """
    # Whole: a parsing worker is sent a slim copy as bytes; only a pass that prepares
    # in its own process reads a spooled mail back into memory here.
    raw = whole(mail.raw)
    try:
        parsed = parse(raw, hidden=hidden)
    except ParseError as exc:
        return unreadable(mail, str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the mail
        log.exception("parser failed source=%s uid=%s", mail.source, mail.uid)
        return unreadable(mail, f"internal error: {type(exc).__name__}: {exc}")
    key = dedupe_key(parsed.message_id, parsed.from_addr, mail.raw)
    if not parsed.from_addr:
        return Prepared(mail, key, parsed, Outcome.REJECTED, "no sender address")
    if mail.channel == "phone":  # staff typed it in: no mail rules apply
        return Prepared(mail, key, parsed, Outcome.CREATED)
    reason = automatic_reason(
        parsed.headers.text, parsed.from_addr, rules.support_address, rules.message_id_domain
    )
    bounce = read_bounce(raw) if reason and _is_report(parsed) else None
    # Mail from the listener is judged only on what the listener found itself,
    # never on headers its sender wrote (also when a caller gave no proof).
    listener = mail.listener_proof or (ListenerProof() if mail.source == "smtp" else None)
    trace = parsed.headers.in_order("Received", "Authentication-Results")
    is_staff = (
        not parsed.sender_ambiguous
        and not any(parsed.headers.count(name) > 1 for name in _ONCE_FIELDS)
        and verified_staff(
            parsed.from_addr,
            trace,
            rules.staff_domains,
            rules.trusted_authserv_ids,
            from_fields=parsed.headers.count("From"),
            listener=listener,
        )
        # Last: it reads the From field again (~20 us a mail), and the customers' mail,
        # most of it, is no staff by its domain already.
        and _from_field_names(parsed)
    )
    return Prepared(
        mail,
        key,
        parsed,
        Outcome.IGNORED if reason else Outcome.CREATED,
        reason,
        is_staff=is_staff,
        unverified_staff=not is_staff and is_staff_domain(parsed.from_addr, rules.staff_domains),
        bounce=bounce,
        no_ack=spam_verdict(parsed.headers.all, rules.spam_verdict_headers)
        or (
            None
            if listener is not None  # the listener's senders wrote their own headers
            else forged_sender(parsed.from_addr, trace, rules.trusted_authserv_ids)
        ),
    )


# The fields RFC 5322 (3.6) allows a mail once, From aside (verified_staff counts it).
# A staff mail with one of them twice is none: DKIM signs a field's bottom-most
# instance (RFC 6376 5.4.2), so a signed staff mail replayed with a Subject, In-Reply-To
# or To added on top still verifies, and would be read by the added one (another case,
# another thread, other recipients).
_ONCE_FIELDS = ("Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To",
                "References", "Subject", "Date")


def _from_field_names(parsed: ParsedMail) -> bool:
    """Is the sender the address of the From field itself? With none there, the sender
    was read from Sender, Reply-To or Return-Path (mail/sender.py), which prove nothing:
    DMARC aligns on the From domain and DKIM must sign From; a staff address named only
    in another field is not staff."""
    wanted, headers = parsed.from_addr.lower(), parsed.headers
    return any(
        addr.lower() == wanted
        for value in headers.all("From")
        for _name, addr in mailboxes(recovered(value, headers.hints), headers.hints)
    )


def unreadable(mail: InboundMail, reason: str) -> Prepared:
    """A mail kept only as its bytes, with why: its exact bytes are its identity."""
    return Prepared(mail, dedupe_key(None, "", mail.raw), None, Outcome.REJECTED, reason)


def slim_copy(raw: Raw) -> tuple[bytes, dict[str, int]]:
    """`raw` with its big base64 bodies hidden (daemon/mail/large_mail.py), and their
    sizes: all `read` needs of a large mail, for a parsing worker, which then never
    holds (nor receives) the attachments' megabytes. `raw` itself when nothing is
    hidden (a small mail, a big one-part text). A spooled mail is read a chunk at a
    time, its slim copy (or, with nothing hidden, itself) returned as bytes."""
    return stub_spooled(raw) if isinstance(raw, SpooledMail) else stub_large_base64(raw)


def identified_by(prepared: Prepared, raw: Raw) -> Prepared:
    """`prepared`, read from a slim copy of `raw`, with the identity of the whole
    bytes, as `read` gives it: the dedupe key covers the attachments too."""
    parsed = prepared.parsed
    key = (
        dedupe_key(parsed.message_id, parsed.from_addr, raw)
        if parsed is not None
        else dedupe_key(None, "", raw)
    )
    return dataclasses.replace(prepared, key=key)


def worked_out_ahead(prepared: Prepared, rules: Sequence[Rule]) -> Prepared:
    """`prepared` with its triage and language, if it may open a case: done in a
    parsing worker, so the triage step finds them (Prepared.triage, .language)."""
    parsed = prepared.parsed
    if parsed is None or prepared.outcome is not Outcome.CREATED or prepared.is_staff:
        return prepared
    said = new_text(parsed.body_text)
    text = triage_text(parsed.subject, parsed.body_text, said)
    may_reply = parsed.in_reply_to or parsed.references or find_reference(parsed.subject)
    return dataclasses.replace(
        prepared,
        triage=classify(parsed.subject, text, rules),
        language=detect_language(parsed.subject, parsed.body_text),
        said=said,
        # Whether it makes its case critical, if it joins one (pipeline/conversation.py).
        # With the worker's own rules, the learned model too: a verdict of the model's
        # is no news there (only a rule's match is), and a list without it would cost
        # each worker a second start-word scanner (~1.8 MB).
        reply_verdicts=reply_verdicts(parsed.subject, text, rules) if may_reply else None,
    )


def triage_text(subject: str, body: str, said: str | None = None) -> str:
    """What the triage rules read of a mail that opens a case: the customer's new text
    (`said`, worked out by daemon.mail.quotes.new_text if not given), except in a
    forward ("VS:", "Fwd:"), whose matter is what it passes on below: "Kan I se på
    nedenstående?" above a forwarded "ingen af os har net" is a critical case (BR-8).
    The rules themselves set aside an original quoted under a reply that says the
    problem is solved (daemon.domain.triage.replies)."""
    if is_forward(subject):
        return body
    return said if said is not None else new_text(body)


def _is_report(parsed: ParsedMail) -> bool:
    return parsed.headers.text("Content-Type").lower().startswith("multipart/report")
