"""Step 1, before any transaction: read the bytes and decide what needs no database.

Decides: the mail's identity (its dedupe key), whether it can be read at all (else
REJECTED, kept raw with why), whether it is automatic (RFC 3834, bounces: IGNORED,
never answered, daemon/domain/autoreply.py), whether its sender is verified staff
(daemon/domain/staff.py), and whether a new case from it may be acknowledged at all
(spam verdicts, a forged sender: daemon/domain/ack_policy.py). A phone call staff
typed in is a case whatever it says (BR-2).

Pure (no I/O, no clock), so a source may run it wherever it likes, off its loop.
"""

from __future__ import annotations

import logging

from daemon.domain.ack_policy import forged_sender, spam_verdict
from daemon.domain.autoreply import automatic_reason
from daemon.domain.staff import ListenerProof, is_staff_domain, verified_staff
from daemon.inbound import InboundMail, Outcome, Prepared
from daemon.mail.dsn import read_bounce
from daemon.mail.parse import ParsedMail, ParseError, dedupe_key, parse
from daemon.settings import Settings

log = logging.getLogger(__name__)


def read(mail: InboundMail, settings: Settings) -> Prepared:
    """Everything about `mail` that needs no database; never raises for a bad mail."""
    try:
        parsed = parse(mail.raw)
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
    support, staff = settings.support, settings.staff
    reason = automatic_reason(
        parsed.headers.text, parsed.from_addr, support.address, support.message_id_domain
    )
    bounce = read_bounce(mail.raw) if reason and _is_report(parsed) else None
    # Mail from the listener is judged only on what the listener found itself,
    # never on headers its sender wrote (also when a caller gave no proof).
    listener = mail.listener_proof or (ListenerProof() if mail.source == "smtp" else None)
    trace = parsed.headers.in_order("Received", "Authentication-Results")
    is_staff = not parsed.sender_ambiguous and verified_staff(
        parsed.from_addr,
        trace,
        staff.domains,
        staff.trusted_authserv_ids,
        from_fields=len(parsed.headers.all("From")),
        listener=listener,
    )
    return Prepared(
        mail,
        key,
        parsed,
        Outcome.IGNORED if reason else Outcome.CREATED,
        reason,
        is_staff=is_staff,
        unverified_staff=not is_staff and is_staff_domain(parsed.from_addr, staff.domains),
        bounce=bounce,
        no_ack=spam_verdict(parsed.headers.all, support.spam_verdict_headers)
        or (
            None
            if listener is not None  # the listener's senders wrote their own headers
            else forged_sender(parsed.from_addr, trace, staff.trusted_authserv_ids)
        ),
    )


def unreadable(mail: InboundMail, reason: str) -> Prepared:
    """A mail kept only as its bytes, with why: its exact bytes are its identity."""
    return Prepared(mail, dedupe_key(None, "", mail.raw), None, Outcome.REJECTED, reason)


def _is_report(parsed: ParsedMail) -> bool:
    return parsed.headers.text("Content-Type").lower().startswith("multipart/report")
