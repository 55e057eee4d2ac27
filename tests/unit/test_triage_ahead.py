"""Triage worked out ahead, in a parsing worker (daemon/pipeline/triage.py
`worked_out_ahead`): the same result as the triage step's own (BR-8, BR-9), only for
mail that may open a case, and used by the step instead of classifying again."""

from dataclasses import replace
from datetime import UTC, datetime

from harness import compose_mail, customer_mail

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.case_threading import CaseView
from daemon.domain.language import detect_language
from daemon.domain.triage import classify, default_rules
from daemon.domain.triage.model import Triage as TriageResult
from daemon.inbound import InboundMail, Outcome
from daemon.mail.quotes import new_text
from daemon.pipeline.batch import Candidates, Run
from daemon.pipeline.dedupe import Dedupe
from daemon.pipeline.plan import Plan
from daemon.pipeline.read import read
from daemon.pipeline.route import Route
from daemon.pipeline.step import Tools
from daemon.pipeline.triage import Triage, worked_out_ahead
from daemon.settings import Settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday, office hours
SETTINGS = Settings()
RULES = default_rules()
OUTAGE = compose_mail(
    sender="Kunde <kunde@firma.dk>", subject="Alt er nede",
    body="Hej\n\nIngen af os kan logge på serveren, alle står stille.\n\nMvh Kunde",
    message_id="<outage@firma.dk>",
)


def prepared(raw: bytes):
    return read(InboundMail(raw, "imap:INBOX", NOW, 1, 1), SETTINGS)


def test_ahead_gives_what_the_step_would_work_out() -> None:
    item = worked_out_ahead(prepared(OUTAGE), RULES)

    assert item.parsed is not None
    said = new_text(item.parsed.body_text)
    assert item.said == said
    assert item.triage == classify(item.parsed.subject, said, RULES)
    assert item.language == detect_language(item.parsed.subject, item.parsed.body_text)
    assert item.language == "da"


def test_mail_that_opens_no_case_is_not_classified_ahead() -> None:
    automatic = compose_mail(
        sender="Kunde <kunde@firma.dk>", subject="Fraværende", body="Jeg er på ferie.",
        message_id="<away@firma.dk>", headers={"Auto-Submitted": "auto-replied"},
    )
    item = worked_out_ahead(prepared(automatic), RULES)

    assert item.outcome is Outcome.IGNORED
    assert (item.triage, item.language) == (None, None)


def test_the_step_takes_the_triage_found_ahead() -> None:
    # A verdict no rule would give this mail shows that the step did not classify again.
    ahead = TriageResult(priority="low", critical=False, rule="ahead", reason="set ahead")
    item = replace(worked_out_ahead(prepared(customer_mail(1)), RULES), triage=ahead,
                   language="en")
    tools = Tools(SETTINGS, renderer=None, calendar=BusinessCalendar())  # type: ignore[arg-type]
    run = Run(conn=None, now=NOW, plans=[Plan(item)])  # type: ignore[arg-type]
    run.__dict__["stored"] = {}
    run.__dict__["candidates"] = Candidates({}, {}, {})
    run.__dict__["customers"] = {}
    for step in (Dedupe(tools), Route(tools), Triage(tools)):
        step.process(run, run.plans[0])

    new_case = run.plans[0].new_case
    assert new_case is not None
    assert (new_case.priority, new_case.triage_rule, new_case.language) == ("low", "ahead", "en")


def test_a_reply_on_a_case_keeps_the_new_text_found_ahead() -> None:
    # The worker cut the quotes for the triage (Prepared.said); the route step takes
    # that text for the reply on its case rather than cutting them again in the pass's
    # thread. A text new_text would never give shows which one was taken.
    reply = compose_mail(
        sender="Kunde <kunde@firma.dk>", subject="Re: Alt er nede",
        body="Nu virker det igen.\n\n> Ingen af os kan logge på serveren.\n",
        message_id="<reply@firma.dk>", in_reply_to="<outage@firma.dk>",
    )
    item = worked_out_ahead(prepared(reply), RULES)
    assert item.said == "Nu virker det igen."  # the worker's cut, as new_text gives it
    item = replace(item, said="cut ahead")
    case = CaseView(id=7, number=100007, status="open", customer_email="kunde@firma.dk",
                    customer_domain="firma.dk", resolved_at=None,
                    participants=frozenset({"kunde@firma.dk"}))
    tools = Tools(SETTINGS, renderer=None, calendar=BusinessCalendar())  # type: ignore[arg-type]
    run = Run(conn=None, now=NOW, plans=[Plan(item)])  # type: ignore[arg-type]
    run.__dict__["stored"] = {}
    run.__dict__["candidates"] = Candidates({}, {"<outage@firma.dk>": (case,)}, {})
    for step in (Dedupe(tools), Route(tools)):
        step.process(run, run.plans[0])

    plan = run.plans[0]
    assert plan.case == case
    assert plan.body_text == "cut ahead"
