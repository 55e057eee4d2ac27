"""Sample data for every template, rendered through the code that renders it in service.

Used by `check-config` (one row per template) and by the daemon at start and on SIGHUP
(`render_all`), so a template that needs a value the daemon does not give fails there,
not on a customer's mail or in the middle of the night's on-call page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace

from daemon import alert_queue
from daemon.domain.ack_policy import AckHours
from daemon.domain.alerts import CRITICAL_ALERT_RULE, ONCALL_PAGE, ONCALL_SUBJECT, alert_rules
from daemon.domain.billing import ONCALL_FEE, Rates
from daemon.domain.language import Language
from daemon.domain.monthly_billing import DatedWork
from daemon.mail import compose
from daemon.mail.render import TemplateRenderer
from daemon.outputs import reports
from daemon.settings import Settings
from daemon.store.repository import BillingInputs

# Renders one template's samples; returns the template files it used.
Sample = Callable[[TemplateRenderer, Settings, datetime], list[str]]


def _sample_ack(language: Language) -> Sample:
    def render(renderer: TemplateRenderer, settings: Settings, now: datetime) -> list[str]:
        back = now + timedelta(days=1)
        # Every branch: in hours; after hours on an ordinary evening, on a named closed
        # day (today, and a day before), on an unnamed one; by mail and by phone,
        # critical or not; with a name to greet and without.
        for hours in (
            AckHours(outside_hours=False, closed_day=None, today=True, back_at=None),
            AckHours(outside_hours=True, closed_day=None, today=True, back_at=back),
            AckHours(outside_hours=True, closed_day="skærtorsdag", today=True, back_at=back),
            AckHours(outside_hours=True, closed_day="skærtorsdag", today=False, back_at=back),
            AckHours(outside_hours=True, closed_day="", today=True, back_at=back),
            AckHours(outside_hours=True, closed_day="", today=False, back_at=back),
        ):
            for channel, critical, name in (
                ("email", False, "Søren Kunde"),
                ("email", True, "IT-afdelingen"),
                ("phone", False, "Søren Kunde"),
                ("phone", True, ""),
            ):
                compose.acknowledgement(
                    renderer=renderer,
                    support=settings.support,
                    case_number=100001,
                    case_subject="Printeren på 2. sal virker ikke <b>",
                    language=language,
                    customer_name=name,
                    customer_addr="kunde@example.dk",
                    answered=compose.Answered("<sample@example.dk>", []),
                    received_at=now,
                    review_due=now + timedelta(hours=1),
                    hours=hours,
                    now=now,
                    channel=channel,
                    critical=critical,
                )
        names = [f"ack.{language}.txt.j2", f"ack.{language}.html.j2"]
        return [name for name in names if renderer.exists(name)]

    return render


def _sample_reply(renderer: TemplateRenderer, settings: Settings, now: datetime) -> list[str]:
    compose.staff_reply(
        renderer=renderer,
        support=settings.support,
        case_number=100001,
        case_subject="Printeren virker ikke",
        staff_name="Sample Supporter",
        staff_email="supporter@example.dk",
        body="Hej Søren\n\nPrinteren er genstartet og virker igen.",
        customer_addr="kunde@example.dk",
        answered=compose.Answered("<sample@example.dk>", []),
        language="da",
        now=now,
    )
    return ["reply.txt.j2"]


def _sample_command_error(
    renderer: TemplateRenderer, settings: Settings, now: datetime
) -> list[str]:
    compose.command_errors(
        renderer=renderer,
        support=settings.support,
        case_number=100001,
        staff_email="supporter@example.dk",
        errors=["#priority urgent: not one of high, medium, normal, low"],
        answered=compose.Answered("<sample@example.dk>", []),
        now=now,
    )
    return ["command_error.txt.j2"]


def _sample_alert(renderer: TemplateRenderer, settings: Settings, now: datetime) -> list[str]:
    def case(number: int, subject: str, agreement: bool) -> SimpleNamespace:
        return SimpleNamespace(
            number=number,
            subject=subject,
            customer_email="kunde@example.dk",
            agreement=agreement,
            priority="high",
            critical=True,
            triage_rule="server down",
            critical_reason='server down: "serveren er nede"',
            created_at=now,
        )

    one = case(100001, "Serveren er nede", False)
    more = [one, case(100002, "Ingen kan logge på", True), case(100003, "Printer <b>", True)]
    rules = alert_rules(timedelta(minutes=15), timedelta(minutes=30))
    # Every kind, as the template words some of them differently, about one case and
    # about several; the page has no deadline, and may tell of a cap.
    for kind, title, deadline, withheld in [
        *((rule.kind, rule.subject, now, 0) for rule in rules),
        (ONCALL_PAGE, ONCALL_SUBJECT, None, 0),
        (ONCALL_PAGE, ONCALL_SUBJECT, None, 3),
        (CRITICAL_ALERT_RULE.kind, CRITICAL_ALERT_RULE.subject, now, 0),
    ]:
        for listed in ([one], more):
            pairs = [(row, deadline) for row in listed]
            alert_queue.alert_text(renderer, settings, kind, title, pairs, withheld)
    return ["alert.txt.j2"]


def _sample_report(renderer: TemplateRenderer, settings: Settings, now: datetime) -> list[str]:
    tz = settings.support.timezone
    month = f"{now.year:04d}-{now.month:02d}"
    start, end = reports.month_bounds(month, tz)
    case = SimpleNamespace(
        id=1,
        number=100001,
        subject="Printeren virker ikke <b>",
        priority="normal",
        critical=False,
        channel="email",
        agreement=True,
        project=False,
        created_at=start,
        first_response_at=start + timedelta(minutes=30),
        resolved_at=None,
        response_due=start + timedelta(hours=4),
        resolve_due=start + timedelta(days=2),
    )
    with_case = reports.assemble_report(
        month,
        tz,
        start,
        end,
        {"example.dk": [case]},
        {1: [DatedWork(start, 45, "support", True), DatedWork(start, 20, "project", False)]},
        {"example.dk": ("Eksempel A/S", True)},
        None,
        now,
        # A fee too, so every kind of billed line is rendered.
        {1: BillingInputs([], [ONCALL_FEE], Rates(), [start])},
    )
    empty = reports.assemble_report(month, tz, start, end, {}, {}, {}, "example.dk", now)
    for report in (with_case, empty):  # a month with cases, and a customer without any
        reports.report_html(report, renderer)
    return [reports.REPORT_TEMPLATE]


TEMPLATE_SAMPLES: list[tuple[str, Sample]] = [
    ("ack.da", _sample_ack("da")),
    ("ack.en", _sample_ack("en")),
    ("reply", _sample_reply),
    ("command_error", _sample_command_error),
    ("alert", _sample_alert),
    ("report", _sample_report),
]


def render_all(renderer: TemplateRenderer, settings: Settings, now: datetime) -> None:
    """Render every sample; raises (a jinja2 TemplateError) on the first broken one."""
    for _name, render in TEMPLATE_SAMPLES:
        render(renderer, settings, now)
