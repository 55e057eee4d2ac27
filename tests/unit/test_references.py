"""The case reference `[OO#<number>]` (BR-3)."""

import pytest

from daemon.domain.references import find_reference, format_reference, tagged_subject


def test_format() -> None:
    assert format_reference(100042) == "[OO#100042]"


@pytest.mark.parametrize(
    "subject",
    [
        "[OO#100042] Printer",
        "SV: [OO#100042] Printer",
        "Re: VS: AW: Fwd: [ oo # 100042 ] Printer",
        "Printer [OO#100042]",
    ],
)
def test_reference_found_through_prefixes_and_spacing(subject: str) -> None:
    assert find_reference(subject) == 100042


@pytest.mark.parametrize("subject", ["Printer", "OO#100042", "[OO#] x", "[XX#100042]"])
def test_no_reference(subject: str) -> None:
    assert find_reference(subject) is None


def test_tagged_subject_adds_the_tag_once() -> None:
    assert tagged_subject(100042, "Printer") == "[OO#100042] Printer"
    assert tagged_subject(100042, "SV: [OO#100042] Printer") == "SV: [OO#100042] Printer"
    assert tagged_subject(100042, "") == "[OO#100042]"


def test_strip_references_removes_every_tag() -> None:
    from daemon.domain.references import strip_references

    assert strip_references("Re: [OO#100001] hej [ oo # 2 ]") == "Re: hej"
    assert strip_references("Printer") == "Printer"
