"""Is a mail from verified staff? (INTERFACE.md "Staff by email")

Anyone can write a From: line, and anyone can write an Authentication-Results
field (RFC 8601) too. A sender in a `[staff] domains` domain is therefore staff
only on evidence we produced ourselves or trust, and which evidence counts
depends on how the mail came in:

* Through the embedded SMTP listener (`listener` is given): the listener is the
  border itself, so every Authentication-Results field in such a mail was written
  by the sender (it removes them on arrival, RFC 8601 section 5). Only what the
  listener established counts: a DKIM signature it verified itself with d= equal
  to the From domain, or an SMTP AUTH login equal to the From address.

* Through the border MTA and the mailbox (IMAP): only the topmost
  Authentication-Results fields count, those our border MTA added above
  everything older (`topmost_results`). In them, staff needs `dkim=pass` with
  `header.d` equal to the From domain, or `dmarc=pass` with `header.from` equal to
  it, and no result there that contradicts it (`_contradicts`).

Deliberately not evidence:

* `spf=pass` alone. SPF vouches for the sending host, not for the author: every
  tenant of a shared sending service that the domain's SPF record includes passes
  SPF for that domain, with any From: line.
* `header.i` alone. The AUID may belong to a parent of the From domain's signer
  (d=dk could sign i=@oo.dk); the signing domain is header.d.
* A pass for a parent or a subdomain: oo.dk says nothing about who may send as
  x.oo.dk, nor the other way round. Domains are compared exactly, ignoring case.
* An authserv-id written in any way other than exactly as configured: quoted,
  after a comment, with a trailing dot, in other letter case or followed by a
  version number. RFC 8601 allows some of these spellings, but the border MTA
  writes its own id in one way, and a stripper that removes forged fields by
  comparing ids may not recognise the others; a field that slipped past it must
  not be believed here either.
* A mail with no From field or more than one: the From address is the identity
  being proven, and DKIM signs only one From instance (RFC 6376 section 8.15). The
  same holds for the other fields a mail may have once (Subject, In-Reply-To, To,
  ...): the reader of the mail (daemon/reading.py) refuses staff for those.

Parsing fails closed: anything not understood is simply not a pass, and no input
raises.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

# The authserv-id exactly as our border MTA writes it: a bare token right before
# the first ";", nothing else before it but blanks (see the module docstring).
_AUTHSERV_ID = re.compile(r'[ \t]*([^\s;()"\\]+)[ \t]*;')
# method[/version]=result at the start of a resinfo (RFC 8601 2.2), ASCII keywords.
_METHOD_RESULT = re.compile(r"\s*([a-z0-9-]+)(?:\s*/\s*[0-9]+)?\s*=\s*([a-z0-9-]+)", re.I | re.A)
# reason=value or ptype.property=value; a value is a token or quoted-string, or a
# mix of them (smtp.mailfrom="a b"@example.com).
_PROPERTY = re.compile(
    r'\s*([a-z0-9-]+(?:\.[a-z0-9_-]+)?)\s*=\s*((?:"(?:[^"\\]|\\.)*"|[^\s";])+)', re.I | re.A
)

# Which property names the domain a result is about (RFC 8601 2.7).
_SUBJECT_PROPERTY = {"dkim": "header.d", "dmarc": "header.from", "spf": "smtp.mailfrom"}


@dataclass(frozen=True)
class AuthResult:
    """One `method=result` clause with its properties, e.g. dkim=pass header.d=oo.dk."""

    method: str  # lower case, version dropped: "dkim", "spf"
    result: str  # lower case: "pass", "fail", "none", ...
    # "header.d" -> ("oo.dk",): every value, so a repeated property is seen as such
    properties: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ListenerProof:
    """What the embedded SMTP listener established itself about a mail's sender."""

    smtp_login: str | None = None  # the SMTP AUTH login of the session, lower case
    dkim_domains: frozenset[str] = frozenset()  # d= of each signature it verified


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
    trace: Sequence[tuple[str, str]],
    staff_domains: Sequence[str],
    trusted_authserv_ids: Sequence[str],
    *,
    from_fields: int = 1,
    listener: ListenerProof | None = None,
) -> bool:
    """Is `sender` (the From address) staff, proven by evidence we trust?

    `trace` holds the message's Received and Authentication-Results fields as
    (lower-case name, value) in header order, topmost first; `from_fields` is how
    many From fields it has. `listener` is given for mail the SMTP listener took
    in, and then the trace is not read at all.
    """
    if from_fields != 1 or not is_staff_domain(sender, staff_domains):
        return False
    address = sender.strip().strip("<>").lower()
    domain = address.rpartition("@")[2]
    if listener is not None:
        login = (listener.smtp_login or "").strip().lower()
        return login == address or domain in listener.dkim_domains
    results = topmost_results(trace, trusted_authserv_ids)
    return any(_aligned_pass(result, domain) for result in results) and not any(
        _contradicts(result, domain) for result in results
    )


