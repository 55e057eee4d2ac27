"""BR-8's own example, "cannot print, everyone affected": a printer's fault without the
whole office is not critical, and the learned second opinion is not asked to say otherwise
(Rule.scope_decides). Found by CI: after tune18's retrain the model called the integration
tests' one-printer mails critical ("Printeren er gået i stå. Den blinker rødt." p 0.77).
The sentences are new, written for this test; each is judged by classify() as a whole,
model included."""

from __future__ import annotations

import pytest

from daemon.domain.triage import classify

ONE_PRINTER = [
    ("Printeren er gået i stå", "Den blinker rødt."),
    ("Printer", "Hej\n\nVores printer nr. 7 virker ikke.\n\nMvh Lone"),
    ("Printeren på 1. sal", "Printeren på 1. sal blinker orange og vil ikke printe. Kan I kigge?"),
    ("Printer stuck", "Hi, the printer by the kitchen is stuck again, blinking red. Thanks, Ann"),
    ("Printer virker ikke (12)", "Hej\n\nVores printer nr. 12 virker ikke.\n\nMvh Kunde 12"),
]

EVERYONE = [
    ("Labelprintere", "Ingen af labelprinterne på lageret udskriver, og bilerne venter."),
    ("Print", "Hverken jeg eller Bo kan printe fakturaerne, begge pc'er siger 'Printer offline'."),
    ("Kan ikke printe", "Ingen af os kan printe, printeren svarer ikke."),
    ("Printing down", "Nobody in the office can print since this morning."),
]


@pytest.mark.parametrize(("subject", "body"), ONE_PRINTER)
def test_one_printers_fault_is_not_critical_whatever_the_wording(subject: str, body: str) -> None:
    found = classify(subject, body)

    assert not found.critical, found


@pytest.mark.parametrize(("subject", "body"), EVERYONE)
def test_printing_down_for_everyone_is_critical(subject: str, body: str) -> None:
    found = classify(subject, body)

    assert found.critical, found
