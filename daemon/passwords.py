"""Password hashes for the SMTP listener's staff logins ([smtp_in] users).

scrypt from the standard library, written as scrypt$N$r$p$salt$hash (base64),
so the config holds no password and a leaked config is slow to brute-force.
Make a hash with:  python -m daemon.passwords   (asks for the password)
"""

from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import hmac
import os
import re

_FORMAT = re.compile(r"scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)")
# 16 MB and some 50 ms per check: slow for guessing, fine for a login.
_N, _R, _P = 2**14, 8, 1
_MAX_MEMORY = 64 * 1024 * 1024


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"scrypt${_N}${_R}${_P}${encoded[0]}${encoded[1]}"


def is_password_hash(text: str) -> bool:
    """Is `text` a hash `password_matches` can check (and not a password by mistake)?"""
    return _parse(text) is not None


def password_matches(password: bytes, encoded: str) -> bool:
    parsed = _parse(encoded)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    digest = hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=len(expected)
    )
    return hmac.compare_digest(digest, expected)


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    found = _FORMAT.fullmatch(encoded.strip())
    if found is None:
        return None
    n, r, p = (int(found[i]) for i in (1, 2, 3))
    # Parameters scrypt accepts, within memory (128 * r * n bytes) and time.
    if not (n > 1 and n & (n - 1) == 0 and 1 <= r <= 64 and 1 <= p <= 16):
        return None
    if 128 * r * n > _MAX_MEMORY // 2:
        return None
    try:
        salt, digest = (base64.b64decode(found[i], validate=True) for i in (4, 5))
    except binascii.Error:
        return None
    return (n, r, p, salt, digest) if len(digest) >= 16 else None


if __name__ == "__main__":
    print(hash_password(getpass.getpass("password: ")))
