"""Steps of the pipeline read alone, without a database: the run is given what the
database would answer (its looked-up `stored` and `candidates`)."""

import importlib
from datetime import UTC, datetime, timedelta

from harness import customer_mail

from daemon.domain.case_threading import CaseView, participants
from daemon.inbound import InboundMail
from daemon.pipeline import STEPS
from daemon.pipeline.acknowledge import Acknowledge
from daemon.pipeline.alert_critical import AlertCritical
from daemon.pipeline.batch import Candidates, Run
from daemon.pipeline.conversation import Conversation
from daemon.pipeline.dedupe import Dedupe
from daemon.pipeline.plan import Plan, PlanKind
from daemon.pipeline.read import read
from daemon.pipeline.route import Route
from daemon.pipeline.step import Tools
from daemon.pipeline.store import Store
from daemon.pipeline.triage import Triage
from daemon.settings import Settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SETTINGS = Settings()
TOOLS = Tools(SETTINGS, renderer=None, calendar=None)  # type: ignore[arg-type]


def case(status: str = "open", closed_days_ago: int | None = None) -> CaseView:
    return CaseView(
        id=7, number=100007, status=status, customer_email="kunde1@firma1.dk",
        customer_domain="firma1.dk",
        resolved_at=NOW - timedelta(days=closed_days_ago) if closed_days_ago else None,
        participants=participants(["kunde1@firma1.dk"]), registered_customer=True,
    )


def run_of(*raws: bytes, by_number: dict[int, CaseView] | None = None,
           channel: str = "email") -> Run:
    plans = [
        Plan(read(InboundMail(raw, "imap:INBOX", NOW, 1, uid, channel=channel), SETTINGS))
        for uid, raw in enumerate(raws, 1)
    ]
    run = Run(conn=None, now=NOW, plans=plans)  # type: ignore[arg-type]
    run.__dict__["stored"] = {}  # nothing stored yet
    run.__dict__["candidates"] = Candidates(by_number or {}, {}, {})
    for step in (Dedupe(TOOLS), Route(TOOLS)):
        for plan in run.plans:
            step.process(run, plan)
    return run


def test_store_comes_before_the_steps_that_need_its_ids() -> None:
    order = list(STEPS)
    assert order.index(Dedupe) < order.index(Route) < order.index(Store)
    assert order.index(Store) < order.index(Acknowledge)
    assert order.index(Store) < order.index(Conversation)
    # The customer's ack is queued before the staff's alert about the same case.
    assert order.index(Triage) < order.index(Acknowledge) < order.index(AlertCritical)


def test_every_deciding_step_says_which_business_rule_it_follows() -> None:
    for step in STEPS:
        doc = importlib.import_module(step.__module__).__doc__ or ""
        assert doc.strip(), step
        if step.__name__ not in ("Store", "LogOutcome"):  # they decide nothing
            assert "BR-" in doc, step


def test_second_copy_in_one_batch_repeats_the_first() -> None:
    first, second = run_of(customer_mail(1), customer_mail(1)).plans
    assert first.kind is PlanKind.CUSTOMER and first.opens_case
    assert second.kind is PlanKind.DUPLICATE and second.repeats is first


def test_reply_by_tag_to_a_recently_closed_case_reopens_it() -> None:
    [plan] = run_of(customer_mail(1, subject="SV: [OO#100007] printer"),
                    by_number={100007: case("closed", 3)}).plans
    assert (plan.kind, plan.opens_case, plan.reopen, plan.case) == (
        PlanKind.CUSTOMER, False, True, case("closed", 3))


def test_reply_to_a_case_closed_long_ago_opens_a_new_linked_case() -> None:
    [plan] = run_of(customer_mail(1, subject="SV: [OO#100007] printer"),
                    by_number={100007: case("closed", 60)}).plans
    assert plan.opens_case and plan.linked == case("closed", 60)


def test_stranger_naming_a_case_gets_a_new_one() -> None:
    [plan] = run_of(customer_mail(2, subject="[OO#100007] hej", sender="x@evil.example"),
                    by_number={100007: case()}).plans
    assert plan.opens_case and plan.linked is None and "may not join" in plan.why


def test_phone_call_is_always_a_new_case() -> None:
    [plan] = run_of(customer_mail(1, subject="[OO#100007] ring"), channel="phone",
                    by_number={100007: case()}).plans
    assert (plan.kind, plan.opens_case) == (PlanKind.PHONE, True)
