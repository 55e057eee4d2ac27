"""Answer in Danish unless the customer clearly wrote English."""

import pytest

from daemon.domain.language import detect_language


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Printeren virker ikke", "Hej, vores printer på kontoret virker ikke. Mvh Søren", "da"),
        ("Printer does not work", "Hi, our printer is broken and we cannot print. Regards", "en"),
        ("Help", "Hello, the VPN does not work from home. Thanks, Søren Hansen", "en"),
        ("VPN", "", "da"),  # nothing to go by: the default is Danish
        ("", "Hej\n\nKan I hjælpe med Outlook?\n\nMed venlig hilsen", "da"),
    ],
)
def test_detect_language(subject: str, body: str, expected: str) -> None:
    assert detect_language(subject, body) == expected
