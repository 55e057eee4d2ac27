"""One spelling of a domain for comparing (redteam25a: customers missed by spelling)."""

from __future__ import annotations

import pytest

from daemon.domain.domain_names import ascii_domain, canonical_domain


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        ("kunde.dk", "kunde.dk"),
        ("Kunde.DK", "kunde.dk"),
        ("kunde.dk.", "kunde.dk"),  # the root's dot
        (" KUNDE.dk. ", "kunde.dk"),
        ("xn--blbr-roah.dk", "blåbær.dk"),  # the ASCII form of an IDN
        ("XN--BLBR-ROAH.DK", "blåbær.dk"),
        ("BLÅBÆR.dk", "blåbær.dk"),
        ("mail.xn--rdgrd-vuad.dk", "mail.rødgrød.dk"),
    ],
)
def test_one_domain_in_its_spellings_compares_equal(written: str, compared: str) -> None:
    assert canonical_domain(written) == compared


@pytest.mark.parametrize(
    "other",
    [
        "xn--kunde-.dk",  # encodes plain "kunde": not an IDN label, not kunde.dk
        "ｋｕｎｄｅ.dk",  # full-width letters: another name, no NFKC mapping
        "kunde.dk..",  # not a domain; only the one root dot is dropped
        "xn--zz!!.dk",  # no punycode at all
    ],
)
def test_a_look_alike_stays_another_domain(other: str) -> None:
    assert canonical_domain(other) != "kunde.dk"


def test_the_wire_form_is_ascii_and_maps_back() -> None:
    assert ascii_domain("blåbær.dk") == "xn--blbr-roah.dk"
    assert ascii_domain("kunde.dk") == "kunde.dk"
    assert canonical_domain(ascii_domain("mail.rødgrød.dk")) == "mail.rødgrød.dk"
