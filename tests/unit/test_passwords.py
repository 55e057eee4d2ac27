"""Hashes of the SMTP listener's staff logins ([smtp_in] users)."""

from __future__ import annotations

import pytest

from daemon.passwords import hash_password, is_password_hash, password_matches


def test_a_hash_checks_its_own_password_only() -> None:
    encoded = hash_password("kodeord æøå")
    assert is_password_hash(encoded)
    assert password_matches("kodeord æøå".encode(), encoded)
    assert not password_matches(b"kodeord", encoded)
    assert hash_password("kodeord æøå") != encoded  # salted


@pytest.mark.parametrize(
    "text",
    [
        "kodeord",  # a password where its hash belongs
        "",
        "scrypt$16384$8$1$c2FsdA==",
        "scrypt$16384$8$1$!!!$c2FsdHNhbHRzYWx0c2FsdA==",
        "scrypt$1000$8$1$c2FsdA==$c2FsdHNhbHRzYWx0c2FsdA==",  # n not a power of two
        "scrypt$1073741824$8$1$c2FsdA==$c2FsdHNhbHRzYWx0c2FsdA==",  # gigabytes of memory
        "pbkdf2$1$c2FsdA==$c2FsdA==",
    ],
)
def test_anything_else_is_no_hash_and_matches_nothing(text: str) -> None:
    assert not is_password_hash(text)
    assert not password_matches(b"kodeord", text)
