"""Header fields of raw mail: the listener removes Authentication-Results on arrival
(RFC 8601 section 5) and keeps every other byte."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.mail.header_block import header_fields, return_path_field, without_fields

AR = b"authentication-results"


def test_every_authentication_results_field_goes_with_its_continuation_lines() -> None:
    raw = (
        b"Authentication-Results: mx.oo.dk; dkim=pass header.d=oo.dk\r\n"
        b"From: Jens <jens@oo.dk>\r\n"
        b"AUTHENTICATION-RESULTS: mx.oo.dk;\r\n\tdkim=pass\r\n  header.d=oo.dk\r\n"
        b"Subject: Re: [OO#1] x\r\n"
        b'authentication-results:"mx.oo.dk"; spf=pass\r\n'
        b"\r\n"
        b"Authentication-Results: in the body stays\r\n"
    )
    assert without_fields(raw, AR) == (
        b"From: Jens <jens@oo.dk>\r\n"
        b"Subject: Re: [OO#1] x\r\n"
        b"\r\n"
        b"Authentication-Results: in the body stays\r\n"
    )


@pytest.mark.parametrize("newline", [b"\r\n", b"\n", b"\r"])
def test_line_ends_are_those_the_stdlib_parser_sees(newline: bytes) -> None:
    raw = newline.join(
        [b"From: a@oo.dk", b"Authentication-Results: x;", b" dkim=pass", b"To: b", b"", b"body"]
    )
    kept = without_fields(raw, AR)
    assert kept == newline.join([b"From: a@oo.dk", b"To: b", b"", b"body"])
    parsed = email.message_from_bytes(kept, policy=email.policy.compat32)
    assert parsed.get_all("Authentication-Results") is None


def test_mail_without_the_field_is_returned_unchanged() -> None:
    raw = b"From: a@oo.dk\r\nSubject: x\r\n\r\nAuthentication-Results: body\r\n"
    assert without_fields(raw, AR) is raw


def test_a_line_that_is_not_a_header_ends_the_header_section_as_for_the_stdlib() -> None:
    raw = b"From: a@oo.dk\r\nthis is no header\r\nAuthentication-Results: x; none\r\n\r\n"
    assert without_fields(raw, AR) == raw
    assert [f.name for f in header_fields(raw)] == [b"from"]


def test_field_values_are_unfolded_without_the_name() -> None:
    raw = b"From: a@oo.dk\r\nDKIM-Signature: v=1; d=oo.dk;\r\n\ts=sel\r\n\r\nbody"
    [_from, signature] = header_fields(raw)
    assert signature.name == b"dkim-signature"
    assert signature.value(raw) == b"v=1; d=oo.dk;\ts=sel"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Authentication-Results", "Received", "From", "X-A"]),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        ),
        max_size=8,
    ),
    st.binary(max_size=100),
)
def test_only_those_fields_are_removed_and_the_rest_is_kept_byte_for_byte(
    fields: list[tuple[str, str]], body: bytes
) -> None:
    head = b"".join(f"{name}: {value}\r\n".encode() for name, value in fields)
    raw = head + b"\r\n" + body
    kept_head = b"".join(
        f"{name}: {value}\r\n".encode()
        for name, value in fields
        if name != "Authentication-Results"
    )
    assert without_fields(raw, AR) == kept_head + b"\r\n" + body


def test_several_fields_go_and_a_prefix_comes_in_one_copy() -> None:
    raw = (b"Return-Path: <forged@evil.example>\r\nAuthentication-Results: mx; dkim=pass\r\n"
           b"From: a@b.dk\r\n\r\nbody\r\n")
    assert without_fields(
        raw, b"authentication-results", b"return-path", prefix=b"Return-Path: <a@b.dk>\r\n"
    ) == b"Return-Path: <a@b.dk>\r\nFrom: a@b.dk\r\n\r\nbody\r\n"
    clean = b"From: a@b.dk\r\n\r\nbody\r\n"
    assert without_fields(clean, b"return-path", prefix=b"X: y\r\n") == b"X: y\r\n" + clean


def test_the_return_path_line_holds_the_envelope_sender_and_nothing_that_breaks_it() -> None:
    assert return_path_field("kunde@firma.dk") == b"Return-Path: <kunde@firma.dk>\r\n"
    assert return_path_field("") == b"Return-Path: <>\r\n"  # a bounce
    assert return_path_field("a@b.dk>\r\nBcc: x@y.dk") == b"Return-Path: <a@b.dkBcc: x@y.dk>\r\n"