def topmost_results(
    trace: Sequence[tuple[str, str]], trusted_authserv_ids: Sequence[str]
) -> list[AuthResult]:
    """The results of the Authentication-Results fields our border MTA added.

    Trace fields are prepended hop by hop (RFC 5322 3.6.7), and an MTA adds its
    Authentication-Results at the top as well (RFC 8601). So, from the top:
    Received fields above the first Authentication-Results are later hops inside
    our own system (the delivery to the mailbox adds one) and are passed over; the
    first Authentication-Results field must come from a trusted authserv-id, and
    so must each one directly below it. The run ends at the next Received field
    (an older hop: everything below it was in the mail before our border saw it)
    or at a field from anyone else. A field from another id at the very top means
    someone we do not know wrote after our border did: then nothing counts.
    """
    trusted = {authserv_id.strip() for authserv_id in trusted_authserv_ids} - {""}
    found: list[AuthResult] = []
    for value in topmost_fields(trace, trusted_authserv_ids):
        found += trusted_results(value, trusted) or []
    return found


def topmost_fields(
    trace: Sequence[tuple[str, str]], trusted_authserv_ids: Sequence[str]
) -> list[str]:
    """The raw values of the Authentication-Results fields `topmost_results` reads."""
    trusted = {authserv_id.strip() for authserv_id in trusted_authserv_ids} - {""}
    found: list[str] = []
    for name, value in trace:
        if name.lower() == "received":
            if found:
                break
            continue
        if name.lower() != "authentication-results":
            continue
        if trusted_results(value, trusted) is None:
            break
        found.append(value)
    return found


def trusted_results(value: str, trusted_authserv_ids: Collection[str]) -> list[AuthResult] | None:
    """The results of one field value, or None if its authserv-id is not exactly a
    trusted one (compared as written: see the module docstring)."""
    head = _AUTHSERV_ID.match(value)
    if head is None or head[1] not in trusted_authserv_ids:
        return None
    clauses = _clauses(value[head.end() :])
    return [result for clause in clauses if (result := _result(clause)) is not None]


def _aligned_pass(result: AuthResult, domain: str) -> bool:
    """A DKIM pass signed by, or a DMARC pass for, exactly the From domain."""
    if result.result != "pass" or result.method not in ("dkim", "dmarc"):
        return False
    values = result.properties.get(_SUBJECT_PROPERTY[result.method], ())
    return len(values) == 1 and values[0].lower() == domain  # two header.d: ambiguous


def _contradicts(result: AuthResult, domain: str) -> bool:
    """Does our border MTA say something about the From domain that rules out staff?

    A DKIM or DMARC result other than pass about the From domain (or about no
    stated domain, like `dkim=none`), or an SPF hard fail for it: the domain's
    owner says the host may not send for it. One of these next to a pass means
    one of the two is not what it seems, and a lower field never outweighs it.
    """
    name = _SUBJECT_PROPERTY.get(result.method)
    if name is None:
        return False
    values = result.properties.get(name, ())
    if values and all(value.rpartition("@")[2].lower() != domain for value in values):
        return False  # about another domain (a second signature, a bounce address)
    if result.method == "spf":
        return result.result == "fail"
    return result.result != "pass"


def _result(clause: str) -> AuthResult | None:
    """One resinfo, or None for "none", an empty clause or anything not understood."""
    head = _METHOD_RESULT.match(clause)
    if head is None:
        return None
    properties: dict[str, list[str]] = {}
    position = head.end()
    while (position := len(clause) - len(clause[position:].lstrip())) < len(clause):
        pair = _PROPERTY.match(clause, position)
        if pair is None:
            return None  # junk after the result: no evidence
        properties.setdefault(pair[1].lower(), []).append(_unquote(pair[2]))
        position = pair.end()
    return AuthResult(
        method=head[1].lower(),
        result=head[2].lower(),
        properties={name: tuple(values) for name, values in properties.items()},
    )


def _clauses(value: str) -> Iterator[str]:
    """The ";"-separated parts of a field value, comments made blanks, quotes kept.

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
                if depth == 0:
                    current.append(" ")  # a comment is white space (CFWS)
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
    """A domain as compared for membership: lower case, no blanks, no root dot."""
    return name.strip().lower().rstrip(".")
