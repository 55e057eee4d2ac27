"""Verified staff: a staff-domain sender proven only by evidence we produced or trust
(INTERFACE.md "Staff by email", RFC 8601)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.staff import (
    ListenerProof,
    is_staff_domain,
    topmost_results,
    trusted_results,
    verified_staff,
)

STAFF = ["oo.dk"]
TRUSTED = ["mx.oo.dk"]
Trace = list[tuple[str, str]]


def ar(value: str) -> tuple[str, str]:
    return ("authentication-results", value)


def received(by: str = "from mail.example by mx.oo.dk with ESMTPS") -> tuple[str, str]:
    return ("received", by)


# As Postfix with OpenDKIM writes it (folded as received, unfolded by parse.py).
DKIM_PASS = ar(
    "mx.oo.dk;\tdkim=pass (2048-bit key; unprotected) header.d=oo.dk "
    'header.i=@oo.dk header.s=sel2024 header.a=rsa-sha256 header.b="AbCdEf12"'
)
PASS = "dkim=pass header.d=oo.dk header.s=sel"
DELIVERY = received("from mx.oo.dk by imap.oo.dk with LMTP")  # the mailbox's own hop


def staff(trace: Trace, sender: str = "jens@oo.dk", **kwargs: object) -> bool:
    return verified_staff(sender, trace, STAFF, TRUSTED, **kwargs)  # type: ignore[arg-type]


# Every way to be believed without being staff: the forgeries seen first, then more.
FORGERIES: list[tuple[str, Trace]] = [
    # -- ids that are not exactly the trusted one
    ("quoted authserv-id", [ar(f'"mx.oo.dk"; {PASS}')]),
    ("trailing dot", [ar(f"mx.oo.dk.; {PASS}")]),
    ("comment before the id", [ar(f"(x)mx.oo.dk; {PASS}")]),
    ("upper-case id", [ar(f"MX.OO.DK; {PASS}")]),
    ("version after the id", [ar(f"mx.oo.dk 1; {PASS}")]),
    (
        "pass below the border's spf=fail",
        [ar("mx.oo.dk; spf=fail"), received(), ar(f"mx.oo.dk; {PASS}")],
    ),
    ("pass right below the border's spf=fail", [ar("mx.oo.dk; spf=fail"), ar(f"mx.oo.dk; {PASS}")]),
    ("spf=pass alone", [ar("mx.oo.dk; spf=pass smtp.mailfrom=jens@oo.dk smtp.helo=mail.oo.dk")]),
    ("spf=pass for the bare domain", [ar("mx.oo.dk; spf=pass smtp.mailfrom=oo.dk")]),
    # -- more spellings of the id
    ("comment after the id", [ar(f"mx.oo.dk (Postfix); {PASS}")]),
    ("escaped quote in the id", [ar(f'"mx.oo.dk\\""; {PASS}')]),
    ("mixed-case id", [ar(f"Mx.oo.dk; {PASS}")]),
    ("version glued to the id", [ar(f"mx.oo.dk/1; {PASS}")]),
    ("version 1 with a comment", [ar(f"mx.oo.dk 1 (v); {PASS}")]),
    ("cyrillic o in the id", [ar(f"mx.\u043e\u043e.dk; {PASS}")]),
    ("fullwidth semicolon", [ar(f"mx.oo.dk\uff1b {PASS}")]),
    ("id of a subdomain", [ar(f"x.mx.oo.dk; {PASS}")]),
    ("id with a suffix", [ar(f"mx.oo.dk.evil.example; {PASS}")]),
    ("no authserv-id at all", [ar(f"{PASS}; spf=pass smtp.mailfrom=oo.dk")]),
    # -- position: only the border's own fields, at the top, count
    ("untrusted field above the trusted pass", [ar("evil.example; none"), ar(f"mx.oo.dk; {PASS}")]),
    ("id-less field above the trusted pass", [ar(f"{PASS}"), ar(f"mx.oo.dk; {PASS}")]),
    (
        "untrusted field between trusted ones",
        [ar("mx.oo.dk; spf=none"), ar("evil; none"), ar(f"mx.oo.dk; {PASS}")],
    ),
    (
        "pass below an older hop",
        [
            DELIVERY,
            ar("mx.oo.dk; spf=none smtp.mailfrom=oo.dk"),
            received(),
            ar(f"mx.oo.dk; {PASS}"),
        ],
    ),
    (
        "pass below the border's dkim=fail",
        [ar("mx.oo.dk; dkim=fail header.d=oo.dk"), received(), ar(f"mx.oo.dk; {PASS}")],
    ),
    (
        "pass right below the border's dkim=fail",
        [ar("mx.oo.dk; dkim=fail header.d=oo.dk"), ar(f"mx.oo.dk; {PASS}")],
    ),
    (
        "pass right below the border's dkim=none",
        [ar("mx.oo.dk; dkim=none"), ar(f"mx.oo.dk; {PASS}")],
    ),
    (
        "pass right below the border's dmarc=fail",
        [ar("mx.oo.dk; dmarc=fail header.from=oo.dk"), ar(f"mx.oo.dk; {PASS}")],
    ),
    ("fail and pass in one field", [ar(f"mx.oo.dk; dkim=fail header.d=oo.dk; {PASS}")]),
    ("dkim pass with dmarc fail", [ar(f"mx.oo.dk; {PASS}; dmarc=fail header.from=oo.dk")]),
    (
        "dkim pass with spf hard fail for the domain",
        [ar(f"mx.oo.dk; spf=fail smtp.mailfrom=jens@oo.dk; {PASS}")],
    ),
    # -- for the From domain, exactly
    ("dkim pass for a subdomain", [ar("mx.oo.dk; dkim=pass header.d=sub.oo.dk")]),
    ("dkim pass for a domain ending in it", [ar("mx.oo.dk; dkim=pass header.d=xoo.dk")]),
    (
        "dkim pass for a domain starting with it",
        [ar("mx.oo.dk; dkim=pass header.d=oo.dk.evil.example")],
    ),
    ("dkim pass for the parent", [ar("mx.oo.dk; dkim=pass header.d=dk")]),
    ("dkim pass with a trailing dot", [ar("mx.oo.dk; dkim=pass header.d=oo.dk.")]),
    ("dkim pass for a cyrillic lookalike", [ar("mx.oo.dk; dkim=pass header.d=\u043e\u043e.dk")]),
    ("header.i only", [ar("mx.oo.dk; dkim=pass header.i=@oo.dk header.s=sel")]),
    (
        "header.i of the sender, header.d of another",
        [ar("mx.oo.dk; dkim=pass header.i=jens@oo.dk header.d=evil.example")],
    ),
    (
        "two header.d, the other first",
        [ar("mx.oo.dk; dkim=pass header.d=evil.example header.d=oo.dk")],
    ),
    ("two header.d, ours first", [ar("mx.oo.dk; dkim=pass header.d=oo.dk header.d=evil.example")]),
    ("dkim pass for no stated domain", [ar("mx.oo.dk; dkim=pass header.s=sel")]),
    ("dmarc pass for another domain", [ar("mx.oo.dk; dmarc=pass header.from=evil.example")]),
    ("dmarc pass for no stated domain", [ar("mx.oo.dk; dmarc=pass")]),
    ("spf pass by helo", [ar("mx.oo.dk; spf=pass smtp.helo=oo.dk")]),
    # -- results hidden where they are not data
    (
        "pass in a comment",
        [ar("mx.oo.dk; dkim=fail (dkim=pass header.d=oo.dk) header.d=evil.example")],
    ),
    ("pass in a comment of no result", [ar("mx.oo.dk; none (dkim=pass header.d=oo.dk)")]),
    ("pass in a nested comment", [ar("mx.oo.dk; auth=none (a (b; dkim=pass header.d=oo.dk) c)")]),
    ("pass in a quoted reason", [ar('mx.oo.dk; auth=none reason="x; dkim=pass header.d=oo.dk"')]),
    (
        "pass in a quoted local part",
        [ar('mx.oo.dk; spf=pass smtp.mailfrom="a;dkim=pass header.d=oo.dk;"@evil.example')],
    ),
    ("pass as a property of another method", [ar("mx.oo.dk; auth=pass dkim=pass header.d=oo.dk")]),
    ("junk before the method", [ar("mx.oo.dk; x dkim=pass header.d=oo.dk")]),
    ("junk after the properties", [ar("mx.oo.dk; dkim=pass header.d=oo.dk ,")]),
    ("cyrillic a in pass", [ar("mx.oo.dk; dkim=p\u0430ss header.d=oo.dk")]),
    ("unterminated comment swallows the domain", [ar("mx.oo.dk; dkim=pass (header.d=oo.dk")]),
    ("nothing at all", []),
    ("only Received fields", [received(), received()]),
]

GENUINE: list[tuple[str, Trace]] = [
    ("OpenDKIM's field", [DKIM_PASS]),
    ("no blank after the id", [ar("mx.oo.dk;dkim=pass header.d=oo.dk")]),
    ("a tab before the semicolon", [ar("mx.oo.dk\t; dkim=pass header.d=oo.dk")]),
    ("keywords and domain in upper case", [ar("mx.oo.dk; DKIM=PASS header.d=OO.DK")]),
    ("method with a version", [ar("mx.oo.dk; dkim/1=pass header.d=oo.dk")]),
    ("quoted property value", [ar('mx.oo.dk; dkim = pass header.d = "oo.dk"')]),
    ("comment without blanks", [ar("mx.oo.dk; dkim=pass(good)header.d=oo.dk")]),
    ("dmarc pass", [ar("mx.oo.dk; dmarc=pass (p=reject dis=none) header.from=oo.dk")]),
    (
        "one field per filter",
        [
            ar("mx.oo.dk; spf=pass smtp.mailfrom=oo.dk"),
            DKIM_PASS,
            ar("mx.oo.dk; dmarc=pass header.from=oo.dk"),
        ],
    ),
    ("below later hops of our own", [DELIVERY, received("by relay.oo.dk"), DKIM_PASS]),
    (
        "older fields below do not count either way",
        [DKIM_PASS, received(), ar("mx.oo.dk; dkim=fail header.d=oo.dk")],
    ),
    ("an untrusted field below ours", [DKIM_PASS, ar("evil.example; dkim=fail header.d=oo.dk")]),
    (
        "a failing signature of another domain",
        [ar("mx.oo.dk; dkim=pass header.d=oo.dk; dkim=fail header.d=esp.example")],
    ),
    (
        "spf fail for a bounce domain",
        [ar("mx.oo.dk; spf=fail smtp.mailfrom=b@esp.example; dkim=pass header.d=oo.dk")],
    ),
    (
        "spf softfail for the domain",
        [ar("mx.oo.dk; spf=softfail smtp.mailfrom=oo.dk; dkim=pass header.d=oo.dk")],
    ),
    ("header.i next to header.d", [ar("mx.oo.dk; dkim=pass header.d=oo.dk header.i=jens@oo.dk")]),
]


@pytest.mark.parametrize(("name", "trace"), FORGERIES, ids=[name for name, _ in FORGERIES])
def test_forged_or_insufficient_authentication_is_not_staff(name: str, trace: Trace) -> None:
    assert not staff(trace)


@pytest.mark.parametrize(("name", "trace"), GENUINE, ids=[name for name, _ in GENUINE])
def test_the_border_mtas_own_pass_for_the_from_domain_is_staff(name: str, trace: Trace) -> None:
    assert staff(trace)


def test_each_forgery_fails_for_its_own_reason_not_for_want_of_a_pass() -> None:
    """The same field with the trusted id written plainly does make staff (so the
    forgery tests above are not passing because their pass was unreadable)."""
    for spelling in ['"mx.oo.dk"', "mx.oo.dk.", "(x)mx.oo.dk", "MX.OO.DK", "mx.oo.dk 1"]:
        assert not staff([ar(f"{spelling}; {PASS}")])
    assert staff([ar(f"mx.oo.dk; {PASS}")])


def test_the_gmail_style_result_passes_by_dmarc_not_by_header_i() -> None:
    value = (
        "mx.google.com; dkim=pass header.i=@oo.dk header.s=s1 header.b=abc; "
        "spf=pass (google.com: domain of jens@oo.dk designates 192.0.2.1 as permitted sender) "
        "smtp.mailfrom=jens@oo.dk; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=oo.dk"
    )
    assert verified_staff("jens@oo.dk", [ar(value)], STAFF, ["mx.google.com"])
    without_dmarc = value.rpartition(";")[0]
    assert not verified_staff("jens@oo.dk", [ar(without_dmarc)], STAFF, ["mx.google.com"])


def test_the_configured_id_is_compared_as_written() -> None:
    assert not verified_staff("jens@oo.dk", [ar(f"mx.oo.dk; {PASS}")], STAFF, ["MX.oo.dk"])
    assert verified_staff("jens@oo.dk", [ar(f"mx.oo.dk; {PASS}")], STAFF, [" mx.oo.dk "])
    assert not verified_staff("jens@oo.dk", [ar(f"; {PASS}")], STAFF, ["", " "])
    assert not verified_staff("jens@oo.dk", [ar(f"mx.oo.dk; {PASS}")], STAFF, [])


def test_a_parent_domain_pass_does_not_verify_a_subdomain_sender() -> None:
    trace = [ar("mx.oo.dk; dkim=pass header.d=oo.dk")]
    assert not verified_staff("jens@support.oo.dk", trace, ["oo.dk", "support.oo.dk"], TRUSTED)
    assert verified_staff("jens@oo.dk", trace, ["oo.dk", "support.oo.dk"], TRUSTED)


def test_sender_case_does_not_matter_but_its_domain_must_be_a_staff_domain() -> None:
    assert staff([DKIM_PASS], sender="Jens@OO.DK")
    assert staff([DKIM_PASS], sender="<jens@oo.dk>")
    assert not staff([ar("mx.oo.dk; dkim=pass header.d=firma.dk")], sender="kunde@firma.dk")
    assert not staff([DKIM_PASS], sender="jens@oo.dk.")  # header.d=oo.dk is another name
    assert not staff([DKIM_PASS], sender="oo.dk")


@pytest.mark.parametrize("from_fields", [0, 2, 3])
def test_a_mail_without_exactly_one_from_field_is_not_staff(from_fields: int) -> None:
    assert not staff([DKIM_PASS], from_fields=from_fields)
    proof = ListenerProof(smtp_login="jens@oo.dk", dkim_domains=frozenset({"oo.dk"}))
    assert not staff([], from_fields=from_fields, listener=proof)


# -- mail from the SMTP listener: only what the listener verified itself --------------


def test_listener_mail_ignores_every_authentication_results_field() -> None:
    assert staff([DKIM_PASS])
    assert not staff([DKIM_PASS], listener=ListenerProof())


@pytest.mark.parametrize("login", ["jens@oo.dk", "JENS@oo.dk", " jens@oo.dk "])
def test_listener_smtp_login_equal_to_the_from_address_is_staff(login: str) -> None:
    assert staff([], listener=ListenerProof(smtp_login=login))


@pytest.mark.parametrize("login", ["mette@oo.dk", "jens@sub.oo.dk", "jens", "", None])
def test_listener_smtp_login_of_another_address_is_not_staff(login: str | None) -> None:
    assert not staff([], listener=ListenerProof(smtp_login=login))


def test_listener_login_never_makes_a_customer_address_staff() -> None:
    proof = ListenerProof(smtp_login="kunde@firma.dk")
    assert not staff([], sender="kunde@firma.dk", listener=proof)


@pytest.mark.parametrize(
    ("signers", "expected"),
    [
        ({"oo.dk"}, True),
        ({"esp.example", "oo.dk"}, True),
        ({"sub.oo.dk"}, False),
        ({"dk"}, False),
        ({"oo.dk."}, False),
        (set(), False),
    ],
)
def test_listener_dkim_counts_only_for_the_from_domain(signers: set[str], expected: bool) -> None:
    assert staff([], listener=ListenerProof(dkim_domains=frozenset(signers))) is expected


# -- the parts ---------------------------------------------------------------------------


def test_topmost_results_stop_at_the_next_received_or_foreign_field() -> None:
    trace = [
        DELIVERY,
        ar("mx.oo.dk; spf=pass smtp.mailfrom=oo.dk"),
        ar("mx.oo.dk; dkim=pass header.d=oo.dk"),
        received(),
        ar("mx.oo.dk; dmarc=pass header.from=oo.dk"),
    ]
    assert [r.method for r in topmost_results(trace, TRUSTED)] == ["spf", "dkim"]
    assert topmost_results([ar("other; dkim=pass"), *trace[1:]], TRUSTED) == []


def test_semicolons_and_parentheses_inside_comments_and_quotes_do_not_split_results() -> None:
    value = (
        'mx.oo.dk; spf=fail reason="x; dkim=pass header.d=oo.dk" smtp.mailfrom=oo.dk;'
        " dkim=fail (nested (comment; dkim=pass header.d=oo.dk) here) header.d=oo.dk"
    )
    assert not staff([ar(value)])
    results = trusted_results(value, TRUSTED)
    assert results is not None
    assert [(result.method, result.result) for result in results] == [
        ("spf", "fail"),
        ("dkim", "fail"),
    ]


@pytest.mark.parametrize(
    "address", ["jens@oo.dk", "JENS@OO.DK", "<jens@oo.dk>", " jens@oo.dk ", "a.b+c@oo.dk"]
)
def test_staff_domain_addresses(address: str) -> None:
    assert is_staff_domain(address, STAFF)


@pytest.mark.parametrize(
    "address", ["jens@firma.dk", "jens@sub.oo.dk", "jens@xoo.dk", "oo.dk", "@oo.dk", "", "jens@"]
)
def test_not_staff_domain_addresses(address: str) -> None:
    assert not is_staff_domain(address, STAFF)


@pytest.mark.parametrize(
    "value",
    [
        "",
        ";",
        ";;;",
        "mx.oo.dk",
        "mx.oo.dk;",
        "mx.oo.dk; dkim",
        "mx.oo.dk; dkim=",
        "mx.oo.dk; =pass",
        'mx.oo.dk; dkim=pass header.d="oo.dk',  # unterminated quote
        "mx.oo.dk; dkim=pass (unterminated comment header.d=oo.dk",
        "mx.oo.dk; dkim=pass header.d=oo.dk)))",
        "\\",
        '"',
        "mx.oo.dk; dkim=pass header.d=\\",
    ],
)
def test_malformed_fields_never_raise(value: str) -> None:
    assert isinstance(staff([ar(value)]), bool)


@given(
    st.lists(
        st.tuples(st.sampled_from(["received", "authentication-results"]), st.text(max_size=200)),
        max_size=5,
    ),
    st.text(max_size=60),
)
def test_any_input_gives_an_answer_without_raising(trace: Trace, sender: str) -> None:
    assert isinstance(verified_staff(sender, trace, STAFF, TRUSTED), bool)


@given(st.lists(st.text(max_size=200), max_size=4))
def test_fields_from_untrusted_servers_never_verify(values: list[str]) -> None:
    assert not staff([ar(f"relay.example.net; {value}") for value in values])


@given(st.text(max_size=200))
def test_nothing_written_below_the_border_fail_makes_staff(value: str) -> None:
    """Whatever a sender writes under the border's own verdict of dkim=fail."""
    assert not staff([ar("mx.oo.dk; dkim=fail header.d=oo.dk"), ar(value)])
    assert not staff([ar("mx.oo.dk; dkim=fail header.d=oo.dk"), received(), ar(value)])
