"""Is this mail automatic? Such mail is never acknowledged (RFC 3834, loop safety)."""

from __future__ import annotations

from collections.abc import Callable

HeaderLookup = Callable[[str], str]

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_SYSTEM_LOCALPARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply"}


def automatic_reason(
    header: HeaderLookup, sender: str, own_address: str, own_domain: str
) -> str | None:
    """Why the mail is automatic, or None when a person wrote it.

    `header(name)` returns a decoded header value or "".
    """
    auto_submitted = header("Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header("Precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if header(name).strip():
            return f"{name} present"
    if header("Content-Type").lower().startswith("multipart/report"):
        return "delivery or read report"
    return_path = header("Return-Path").strip()
    if return_path in {"<>", "<MAILER-DAEMON>"}:
        return "null return path"
    localpart, _, domain = sender.lower().rpartition("@")
    if localpart in _SYSTEM_LOCALPARTS:
        return f"system sender {sender}"
    if sender.lower() == own_address.lower():
        return "sent by the daemon's own address"
    message_id = header("Message-ID").strip().lower()
    if message_id.endswith(f"@{own_domain.lower()}>"):
        return "the daemon's own Message-ID"
    return None
