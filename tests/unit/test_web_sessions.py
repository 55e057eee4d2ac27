"""Session cookies and CSRF tokens of the web console (daemon/web/sessions.py)."""

from __future__ import annotations

import pytest

from daemon.web.sessions import SessionCodec, new_session

KEY = b"k" * 32
T0 = 1_800_000_000.0


def test_a_cookie_round_trips_within_its_lifetime() -> None:
    codec = SessionCodec(KEY, 3600)
    session = new_session("anna@oo.dk", T0)
    assert codec.decode(codec.encode(session), T0 + 3599) == session


def test_an_expired_cookie_or_one_from_the_future_is_no_session() -> None:
    codec = SessionCodec(KEY, 3600)
    cookie = codec.encode(new_session("anna@oo.dk", T0))
    assert codec.decode(cookie, T0 + 3601) is None
    assert codec.decode(cookie, T0 - 10) is None


@pytest.mark.parametrize("cookie", ["", "x", "a.b", "....", "%%%.%%%", "a" * 5000])
def test_malformed_cookies_are_no_session(cookie: str) -> None:
    assert SessionCodec(KEY, 3600).decode(cookie, T0) is None


def test_a_cookie_signed_with_another_key_is_no_session() -> None:
    cookie = SessionCodec(b"o" * 32, 3600).encode(new_session("anna@oo.dk", T0))
    assert SessionCodec(KEY, 3600).decode(cookie, T0) is None


def test_a_changed_cookie_body_breaks_its_signature() -> None:
    codec = SessionCodec(KEY, 3600)
    body, mac = codec.encode(new_session("anna@oo.dk", T0)).split(".")
    other_body = codec.encode(new_session("bo@oo.dk", T0)).split(".")[0]
    assert codec.decode(f"{other_body}.{mac}", T0) is None
    assert codec.decode(f"{body}.{mac}", T0) is not None


def test_the_csrf_token_fits_its_own_session_only() -> None:
    codec = SessionCodec(KEY, 3600)
    mine, theirs = new_session("anna@oo.dk", T0), new_session("anna@oo.dk", T0)
    assert codec.csrf_ok(mine, codec.csrf_token(mine))
    assert not codec.csrf_ok(mine, codec.csrf_token(theirs))
    assert not codec.csrf_ok(mine, None) and not codec.csrf_ok(mine, "")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        SessionCodec(b"short", 3600)


def test_a_sealed_value_comes_back_only_for_its_purpose_and_in_time() -> None:
    codec = SessionCodec(KEY, 3600)
    sealed = codec.seal("oidc-flow", {"state": "s1"}, T0)
    assert codec.unseal("oidc-flow", sealed, T0 + 599, 600) == {"state": "s1"}
    assert codec.unseal("oidc-flow", sealed, T0 + 601, 600) is None
    assert codec.unseal("other", sealed, T0, 600) is None
    assert codec.unseal("oidc-flow", sealed[:-2] + "xx", T0, 600) is None


@pytest.mark.parametrize("token", ["æøå", "\ufffd\ufffd", "\udcff", "x" * 10_000])
def test_a_csrf_token_of_any_characters_is_refused_not_an_error(token: str) -> None:
    # A form posted in another charset (or by hand): the token is not ASCII. It was a
    # TypeError from hmac.compare_digest, a 500 for any visitor of the login page.
    codec = SessionCodec(KEY, 3600)
    assert not codec.csrf_ok(new_session("", T0), token)
