"""One spelling of a mail domain, for comparing it (customers by domain, BR-19, BR-22)
and one for sending to it.

The same domain reaches us written in several ways: `Kunde.DK` (domains have no case),
`kunde.dk.` (the root's dot, written by some mailers and scripts), and an
internationalised name either as typed, `blåbær.dk`, or in its ASCII form,
`xn--blbr-roah.dk` (IDNA, RFC 5890), which older clients and most relays write. An
operator may list a customer in either form. Compared as written, each of these
missed the customer: the case was opened as "no agreement" and billed as such.
"""

from __future__ import annotations

_ACE_PREFIX = "xn--"


def canonical_domain(name: str) -> str:
    """`name` as domains are compared: lower case, no root dot, each ASCII-encoded
    label (`xn--...`) as the Unicode label it stands for.

    Only a label that is the exact encoding of a name with a non-ASCII letter is
    decoded (RFC 5890 2.3.2.1): `xn--kunde-` decodes to plain `kunde`, and taking it
    for kunde.dk would let anyone at a domain of their own pass for the customer.
    Nothing else is mapped (no NFKC: a full-width `ｏｏ.dk` stays another name).
    """
    name = name.strip().lower().removesuffix(".")
    return ".".join(_unicode_label(label) for label in name.split("."))


def ascii_domain(name: str) -> str:
    """`name` with each non-ASCII label in its ASCII form, as an address is written
    on the wire without SMTPUTF8 (RFC 5890); `name` itself when it is ASCII, or when
    a label cannot be encoded."""
    if name.isascii():
        return name
    labels = []
    for label in name.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(_ACE_PREFIX + label.lower().encode("punycode").decode("ascii"))
        except UnicodeError:
            return name
    return ".".join(labels)


def ascii_address(address: str) -> str:
    """`address` as it can go on the wire without SMTPUTF8: an internationalised
    domain in its ASCII form. A non-ASCII local part has none (it needs SMTPUTF8)."""
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{ascii_domain(domain)}" if at else address


def _unicode_label(label: str) -> str:
    if not label.startswith(_ACE_PREFIX):
        return label
    try:
        decoded = label[len(_ACE_PREFIX) :].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label
    if decoded.isascii() or ascii_domain(decoded) != label:
        return label  # not the one encoding of an internationalised label
    return decoded
