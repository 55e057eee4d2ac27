"""The console's pages: what each shows, read through App.reads (no SQL here).

Each function runs in a worker thread and returns the response. Times are shown in
[support] timezone; countdowns come from daemon/domain/countdown.py at the app's clock.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from daemon.case_reads import NoSuchCase
from daemon.domain import countdown
from daemon.domain.file_names import BIDI_CONTROLS, safe_file_name
from daemon.domain.sla import Priority
from daemon.mail.quotes import new_text

if TYPE_CHECKING:
    from daemon.web.console import Console
    from daemon.web.sessions import Session

PRIORITIES = tuple(p.value for p in Priority)
MAX_QUERY_CHARS = 500
# A stored attachment type shaped like type/subtype, else served as bytes.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
# Bidirectional overrides and isolates: shown as a visible mark, so a file name or a
# subject cannot reorder what staff read (U+202E "gnp.exe").
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def case_number(request: Request) -> int:
    """The case number of the path; one no case can have is a 404, not a database error."""
    number = int(request.path_params["number"])
    if not 0 < number < 2**62:
        raise HTTPException(404, f"no case {number}")
    return number


def inert(text: str | None) -> str:
    return _BIDI.sub("\N{REPLACEMENT CHARACTER}", text or "")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _local(value: str | None, zone: ZoneInfo) -> str:
    at = _parse(value)
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""


def _with_countdowns(case: dict[str, Any], console: Console) -> dict[str, Any]:
    app = console.app
    times = {
        k: _parse(case[k])
        for k in ("review_due", "reviewed_at", "response_due", "first_response_at",
                  "resolve_due", "resolved_at")
    }
    counts = countdown.case_countdowns(
        times, app.clock(), app.calendar, priority=case["priority"], critical=case["critical"]
    )
    return {**case, "countdowns": counts, "nearest": countdown.nearest(counts)}


MAX_PAGE = 1_000_000


def queue_page(console: Console, request: Request, session: Session) -> Response:
    app = console.app
    q = request.query_params
    query = q.get("q", "").strip()[:MAX_QUERY_CHARS]
    show = q.get("show", "")  # "", "mine", "unassigned"
    priority = q.get("priority", "")
    customer = q.get("customer", "").strip().lstrip("@").lower()[:255]
    overdue = q.get("overdue") == "1"
    try:
        # At most MAX_PAGE: a larger one (a tampered link) put an OFFSET past the
        # database's bigint into the query, a 500; past the last page is just empty.
        page = min(max(1, int(q.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page = 1
    size = console.page_size
    customers: list[str] = []
    if query:
        found = app.reads.search(query, console.page_size)
        total = len(found)
    else:
        found, total, customers = app.reads.queue(
            customer_domain=customer or None,
            priority=priority if priority in PRIORITIES else None,
            assignee=session.email if show == "mine" else None,
            unassigned=show == "unassigned",
            overdue=overdue,
            limit=size,
            offset=(page - 1) * size,
        )
    keep = {k: v for k, v in q.items() if k != "page" and v}
    pages_total = max(1, -(-total // size)) if not query else 1
    return console.render(
        "queue.html.j2",
        session,
        cases=[_with_countdowns(c, console) for c in found],
        total=total,
        query=query,
        show=show,
        priority=priority,
        customer=customer,
        overdue=overdue,
        customers=customers,
        priorities=PRIORITIES,
        page=page,
        pages_total=pages_total,
        prev_link="?" + urlencode({**keep, "page": page - 1}) if page > 1 else "",
        next_link="?" + urlencode({**keep, "page": page + 1}) if page < pages_total else "",
        zone=ZoneInfo(app.settings.support.timezone),
        local=_local,
        inert=inert,
    )


def _message_view(m: dict[str, Any], number: int, first_file: int) -> dict[str, Any]:
    body = m["body_text"] or ""
    newest = new_text(body) if m["direction"] == "in" else body.strip()
    files = [
        {**a, "index": first_file + i, "name": safe_file_name(inert(a["filename"]), "attachment")}
        for i, a in enumerate(m["attachments"])
    ]
    return {**m, "newest": newest, "folded": body.strip() != newest, "files": files,
            "number": number}


def case_page(console: Console, request: Request, session: Session,
              *, error: str = "", status: int = 200) -> Response:
    from daemon.domain.billing import KINDS
    from daemon.outputs.reports import sla_verdict

    app = console.app
    number = case_number(request)
    try:
        detail = app.reads.case(number)
    except NoSuchCase as exc:
        raise HTTPException(404, str(exc)) from None
    messages, n = [], 0
    for m in detail["messages"]:
        messages.append(_message_view(m, number, n))
        n += len(m["attachments"])
    now = app.clock()
    verdicts = [
        (name, sla_verdict(_parse(detail[done]), _parse(detail[due]), now).value)
        for name, due, done in countdown.DEADLINE_NAMES
    ]
    done = request.query_params.get("done", "")
    return console.render(
        "case.html.j2",
        session,
        status=status,
        case=_with_countdowns(detail, console),
        messages=messages,
        verdicts=verdicts,
        priorities=PRIORITIES,
        kinds=KINDS,
        done=actions_done(done),
        error=error,
        zone=ZoneInfo(app.settings.support.timezone),
        local=_local,
        inert=inert,
    )


def actions_done(code: str) -> str:
    from daemon.web.actions import DONE

    return DONE.get(code, "")


def attachment(console: Console, request: Request, session: Session) -> Response:
    number = case_number(request)
    index = int(request.path_params["index"])
    try:
        files = console.app.reads.attachment_files(number)
    except NoSuchCase as exc:
        raise HTTPException(404, str(exc)) from None
    if not 0 <= index < len(files):
        raise HTTPException(404, "No such attachment.")
    about, content = files[index]
    name = safe_file_name(inert(about["filename"] or ""), f"attachment-{index + 1}")
    media = (about["content_type"] or "").lower()
    if not _MEDIA_TYPE.fullmatch(media) or media.startswith("multipart/"):
        media = "application/octet-stream"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content,
        media_type=media,
        headers={
            "content-disposition": disposition,
            "x-content-type-options": "nosniff",
            # A file opened in the browser anyway runs nothing and reaches nothing.
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


def report_page(console: Console, request: Request, session: Session) -> Response:
    from daemon.outputs import reports

    app = console.app
    zone = ZoneInfo(app.settings.support.timezone)
    month = request.query_params.get("month", "") or app.clock().astimezone(zone).strftime(
        "%Y-%m"
    )
    customer = request.query_params.get("customer", "").strip().lstrip("@").lower() or None
    error, data = "", None
    try:
        found = app.reads.report(month[:7], app.settings.support.timezone, customer)
        data = reports.report_json(found)
    except ValueError as exc:
        error = str(exc)
    return console.render(
        "report.html.j2",
        session,
        status=400 if error else 200,
        month=month[:7],
        customer=customer or "",
        report=data,
        error=error,
        inert=inert,
    )
