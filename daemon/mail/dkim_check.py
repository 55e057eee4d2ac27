"""DKIM signatures the SMTP listener verifies itself.

Mail to the listener comes straight from its sender, with no border MTA whose
Authentication-Results we could believe, so a staff member's signature is checked
here. dkimpy does the RFC 6376 work (canonicalisation, key records, RSA and
ed25519): a maintained pure-Python implementation whose DNS lookup is a
parameter, so tests verify signatures made with a key of their own, without DNS.

Only signatures whose d= is both a staff domain and the From domain are
verified, so customer mail costs nothing, and at most MAX_SIGNATURES of them per
mail. Skipped as no evidence: l= (a body length limit lets anyone append text
below the signed part, RFC 6376 section 8.2), rsa-sha1 (RFC 8301), and, when the Subject
names no case, a signature that leaves an In-Reply-To or References field of the mail
unsigned (they alone pick the case a staff mail acts on; one added to a signed mail
would still verify).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from email.utils import getaddresses

import dkim
from dkim.dnsplug import get_txt
from dkim.util import parse_tag_value

from daemon.domain.references import find_reference
from daemon.mail.header_block import Field, header_fields

log = logging.getLogger(__name__)

# dkimpy's key lookup: (b"sel._domainkey.oo.dk.", timeout=seconds) -> TXT record or None.
TxtLookup = Callable[..., bytes | None]

MAX_SIGNATURES = 3
# The fields that thread a mail onto a case (case_threading): signed, or no proof.
THREAD_FIELDS = (b"in-reply-to", b"references")
DNS_TIMEOUT_SECONDS = 5


def verified_staff_signers(
    raw: bytes, staff_domains: Sequence[str], lookup: TxtLookup | None = None
) -> frozenset[str]:
    """The d= domains (lower case) of the valid staff signatures that sign as the
    From domain; never raises."""
    try:
        fields = header_fields(raw)
        wanted = _from_domains(raw, fields) & {domain.strip().lower() for domain in staff_domains}
        signatures = [_tags(f.value(raw)) for f in fields if f.name == b"dkim-signature"]
        if not any(_signs_as(tags, wanted) for tags in signatures):
            return frozenset()
        present = _unguarded_threading(raw, fields)
        return _verify(raw, wanted, lookup or get_txt, present)
    except Exception:  # noqa: BLE001 - a broken mail is simply not verified
        log.exception("dkim verification failed")
        return frozenset()


def _verify(
    raw: bytes, wanted: set[str], lookup: TxtLookup, present: Counter[bytes]
) -> frozenset[str]:
    verifier = dkim.DKIM(raw, timeout=DNS_TIMEOUT_SECONDS)
    signatures = [value for name, value in verifier.headers if name.lower() == b"dkim-signature"]
    found: set[str] = set()
    tried = 0
    for index, value in enumerate(signatures):
        tags = _tags(value)
        if not _signs_as(tags, wanted) or tried == MAX_SIGNATURES:
            continue
        if not _signs_threading(tags, present):
            log.info("dkim signature d=%s leaves In-Reply-To/References unsigned: no proof",
                     tags[b"d"].decode("ascii", "replace").lower())
            continue
        tried += 1
        domain = tags[b"d"].decode("ascii", "replace").lower()
        try:
            valid = verifier.verify(idx=index, dnsfunc=lookup)
        except dkim.DKIMException as exc:
            log.info("dkim signature d=%s not valid: %s", domain, exc)
            continue
        log.info("dkim signature d=%s %s", domain, "valid" if valid else "not valid")
        if valid:
            found.add(domain)
    return frozenset(found)


def _signs_as(tags: dict[bytes, bytes], wanted: set[str]) -> bool:
    """A signature worth verifying: by a wanted domain, whole body, not rsa-sha1."""
    domain = tags.get(b"d", b"").decode("ascii", "replace").lower()
    algorithm = tags.get(b"a", b"").lower()
    return domain in wanted and b"l" not in tags and algorithm != b"rsa-sha1"


def _unguarded_threading(raw: bytes, fields: list[Field]) -> Counter[bytes]:
    """The In-Reply-To/References fields a valid signature must cover: all of them when
    the Subject names no case. A Subject with [OO#n] names the case itself, and a staff
    mail whose headers name another customer's case is held back (case_threading.
    staff_names_two_cases); with none, the headers alone choose the case."""
    subjects = [f.value(raw).decode("utf-8", "replace") for f in fields if f.name == b"subject"]
    if len(subjects) == 1 and find_reference(subjects[0]) is not None:
        return Counter()
    return Counter(f.name for f in fields if f.name in THREAD_FIELDS)


def _signs_threading(tags: dict[bytes, bytes], present: Counter[bytes]) -> bool:
    """Does the signature cover every In-Reply-To and References field of the mail?
    They choose the case a staff mail acts on (its commands, the customer it is relayed
    to), and RFC 6376 5.4.1 only recommends signing them: a signed staff mail replayed
    with one added on top (an instance h= does not count, 5.4.2) would still verify and
    act on whichever case that names, even with no [OO#n] in its subject to catch it."""
    signed = Counter(name.strip().lower() for name in tags.get(b"h", b"").split(b":"))
    return all(signed[name] >= count for name, count in present.items())


def _tags(value: bytes) -> dict[bytes, bytes]:
    try:
        found: dict[bytes, bytes] = parse_tag_value(b"".join(value.split()))  # FWS is insignificant
        return found
    except dkim.InvalidTagValueList:
        return {}


def _from_domains(raw: bytes, fields: list[Field]) -> set[str]:
    """The domain of the one From field's address; empty for none or several."""
    values = [field.value(raw) for field in fields if field.name == b"from"]
    if len(values) != 1:
        return set()
    text = values[0].decode("utf-8", "replace")
    return {address.rpartition("@")[2].lower() for _name, address in getaddresses([text])}
