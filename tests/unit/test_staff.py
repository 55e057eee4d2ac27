"""Verified staff: a staff-domain sender proven by a trusted Authentication-Results
(INTERFACE.md "Staff by email", RFC 8601)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daemon.domain.staff import is_staff_domain, parse_authentication_results, verified_staff

STAFF = ["oo.dk"]
TRUSTED = ["mx.oo.dk"]

# As Postfix with OpenDKIM and an SPF policy daemon write them (folded as received).
DKIM_PASS = (
    "mx.oo.dk;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=oo.dk "
    'header.i=@oo.dk header.s=sel2024 header.a=rsa-sha256 header.b="AbCdEf12"'
)
SPF_PASS = (
    "mx.oo.dk; spf=pass (sender SPF authorized) smtp.mailfrom=jens@oo.dk smtp.helo=mail.oo.dk"
)


def staff(sender: str, *results: str) -> bool:
    return verified_staff(sender, list(results), STAFF, TRUSTED)


def test_dkim_pass_for_the_senders_domain_verifies_staff() -> None:
    assert staff("jens@oo.dk", DKIM_PASS)


def test_spf_pass_for_the_senders_domain_verifies_staff() -> None:
    assert staff("jens@oo.dk", SPF_PASS)


def test_spf_mailfrom_written_as_a_bare_domain_counts() -> None:
    assert staff("jens@oo.dk", "mx.oo.dk; spf=pass smtp.mailfrom=oo.dk")


def test_several_results_in_one_field_and_a_version_after_the_authserv_id() -> None:
    value = (
        "mx.oo.dk 1; spf=fail smtp.mailfrom=bounce.example.com;"
        " dkim=pass header.d=oo.dk header.s=sel; dmarc=pass header.from=oo.dk"
    )
    assert staff("jens@oo.dk", value)


def test_case_of_domains_ids_methods_and_results_does_not_matter() -> None:
    assert staff("Jens@OO.DK", "MX.OO.DK; DKIM=Pass header.d=Oo.Dk")
    assert verified_staff(
        "jens@oo.dk", ["mx.oo.dk; dkim=pass header.d=oo.dk"], ["OO.dk"], ["MX.oo.DK"]
    )


def test_a_quoted_authserv_id_and_spaces_around_equals_are_read() -> None:
    assert staff("jens@oo.dk", '"mx.oo.dk"; dkim = pass header.d = "oo.dk"')


def test_header_i_domain_counts_for_dkim() -> None:
    assert staff("jens@oo.dk", "mx.oo.dk; dkim=pass header.i=jens@oo.dk header.s=sel")


def test_an_untrusted_authserv_id_is_no_evidence() -> None:
    # The sender wrote this one: anybody can add a header claiming a pass.
    assert not staff("jens@oo.dk", "attacker.example; dkim=pass header.d=oo.dk")


def test_only_an_untrusted_field_saying_pass_is_no_evidence() -> None:
    assert not staff(
        "jens@oo.dk",
        "mx.oo.dk; dkim=fail header.d=oo.dk; spf=softfail smtp.mailfrom=oo.dk",
        "mail.attacker.example; dkim=pass header.d=oo.dk; spf=pass smtp.mailfrom=oo.dk",
    )


def test_a_trusted_pass_in_any_of_several_fields_counts() -> None:
    # One MTA often writes a field per filter (SPF, DKIM, DMARC).
    assert staff(
        "jens@oo.dk",
        "mail.attacker.example; dkim=fail header.d=oo.dk",
        "mx.oo.dk; spf=none smtp.mailfrom=oo.dk",
        DKIM_PASS,
    )


@pytest.mark.parametrize(
    "result", ["fail", "none", "softfail", "neutral", "temperror", "permerror", "policy", ""]
)
def test_results_other_than_pass_do_not_verify(result: str) -> None:
    assert not staff("jens@oo.dk", f"mx.oo.dk; dkim={result} header.d=oo.dk")
    assert not staff("jens@oo.dk", f"mx.oo.dk; spf={result} smtp.mailfrom=jens@oo.dk")


@pytest.mark.parametrize(
    "value",
    [
        "mx.oo.dk; dkim=pass header.d=example.com",
        "mx.oo.dk; dkim=pass header.d=sub.oo.dk",  # a subdomain is another domain
        "mx.oo.dk; dkim=pass header.d=oo.dk.example.com",
        "mx.oo.dk; dkim=pass header.i=@example.com",
        "mx.oo.dk; spf=pass smtp.mailfrom=jens@example.com",
        "mx.oo.dk; spf=pass smtp.helo=oo.dk",  # HELO says nothing about the sender
        "mx.oo.dk; dkim=pass header.s=sel",  # pass for no stated domain
        "mx.oo.dk; dmarc=pass header.from=oo.dk",  # not a method INTERFACE.md names
        "mx.oo.dk; dkim=pass (header.d=oo.dk) header.d=example.com",  # a comment is not data
        "mx.oo.dk; none",
    ],
)
def test_a_pass_for_another_domain_does_not_verify(value: str) -> None:
    assert not staff("jens@oo.dk", value)


def test_a_parent_domain_pass_does_not_verify_a_subdomain_sender() -> None:
    assert not verified_staff(
        "jens@support.oo.dk",
        ["mx.oo.dk; dkim=pass header.d=oo.dk"],
        ["oo.dk", "support.oo.dk"],
        TRUSTED,
    )


def test_a_sender_outside_the_staff_domains_is_never_staff() -> None:
    assert not staff("kunde@firma.dk", "mx.oo.dk; dkim=pass header.d=firma.dk")
    assert not staff("jens@oo.dk.firma.dk", "mx.oo.dk; dkim=pass header.d=oo.dk.firma.dk")


def test_no_authentication_results_is_not_staff() -> None:
    assert not staff("jens@oo.dk")


def test_a_field_without_an_authserv_id_is_not_trusted() -> None:
    # Some services write results with no authserv-id; they cannot be attributed.
    assert not staff("jens@oo.dk", "dkim=pass header.d=oo.dk; spf=pass smtp.mailfrom=oo.dk")
    assert not verified_staff("jens@oo.dk", ["dkim=pass header.d=oo.dk"], STAFF, ["", "mx.oo.dk"])


def test_semicolons_and_parentheses_inside_comments_and_quotes_do_not_split_results() -> None:
    value = (
        'mx.oo.dk; spf=fail reason="x; dkim=pass header.d=oo.dk" smtp.mailfrom=oo.dk;'
        " dkim=fail (nested (comment; dkim=pass header.d=oo.dk) here) header.d=oo.dk"
    )
    assert not staff("jens@oo.dk", value)
    authserv_id, results = parse_authentication_results(value)
    assert authserv_id == "mx.oo.dk"
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
    assert isinstance(staff("jens@oo.dk", value), bool)


def test_an_unterminated_comment_hides_the_pass_it_swallows() -> None:
    assert not staff("jens@oo.dk", "mx.oo.dk; dkim=pass (header.d=oo.dk")


@given(st.lists(st.text(max_size=200), max_size=4), st.text(max_size=60))
def test_any_input_gives_an_answer_without_raising(values: list[str], sender: str) -> None:
    assert isinstance(verified_staff(sender, values, STAFF, TRUSTED), bool)


@given(st.lists(st.text(max_size=200), max_size=4))
def test_fields_from_untrusted_servers_never_verify(values: list[str]) -> None:
    untrusted = [f"relay.example.net; {value}" for value in values]
    assert not staff("jens@oo.dk", *untrusted)
