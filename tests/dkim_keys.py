"""A DKIM signer of our own for tests: a fresh RSA key, and the DNS it would publish.

`DkimKey.lookup` stands in for dkimpy's TXT lookup, so the daemon verifies real
signatures without DNS.
"""

from __future__ import annotations

import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SIGNED_HEADERS = [b"from", b"to", b"subject", b"message-id", b"in-reply-to", b"references"]


class DkimKey:
    def __init__(self, domain: str = "oo.dk", selector: str = "sel2026") -> None:
        self.domain, self.selector = domain, selector
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
        self.lookups: list[bytes] = []

    def sign(self, raw: bytes, *, domain: str | None = None, length: bool = False) -> bytes:
        """`raw` with a DKIM-Signature on top (d= `domain`, default this key's)."""
        signature = dkim.sign(
            raw,
            self.selector.encode(),
            (domain or self.domain).encode(),
            self.private_pem,
            include_headers=[name for name in SIGNED_HEADERS if _has(raw, name)],
            length=length,
        )
        return signature + raw

    def lookup(self, name: bytes, timeout: float = 5) -> bytes | None:
        """dkimpy's dnsfunc: the TXT record at `name`, as DNS would answer."""
        self.lookups.append(name)
        if name == f"{self.selector}._domainkey.{self.domain}.".encode():
            return self.record
        return None


def _has(raw: bytes, name: bytes) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(name + b":") or b"\n" + name + b":" in head
