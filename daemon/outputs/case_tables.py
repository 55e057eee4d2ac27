"""Cases as people read them at the command line: `cases list` and `cases search` as
one table, `cases show` as the whole case. Times are in [support] timezone, to the
minute. Built from the same documents `--json` prints (daemon/outputs/views.py), so the two
never tell different stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from daemon.outputs import terminal

# A subject longer than this is cut in a list (the whole one is in `cases show`).
SUBJECT_CHARS = 60


def print_case_list(cases: Sequence[dict[str, Any]], caption: str, tz: str) -> None:
    """Case summaries (views.case_summary) as one table, one case a row."""
    table = terminal.new_table(caption)
    # Never wrapped or cut: what one scans the list for. The rest wraps on a narrow
    # terminal (a date and its time on two lines) rather than losing a column.
    for header in ("case", "status", "priority", "!"):
        table.add_column(header, no_wrap=True)
    table.add_column("customer", overflow="fold")
    for header in ("subject", "created", "response due"):
        table.add_column(header)
    for c in cases:
        table.add_row(
            *map(
                terminal.cell,
                (
                    c["number"],
                    c["status"],
                    c["priority"],
                    "!" if c["critical"] else "",
                    c["customer_email"],
                    terminal.shorten(c["subject"], SUBJECT_CHARS),
                    local(c["created_at"], tz),
                    local(c["response_due"], tz),
                ),
            ),
            style="bold red" if c["critical"] else None,
        )
    terminal.print_table(table)


def print_case_detail(detail: dict[str, Any], tz: str) -> None:
    """One case (views.case_detail): its facts and deadlines, every message with its
    attachments, time and billing, the alerts sent and its history."""
    print(f"{detail['reference']} {detail['subject']}")
    _facts(detail, tz)
    messages = detail["messages"]
    print(f"\nMessages ({len(messages)})")
    for m in messages:
        to = ", ".join([*m["to"], *m["cc"]])
        print(
            f"\n--- {local(m['at'], tz)}  {m['direction']} {m['kind']}"
            f"  from {m['from'] or '-'}" + (f"  to {to}" if to else "")
        )
        print(m["body_text"].rstrip("\n"))
        for a in m["attachments"]:
            print(f"[attachment] {a['filename']}  {a['content_type']}  {_size(a['size'])}")
    _time_and_billing(detail, tz)
    _rows(
        "Alerts sent",
        ("at", "kind"),
        [(local(a["at"], tz), a["kind"]) for a in detail["alerts"]],
    )
    _rows(
        "History",
        ("at", "by", "action", "what"),
        [
            (local(e["at"], tz), e["actor"], e["action"], describe_event(e["action"], e["detail"]))
            for e in detail["events"]
        ],
    )


def describe_event(action: str, detail: dict[str, Any]) -> str:
    """One line for a history entry, e.g. "open -> closed"."""
    if action in ("status", "priority", "assign", "move"):
        text = f"{detail.get('from') or '-'} -> {detail.get('to') or '-'}"
        if "critical" in detail:
            text += " (critical)" if detail["critical"] else " (not critical)"
        return text
    if action == "time":
        late = ", after hours" if detail.get("after_hours") else ""
        return f"{detail['minutes']} min {detail['kind']}{late}"
    if action == "reply":
        to = ", ".join(detail.get("to") or [])
        return f"to {to}" if to else "sent to the customer directly (support in Cc)"
    if action == "fee":
        text = f"{detail['description']}: {detail['amount']} DKK excl. VAT"
        # --force over a refusal (BR-10): the table says so, as the JSON does.
        return text + (f" (forced: {detail['forced']})" if detail.get("forced") else "")
    if action == "project":
        if not detail.get("project"):
            return "not project work"
        return "project work" + _terms(detail.get("rate_kind"), detail.get("estimate_minutes"))
    return ", ".join(f"{k}={v}" for k, v in detail.items())


def _terms(rate_kind: str | None, estimate_minutes: int | None) -> str:
    """", senior rate, agreed 4h" (events written before 0014 name no terms)."""
    from daemon.domain.durations import format_duration

    text = f", {rate_kind} rate" if rate_kind else ""
    if estimate_minutes:
        text += f", agreed {format_duration(estimate_minutes)}"
    return text


def local(value: str | None, tz: str) -> str:
    """An ISO-8601 instant of a JSON document, in local time to the minute ("-": none)."""
    return terminal.local_minutes(datetime.fromisoformat(value) if value else None, tz)


def _facts(detail: dict[str, Any], tz: str) -> None:
    def yes_no(value: bool) -> str:
        return "yes" if value else "no"

    def deadline(due: str, met: str, verb: str) -> str:
        done = detail[met]
        return (
            f"{local(detail[due], tz)}  ({verb} {local(done, tz)})"
            if done
            else (f"{local(detail[due], tz)}  (not {verb})")
        )

    customer = (
        f"{detail['customer_email']}  ({detail['customer_domain']}, "
        f"agreement: {yes_no(detail['agreement'])})"
    )
    critical = yes_no(detail["critical"])
    if detail["critical"] and detail["critical_reason"]:
        critical += f"  ({detail['critical_reason']})"
    verdict = detail.get("triage") or {}
    if verdict.get("reason"):  # what the classifier said on arrival, and why
        judged = f"{verdict['priority']}{', critical' if verdict['critical'] else ''}"
        critical += f"; classified {judged}: {verdict['reason']}"
    facts = [
        ("status", detail["status"]),
        ("priority", detail["priority"]),
        ("critical", critical),
        ("customer", customer),
        ("channel", detail["channel"]),
        ("assignee", detail["assignee"] or "-"),
        ("project", _project_fact(detail)),
        ("flags", ", ".join(detail["flags"]) or "-"),
        ("created", local(detail["created_at"], tz)),
        ("review due", deadline("review_due", "reviewed_at", "reviewed")),
        ("response due", deadline("response_due", "first_response_at", "answered")),
        ("resolve due", deadline("resolve_due", "resolved_at", "resolved")),
    ]
    table = terminal.new_table(f"times in {tz}")
    table.show_header = False
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, value in facts:
        table.add_row(terminal.cell(key), terminal.cell(value))
    terminal.print_table(table)


def _project_fact(detail: dict[str, Any]) -> str:
    terms = detail["billing"]["project"]
    if terms is not None:
        return "yes" + _terms(terms["rate_kind"], terms["estimate_minutes"])
    # Flagged on arrival (BR-14, "noget nyt der skal tilføjes"); staff decide.
    possible = detail.get("possible_project")
    return f"no  (possible project: {possible})" if possible else "no"


def _time_and_billing(detail: dict[str, Any], tz: str) -> None:
    _rows(
        "Time entries",
        ("started", "minutes", "kind", "staff", "after hours", "amount excl. VAT"),
        [
            (
                local(t["at"], tz),
                t["minutes"],
                t["kind"],
                t["staff"],
                "yes" if t["after_hours"] else "no",
                t["amount"],
            )
            for t in detail["time_entries"]
        ],
    )
    _rows(
        "Fees",
        ("description", "amount excl. VAT"),
        [(f["description"], f["amount"]) for f in detail["fees"]],
    )
    proposed = detail.get("proposed_fees") or []
    if proposed:  # BR-10: not billed until staff confirm
        _rows(
            f"Proposed fees, not billed (confirm: oo-support cases fee {detail['number']}"
            " --oncall)",
            ("description", "amount excl. VAT", "why"),
            [(f["description"], f["amount"], f["reason"]) for f in proposed],
        )
    bill = detail["billing"]
    project = bill["project"]
    if project and project["estimate_minutes"]:
        # BR-18 example 4: "Afregnes efter den aftalte tid"; the time logged beside it.
        _rows(
            f"Agreed time (billed instead of the {project['actual_minutes']} min logged)",
            ("minutes", "after hours", "hourly rate", "amount excl. VAT"),
            [
                (a["minutes"], "yes" if a["after_hours"] else "no", a["hourly_rate"], a["amount"])
                for a in project["agreed_lines"]
            ],
        )
    print(
        f"\nBilling: {bill['billable_minutes']} min billable, {bill['covered_minutes']} min"
        f" covered; {bill['amount_excl_vat']} + VAT {bill['vat']}"
        f" = {bill['amount_incl_vat']} {bill['currency']}"
    )


def _rows(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(f"\n{title} ({len(rows)})")
    if not rows:
        return
    table = terminal.new_table()
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*map(terminal.cell, row))
    terminal.print_table(table)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
