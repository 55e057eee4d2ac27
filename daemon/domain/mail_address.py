"""Is a typed value an address or a domain name? For what an operator or a supporter
types (the config, the command line), not for what mail carries: the parser reads any
header leniently (daemon/mail/addresses.py), while a value the daemon will send to or
match mail against must be usable, and is refused at once when it is not.
"""

from __future__ import annotations

import re

# A domain name as the DNS writes it, Danish letters (IDN) included: dot-separated labels
# of letters, digits and inner hyphens. "@oo.dk", "oo dk" or "https://x.dk" is a slip
# that would match no mail's domain, silently.
_DOMAIN_NAME = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)*[^\W_](?:[\w-]*[^\W_])?")
# The local part of a bare address (no display name, no angle brackets, no spaces).
_LOCAL_PART = re.compile(r'[^\s@<>()\[\],;:"\\]+')


def is_domain_name(text: str) -> bool:
    return _DOMAIN_NAME.fullmatch(text) is not None


def is_mail_address(text: str) -> bool:
    """`local@domain`, as written, with nothing around it."""
    local, at, domain = text.rpartition("@")
    return bool(at) and _LOCAL_PART.fullmatch(local) is not None and is_domain_name(domain)
