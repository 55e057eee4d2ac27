"""The threshold guard's collection of mails the suite expects not to be critical
(benchmarks/triage_guard.py, issue 16, tune20): that it still finds them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from benchmarks import triage_guard as guard
from daemon.domain.triage.learned import WEIGHTS, judged_text

# An assertion in an integration test that a case came out normal or not critical.
_ASSERTS_NORMAL = re.compile(
    r"^\s*assert\b[^\n]*(?:\"normal\"|critical\"?\]? is False|\bnot critical\b)", re.MULTILINE
)


def _helpers_called(tree: ast.AST, names: set[str]) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id in names for node in ast.walk(tree))


def test_every_integration_file_asserting_a_normal_case_has_its_mails_collected() -> None:
    # A new integration test that asserts a normal case must build its mail in a way the
    # collection reads (keywords, a helper's named parameters, --subject/--body, a
    # parametrize naming subject and body), or use a helper of tests/harness.py whose
    # defaults are collected; else the guard would not know its mail.
    harness = ast.parse(guard.HARNESS.read_text(encoding="utf-8"))
    shared = guard._positions(harness)
    assert list(guard._pairs(harness, shared)), "tests/harness.py's mail defaults"
    asserting = [p for p in sorted(guard.INTEGRATION.glob("test_*.py"))
                 if _ASSERTS_NORMAL.search(p.read_text(encoding="utf-8"))]
    assert len(asserting) >= 5  # the detection itself still finds them
    for path in asserting:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {**shared, **guard._positions(tree)}
        pairs = list(guard._pairs(tree, helpers))
        assert pairs or _helpers_called(tree, set(shared)), path.name
        # And no mail in it the collection cannot read (review20): a pair found elsewhere
        # in the file does not vouch for this one.
        assert guard._unread(tree, helpers) == [], path.name


def test_the_collection_reads_each_way_a_test_writes_a_mail() -> None:
    source = '''
def mail(sender="a@b.dk", subject="Default subject", body="Default body text"):
    return sender
def built(index, subject=None, body=None):
    return subject or "Built subject", body or f"Built body {index}"
def case(config, at, subject, body):
    return config
send(subject="Keyword subject", body="Keyword body")
case(None, "10:00", "Positional subject", "Positional body")
run_cli("cases", "new", "--subject", "Cli subject", "--body", "Cli body")
@pytest.mark.parametrize(("now", "subject", "body"), [("10:00", "Row subject", "Row body")])
def test_x(now, subject, body):
    pass
'''
    tree = ast.parse(source)
    pairs = set(guard._pairs(tree, guard._positions(tree)))
    assert pairs >= {("Default subject", "Default body text"), ("Built subject", "Built body 1"),
                     ("Keyword subject", "Keyword body"), ("Positional subject", "Positional body"),
                     ("Cli subject", "Cli body"), ("Row subject", "Row body")}


def test_integration_mails_are_the_normal_ones_the_model_is_asked_about() -> None:
    mails = guard.integration_mails()
    pairs = {(m.subject, m.body) for m in mails}
    # test_imap_ingest's and test_ack_wording's Outlook mail: normal, left to the model.
    assert ("Outlook does not start", "Hi, Outlook does not start on my laptop this morning. "
            "Could you help? Thanks") in pairs
    # The one-printer mail that failed CI after tune18 is ruled out by the printing scope
    # (BR-8's own example): no model is asked, so it is no guard mail.
    assert not any(m.subject == "Printeren er gået i stå" for m in mails)
    assert all(guard.asked_text(m.subject, m.body) == m.text for m in mails)


def test_a_mail_is_flagged_from_the_threshold_its_probability_reaches() -> None:
    text = judged_text("VPN", "Jeg kan ikke få forbindelse til VPN hjemmefra.")
    mail = guard.GuardMail("here", "VPN", "Jeg kan ikke få forbindelse til VPN hjemmefra.", text)
    found = guard.flagged([mail], WEIGHTS, (0.0, 1.0))
    [(flagged_mail, p)] = found[0.0]
    assert flagged_mail == mail and 0.0 < p < 1.0
    assert found[1.0] == []


def test_the_guard_runs_from_the_shipped_weights_path() -> None:
    assert Path(WEIGHTS).is_file()


def test_a_mail_written_as_a_module_constant_is_collected() -> None:
    # review20: a scratch integration test building its normal mail from module-level
    # constants (customer_mail(1, subject=QUIET[0], body=QUIET[1]), asserting "normal")
    # was not collected, and the sync test above still passed (the file calls a harness
    # helper): the guard would not have known the mail.
    source = '''
QUIET = ("Tuple subject", "Tuple body")
SUBJECT = "Named subject"
BODY = "Named body"
customer_mail(1, subject=QUIET[0], body=QUIET[1])
customer_mail(2, subject=SUBJECT, body=BODY)
'''
    tree = ast.parse(source)
    helpers = {"customer_mail": (None, None)}
    pairs = set(guard._pairs(tree, helpers))
    assert pairs >= {("Tuple subject", "Tuple body"), ("Named subject", "Named body")}
    assert guard._unread(tree, helpers) == []


def test_a_mail_the_collection_cannot_read_is_named() -> None:
    source = '''
def send(subject, body):
    customer_mail(1, subject=subject, body=body)
for subject, body in mails():
    customer_mail(3, subject=subject, body=body)
customer_mail(4, subject=make_subject(), body="Body")
'''
    tree = ast.parse(source)
    unread = guard._unread(tree, {"customer_mail": (None, None)})
    assert [line for line, _ in unread] == [5, 6]
