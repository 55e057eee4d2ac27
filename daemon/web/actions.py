"""The console's actions on a case: each a POST form, done through App.work (the same
code as `oo-support cases ...`), recorded with the signed-in supporter as the actor.

A done action redirects back to the case (303) with a fixed note; one that cannot be
done shows the case again with the reason (400), and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from daemon.case_reads import NoSuchCase
from daemon.case_work import Refused
from daemon.domain.billing import KINDS, MAX_MINUTES, ONCALL_FEE, Fee, fee_amount
from daemon.domain.sla import Priority

if TYPE_CHECKING:
    from daemon.web.console import Console
    from daemon.web.sessions import Session

MAX_TEXT_CHARS = 100_000
STATUSES = ("open", "waiting", "closed")

DONE = {
    "reply": "Reply queued for sending to the customer.",
    "note": "Internal note added.",
    "status": "Status changed.",
    "priority": "Priority changed; the deadlines follow.",
    "assign": "Assigned.",
    "time": "Time logged.",
    "untime": "Time entry taken back.",
    "project": "Project marking changed.",
    "fee": "Fee added.",
}


class Invalid(Exception):
    """A form field that is wrong; the message says which."""


def _field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _text(form: FormData) -> str:
    text = _field(form, "text").replace("\r\n", "\n").strip("\n")
    if not text.strip():
        raise Invalid("the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(f"the text is longer than {MAX_TEXT_CHARS} characters")
    return text


def _choice(form: FormData, name: str, allowed: tuple[str, ...]) -> str:
    value = _field(form, name)
    if value not in allowed:
        raise Invalid(f"{name} must be one of {', '.join(allowed)}")
    return value


def _reply(console: Console, number: int, form: FormData, actor: str) -> None:
    console.app.work.reply(number, actor, _text(form))
    console.after_commit()


def _note(console: Console, number: int, form: FormData, actor: str) -> None:
    console.app.work.note(number, actor, _text(form))


def _status(console: Console, number: int, form: FormData, actor: str) -> None:
    console.app.work.apply(number, "status", _choice(form, "status", STATUSES), actor)
    console.after_commit()  # closing may queue mail to the customer


def _priority(console: Console, number: int, form: FormData, actor: str) -> None:
    levels = tuple(p.value for p in Priority)
    console.app.work.apply(number, "priority", _choice(form, "priority", levels), actor)


def _assign(console: Console, number: int, form: FormData, actor: str) -> None:
    email = _field(form, "email").strip()
    if not email or len(email) > 320 or any(c in email for c in "\r\n"):
        raise Invalid("the assignee must be one email address")
    console.app.work.apply(number, "assign", email, actor)
    console.after_commit()


def _time(console: Console, number: int, form: FormData, actor: str) -> None:
    try:
        minutes = int(_field(form, "minutes"))
    except ValueError:
        raise Invalid("minutes must be a whole number") from None
    if not 0 < minutes <= MAX_MINUTES:
        raise Invalid(f"minutes must be 1..{MAX_MINUTES}")
    console.app.work.add_time(number, minutes, _choice(form, "kind", KINDS), actor)


def _untime(console: Console, number: int, form: FormData, actor: str) -> None:
    """Take back a time entry logged by mistake, as `oo-support time remove`."""
    try:
        entry = int(_field(form, "entry"))
    except ValueError:
        raise Invalid("no time entry named") from None
    console.app.work.remove_time(number, entry, actor)


def _project(console: Console, number: int, form: FormData, actor: str) -> None:
    """Mark or unmark; when marking, the senior rate and an agreed time as the CLI's
    `cases project --senior --estimate 4h` (BR-15, BR-18 example 4)."""
    from daemon.domain.durations import DurationError, parse_duration

    on = _choice(form, "project", ("on", "off")) == "on"
    estimate = _field(form, "estimate").strip() if on else ""
    try:
        minutes = parse_duration(estimate) if estimate else None
    except DurationError as exc:
        raise Invalid(str(exc)) from None
    console.app.work.mark_project(
        number,
        actor,
        on=on,
        senior=(_field(form, "senior") == "1") if on else None,
        estimate_minutes=minutes,
    )


def _fee(console: Console, number: int, form: FormData, actor: str) -> None:
    if _field(form, "oncall") == "1":
        console.app.work.add_fee(
            number, ONCALL_FEE, actor, oncall=True, force=_field(form, "force") == "1"
        )
        return
    description = _field(form, "description").strip()
    if not description or len(description) > 500:
        raise Invalid("a fee needs a description (at most 500 characters)")
    try:
        amount = fee_amount(_field(form, "amount"))
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    console.app.work.add_fee(number, Fee(description, amount), actor)


ACTIONS: dict[str, Callable[[Console, int, FormData, str], None]] = {
    "reply": _reply,
    "note": _note,
    "status": _status,
    "priority": _priority,
    "assign": _assign,
    "time": _time,
    "untime": _untime,
    "project": _project,
    "fee": _fee,
}


def perform(console: Console, request: Request, session: Session, form: FormData) -> Response:
    from daemon.web import pages

    number = pages.case_number(request)
    name = request.path_params["action"]
    action = ACTIONS.get(name)
    if action is None:
        raise HTTPException(404, "No such action.")
    try:
        action(console, number, form, session.email)
    except NoSuchCase as exc:
        raise HTTPException(404, str(exc)) from None
    except (Invalid, Refused) as exc:
        return pages.case_page(console, request, session, error=f"{name}: {exc}", status=400)
    return RedirectResponse(f"/cases/{number}?done={name}", status_code=303)
