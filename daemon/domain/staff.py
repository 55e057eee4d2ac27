"""Is a mail from verified staff? (INTERFACE.md, "Staff by email")

A sender in a `[staff] domains` domain is staff only when the message carries an
Authentication-Results header field (RFC 8601) from a trusted authserv-id that
reports `dkim=pass` or `spf=pass` for the sender's own domain. Anyone can write a
From: line, and anyone can write an Authentication-Results line too; only the
ones our own border MTA added are evidence.

That rests on the border MTA removing Authentication-Results fields that arrive
already claiming its authserv-id (RFC 8601 section 5); without that, a sender
can forge the header and pass here. Every field is read, because one MTA often
writes several (one per filter: SPF, DKIM, DMARC).

"For that domain" is strict: the DKIM signing domain (header.d, or the domain of
header.i) or the SPF-checked envelope domain (smtp.mailfrom) must equal the
sender's domain, case-insensitively. A parent domain does not count: a pass for
oo.dk says nothing about who may send as x.oo.dk, nor the other way round.

Parsing fails closed: anything not understood is simply not a pass, and no input
raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

# method=result and ptype.property=value pairs; CFWS is allowed around "=" (RFC 8601 2.2).
_PAIR = re.compile(r'([^\s=";]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s";]*)')


@dataclass(frozen=True)
class AuthResult:
    """One `method=result` clause with its properties, e.g. dkim=pass header.d=oo.dk."""

    method: str  # lower case, version dropped: "dkim", "spf"
    result: str  # lower case: "pass", "fail", "none", ...
    properties: dict[str, str] = field(default_factory=dict)  # "header.d" -> "oo.dk"


def is_staff_domain(address: str, staff_domains: Sequence[str]) -> bool:
    """Does `address` belong to one of the staff domains (exactly, not a subdomain)?"""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if not local or not domain:
        return False
    return _domain(domain) in {_domain(staff) for staff in staff_domains}


def may_be_assigned(
    address: str, staff_domains: Sequence[str], staff_addresses: Sequence[str]
) -> bool:
    """May a case be assigned to `address`? Only to staff: a staff domain's address or
    one listed in `[staff] addresses` (e.g. a consultant outside the domain)."""
    wanted = address.strip().strip("<>").lower()
    if wanted in {a.strip().lower() for a in staff_addresses}:
        return True
    return is_staff_domain(wanted, staff_domains)


def verified_staff(
    sender: str,
    auth_results: Sequence[str],
    staff_domains: Sequence[str],
    trusted_authserv_ids: Sequence[str],
) -> bool:
    """Is `sender` staff, proven by a trusted Authentication-Results field?

    `auth_results` holds the raw value of every Authentication-Results field of
    the message, in any order.
    """
    if not is_staff_domain(sender, staff_domains):
        return False
    sender_domain = _domain(sender.strip().strip("<>").rpartition("@")[2])
    trusted = {_domain(authserv_id) for authserv_id in trusted_authserv_ids}
    for value in auth_results:
        authserv_id, results = parse_authentication_results(value)
        if not authserv_id or authserv_id not in trusted:
            continue  # written by someone else, perhaps by the sender: no evidence
        if any(_passes_for(result, sender_domain) for result in results):
            return True
    return False


def parse_authentication_results(value: str) -> tuple[str, list[AuthResult]]:
    """The authserv-id (lower case, "" if none) and the results of one field value."""
    clauses = list(_clauses(value))
    if not clauses:
        return "", []
    head = clauses[0].split()
    # The authserv-id, optionally followed by a version number; "spf=pass" here
    # means the field has no authserv-id at all (some services write that).
    authserv_id = "" if not head or "=" in head[0] else _domain(_unquote(head[0]))
    results = [result for clause in clauses[1:] if (result := _result(clause)) is not None]
    return authserv_id, results


def _passes_for(result: AuthResult, domain: str) -> bool:
    if result.result != "pass":
        return False
    if result.method == "dkim":
        signer = result.properties.get("header.d", "")
        identity = result.properties.get("header.i", "").rpartition("@")[2]
        return domain in {_domain(signer), _domain(identity)}
    if result.method == "spf":
        # smtp.mailfrom is an address or, as some verifiers write it, just its domain.
        mailfrom = result.properties.get("smtp.mailfrom", "").rpartition("@")[2]
        return _domain(mailfrom) == domain
    return False


def _result(clause: str) -> AuthResult | None:
    pairs = _PAIR.findall(clause)
    if not pairs:
        return None  # "none" (no results) or something unreadable
    (method, result), *rest = pairs
    properties: dict[str, str] = {}
    for name, value in rest:
        properties.setdefault(name.lower(), _unquote(value))  # the first one counts
    return AuthResult(
        method=method.split("/", 1)[0].lower(),
        result=_unquote(result).lower(),
        properties=properties,
    )


def _clauses(value: str) -> Iterator[str]:
    """The ";"-separated parts of a field value, comments removed, quotes kept.

    A small scanner rather than a regex: comments nest and may hold ";" or quotes,
    and a quoted-string may hold ";" or parentheses (RFC 5322 3.2.2-3.2.4).
    """
    current: list[str] = []
    depth = 0  # comment nesting
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                current.append(char)
            continue
        if char == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                current.append(char)
            continue
        if quoted:
            quoted = char != '"'
            current.append(char)
        elif char == "(":
            depth += 1
        elif depth:
            if char == ")":
                depth -= 1
        elif char == '"':
            quoted = True
            current.append(char)
        elif char == ";":
            yield "".join(current)
            current = []
        else:
            current.append(char)
    yield "".join(current)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _domain(name: str) -> str:
    """A domain as compared: lower case, no surrounding space, no root dot."""
    return name.strip().lower().rstrip(".")
