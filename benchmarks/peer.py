"""The same mailbox drained by a peer, django-helpdesk's `get_email`, and by the daemon.

How many mails per second does the daemon ingest next to an established open
source helpdesk doing the same job on the same machine, and what does each do with the
mails that are easy to get wrong (replies, automatic mail)? Target: daemon >= 10x peer.

Each side gets its own fresh Dovecot and PostgreSQL database (benchmarks.sandbox) with
the same mailbox: the corpus (benchmarks.corpus.generate(n, seed)) and two automatic
mails, one with `Auto-Submitted: auto-replied`, one with `Precedence: bulk`.

  - peer: django-helpdesk from PyPI in its own virtualenv (default /tmp/oo-peer-venv,
    reused when it works), a minimal Django project generated into the sandbox's
    temporary directory (PostgreSQL, EMAIL_BACKEND locmem so nothing leaves the
    process), `manage.py migrate`, one IMAP queue on the sandbox's Dovecot; then
    `python manage.py get_email` is run until INBOX is empty or a run makes no progress.
  - daemon: `python -m daemon poll --once --no-send --config F` (the database migrated
    beforehand, as the peer's is), run the same way.
Both are timed as the wall clock of the command(s), process start-up included; the
INBOX count between runs is not timed.

CLI: python -m benchmarks.peer [--n 1000] [--seed 1] [--venv DIR] [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit

from benchmarks import report
from benchmarks.corpus import END, SUPPORT_ADDRESS, generate
from benchmarks.floor import psycopg_url
from benchmarks.sandbox import Sandbox, benchmark_overrides, sandbox

TARGET_RATIO = 10.0  # daemon mails/s over peer mails/s
DEFAULT_VENV = Path("/tmp/oo-peer-venv")
PEER_PACKAGES = ("django-helpdesk", "psycopg2-binary")  # psycopg2: Django's PostgreSQL driver
VERSION_OF = ("django-helpdesk", "Django", "psycopg2-binary")
MAX_ROUNDS = 5  # get_email / poll runs per side before giving up on an INBOX that stays
QUEUE_SLUG = "support"

# The two automatic mails appended after the corpus to both mailboxes.
AUTOMATIC = {
    "auto_submitted": ("<peer-auto-replied@kunde.example>", "Auto-Submitted", "auto-replied",
                       "Automatisk svar: Er på ferie"),
    "precedence_bulk": ("<peer-precedence-bulk@kunde.example>", "Precedence", "bulk",
                        "Nyhedsbrev: tilbud på printere"),
}


class PeerSetupError(Exception):
    """The peer could not be installed or configured; the message says what blocked it."""


# -- the mailbox ----------------------------------------------------------------------


def automatic_mails() -> list[bytes]:
    """One out-of-office reply and one bulk mail, as a customer's systems send them."""
    mails = []
    for index, (message_id, header, value, subject) in enumerate(AUTOMATIC.values()):
        msg = EmailMessage()
        # Not a system localpart (noreply@...): only the header says it is automatic.
        msg["From"] = f"Kunde Systemer <info{index}@kunde.example>"
        msg["To"] = SUPPORT_ADDRESS
        msg["Subject"] = subject
        msg["Date"] = format_datetime(END)
        msg["Message-ID"] = message_id
        msg[header] = value
        msg.set_content("Tak for din mail. Jeg er tilbage mandag.\n")
        mails.append(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return mails


@dataclass(frozen=True)
class Mailbox:
    mails: list[bytes]
    replies: dict[str, str]  # Message-ID of a corpus reply -> the Message-ID it answers


def _mid(value: object) -> str:
    return str(value or "").strip().strip("<>").strip()


def build_mailbox(n: int, seed: int) -> Mailbox:
    mails = list(generate(n, seed))
    parser = BytesHeaderParser()
    replies = {}
    for raw in mails:
        headers = parser.parsebytes(raw)
        if headers["In-Reply-To"]:
            replies[_mid(headers["Message-ID"])] = _mid(headers["In-Reply-To"])
    return Mailbox(mails + automatic_mails(), replies)


def drain(box: Sandbox, command: list[str], cwd: Path, env: dict[str, str],
          log_path: Path) -> dict[str, Any]:
    """Run `command` until INBOX is empty or a run leaves as many mails as before.

    Only the commands are timed, not the INBOX counts between them."""
    left = box.dovecot.count("INBOX")
    rounds: list[dict[str, Any]] = []
    with open(log_path, "ab") as log:
        while left and len(rounds) < MAX_ROUNDS:
            box.checkpoint()
            started = perf_counter()
            done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                  stderr=log, check=False)
            seconds = perf_counter() - started
            after = box.dovecot.count("INBOX")
            rounds.append({"seconds": round(seconds, 3), "exit": done.returncode,
                           "inbox_before": left, "inbox_after": after,
                           "stdout": done.stdout.decode(errors="replace")[-500:].strip()})
            if after >= left:
                break
            left = after
        # One more run on the drained mailbox, not counted: the fixed cost of a run
        # (interpreter, imports, database and IMAP login), to read small-n figures by.
        started = perf_counter()
        subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log,
                       check=False)
        empty_run_s = perf_counter() - started
    return {"seconds": round(sum(r["seconds"] for r in rounds), 3), "rounds": rounds,
            "inbox_after": left, "empty_run_s": round(empty_run_s, 3)}


# -- the peer: virtualenv and Django project -------------------------------------------


def _run(command: list[str], what: str, **kwargs: Any) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode:
        raise PeerSetupError(f"{what} failed (exit {done.returncode}): "
                             f"{' '.join(command)}\n{(done.stderr or done.stdout)[-3000:]}")
    return done.stdout


def peer_versions(python: Path) -> dict[str, str]:
    script = ("import importlib.metadata as m, json, django, psycopg2, helpdesk;"
              f"print(json.dumps({{p: m.version(p) for p in {list(VERSION_OF)!r}}}))")
    return json.loads(_run([str(python), "-c", script], "the peer's import check"))


def ensure_venv(venv: Path) -> tuple[Path, dict[str, str], bool]:
    """The venv's python, the installed versions, and whether it was created now."""
    python = venv / "bin" / "python"
    if python.exists():
        try:
            return python, peer_versions(python), False
        except PeerSetupError:
            pass  # broken or incomplete: install into it again
    else:
        _run([sys.executable, "-m", "venv", str(venv)], "creating the virtualenv")
    _run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES],
         "pip install " + " ".join(PEER_PACKAGES))
    return python, peer_versions(python), True


def write_project(directory: Path, database_url: str) -> Path:
    """A minimal Django project for django-helpdesk: settings, urls, manage.py."""
    url = urlsplit(psycopg_url(database_url))
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": url.path.lstrip("/"),
                "USER": url.username or "postgres", "PASSWORD": url.password or "",
                "HOST": url.hostname or "127.0.0.1", "PORT": str(url.port or 5432)}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "peer_settings.py").write_text(textwrap.dedent(f"""\
        # Generated by benchmarks/peer.py for one run; thrown away with the sandbox.
        SECRET_KEY = "peer-benchmark-only"
        DEBUG = False
        ALLOWED_HOSTS = ["*"]
        SITE_ID = 1
        USE_TZ = True
        TIME_ZONE = "Europe/Copenhagen"
        INSTALLED_APPS = [
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.sites", "django.contrib.messages",
            "django.contrib.staticfiles", "django.contrib.humanize",
            "rest_framework", "helpdesk",
        ]
        MIDDLEWARE = [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ]
        TEMPLATES = [{{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {{"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]}},
        }}]
        ROOT_URLCONF = "peer_urls"
        DATABASES = {{"default": {database!r}}}
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
        STATIC_URL = "/static/"
        MEDIA_ROOT = {str(directory / "media")!r}
        # Nothing leaves the process: acknowledgements land in an in-memory list.
        EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        DEFAULT_FROM_EMAIL = {SUPPORT_ADDRESS!r}
        HELPDESK_TEAMS_MODE_ENABLED = False  # no pinax-teams
        """), encoding="utf-8")
    (directory / "peer_urls.py").write_text(
        "from django.urls import include, path\n\n"
        "urlpatterns = [path('helpdesk/', include('helpdesk.urls', namespace='helpdesk'))]\n",
        encoding="utf-8")
    (directory / "manage.py").write_text(
        "import os\nimport sys\n\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'peer_settings')\n"
        "from django.core.management import execute_from_command_line\n\n"
        "execute_from_command_line(sys.argv)\n", encoding="utf-8")
    return directory / "manage.py"


def create_queue(python: Path, manage: Path, box: Sandbox, log_dir: Path) -> None:
    """One queue on the sandbox's Dovecot over plain IMAP, notifications to nobody."""
    fields = {
        "title": "Support", "slug": QUEUE_SLUG, "email_address": SUPPORT_ADDRESS,
        # get_email only reads queues that allow email submission.
        "allow_email_submission": True,
        "new_ticket_cc": "", "updated_ticket_cc": "",
        "enable_notifications_on_email_events": False,
        "email_box_type": "imap", "email_box_host": box.dovecot.host,
        "email_box_port": box.dovecot.port, "email_box_ssl": False,
        "email_box_user": box.dovecot.user, "email_box_pass": box.dovecot.password,
        "email_box_imap_folder": "INBOX",
        "email_box_interval": 0,  # every get_email run reads the box
        # As the daemon logs INFO to a file, so does the peer.
        "logging_type": "info", "logging_dir": str(log_dir),
    }
    # django-helpdesk 2.6.1's process_email only fills in a missing email_box_last_check
    # when the queue has no logging_dir; with one, the first run fails with
    # "TypeError: unsupported operand type(s) for +: 'NoneType' and 'datetime.timedelta'".
    script = ("import datetime, json; from django.utils import timezone; "
              "from helpdesk.models import Queue; "
              f"Queue.objects.create(**json.loads({json.dumps(fields)!r}), "
              "email_box_last_check=timezone.now() - datetime.timedelta(days=1))")
    _run([str(python), str(manage), "shell", "-c", script], "creating the queue",
         cwd=manage.parent)


def _ids_to_group(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Message-ID -> ticket or case id (first seen), from (message_id, group) rows."""
    found: dict[str, Any] = {}
    for message_id, group in rows:
        found.setdefault(_mid(message_id), group)
    return found


def _first_message(rows: list[tuple[Any, ...]]) -> dict[Any, str]:
    """Ticket or case id -> the Message-ID of its first mail, from (message_id, group)
    rows in the order stored: the mail that opened it."""
    first: dict[Any, str] = {}
    for message_id, group in rows:
        if group is not None:
            first.setdefault(group, _mid(message_id))
    return first


def threading(mailbox: Mailbox, group_of: dict[str, Any]) -> dict[str, int]:
    """How the corpus replies landed: with the mail they answer, on their own, or lost."""
    counts = {"replies": len(mailbox.replies), "threaded": 0, "new": 0, "not_stored": 0}
    for reply, parent in mailbox.replies.items():
        if group_of.get(reply) is None:
            counts["not_stored"] += 1
        elif group_of[reply] == group_of.get(parent):
            counts["threaded"] += 1
        else:
            counts["new"] += 1
    return counts


def measure_peer(mailbox: Mailbox, python: Path) -> dict[str, Any]:
    with sandbox("peer") as box:
        box.dovecot.append("INBOX", mailbox.mails)
        project = box.root / "peer_project"
        manage = write_project(project, box.database_url)
        log_dir = box.root / "peer_logs"
        log_dir.mkdir()
        started = perf_counter()
        _run([str(python), str(manage), "migrate", "--noinput"], "manage.py migrate",
             cwd=project)
        migrate_s = perf_counter() - started
        create_queue(python, manage, box, log_dir)
        drained = drain(box, [str(python), str(manage), "get_email", "--quiet"], project,
                        dict(os.environ), log_dir / "get_email.stderr")
        followups = box.query("SELECT f.message_id, f.ticket_id FROM helpdesk_followup f"
                              " ORDER BY f.id")
        tickets = box.query("SELECT count(*) FROM helpdesk_ticket")[0][0]
        group_of = _ids_to_group(followups)
        first_of_ticket = _first_message(followups)
        automatic = {}
        for name, (message_id, *_rest) in AUTOMATIC.items():
            ticket = group_of.get(_mid(message_id))
            recipients = box.query("SELECT email_recipients FROM helpdesk_followup"
                                   " WHERE message_id = %s", message_id)
            automatic[name] = {
                "stored": ticket is not None,
                "new_ticket": ticket is not None
                and first_of_ticket.get(ticket) == _mid(message_id),
                "answered_to": recipients[0][0] if recipients else None,
            }
        errors = _log_tail(sorted(log_dir.glob("*")), ("ERROR", "Traceback", "exception"))
        if drained["inbox_after"]:  # what blocked it, before the sandbox is removed
            errors += [line for path in sorted(log_dir.glob("*"))
                       for line in path.read_text(errors="replace").splitlines()[-40:]]
        return {
            "migrate_s": round(migrate_s, 2), **drained,
            "tickets": tickets, "followups": len(followups),
            "threading": threading(mailbox, group_of), "automatic": automatic,
            "acknowledgements": box.query(
                "SELECT count(*) FROM helpdesk_followup WHERE email_recipients::text"
                " NOT IN ('', '[]', 'null')")[0][0],
            "log_problems": errors,
        }


def _log_tail(paths: list[Path], needles: tuple[str, ...], limit: int = 15) -> list[str]:
    """The last lines of the logs that mention a problem."""
    lines = []
    for path in paths:
        lines += [f"{path.name}: {line}" for line in
                  path.read_text(errors="replace").splitlines()
                  if any(needle in line for needle in needles)]
    return lines[-limit:]


# -- the daemon ----------------------------------------------------------------------


def measure_daemon(mailbox: Mailbox) -> dict[str, Any]:
    with sandbox("peerours") as box:
        box.dovecot.append("INBOX", mailbox.mails)
        config = box.write_config(smtp_out=None)  # --no-send: the outbox only queues
        base = [sys.executable, "-m", "daemon"]
        started = perf_counter()
        _run([*base, "db", "upgrade", "--config", str(config)], "daemon db upgrade",
             cwd=report.REPO)
        migrate_s = perf_counter() - started
        drained = drain(box, [*base, "poll", "--once", "--no-send", "--config", str(config)],
                        report.REPO, dict(os.environ), box.root / "daemon.stderr")
        inbound = box.query("SELECT message_id, case_id, kind FROM messages"
                            " WHERE direction = 'in' ORDER BY id")
        group_of = _ids_to_group([(m, c) for m, c, _kind in inbound])
        kind_of = _ids_to_group([(m, k) for m, _case, k in inbound])
        acked = {_mid(row[0]) for row in box.query(
            "SELECT in_reply_to FROM messages WHERE direction = 'out' AND kind = 'ack'")}
        first_of_case = _first_message([(m, c) for m, c, _kind in inbound])
        automatic = {}
        for name, (message_id, *_rest) in AUTOMATIC.items():
            case = group_of.get(_mid(message_id))
            automatic[name] = {
                "stored": _mid(message_id) in kind_of, "kind": kind_of.get(_mid(message_id)),
                "new_case": case is not None
                and first_of_case.get(case) == _mid(message_id),
                "acknowledged": _mid(message_id) in acked,
            }
        return {
            "migrate_s": round(migrate_s, 2), **drained,
            "cases": box.query("SELECT count(*) FROM cases")[0][0],
            "inbound_messages": len(inbound), "acks_queued": len(acked),
            "threading": threading(mailbox, group_of), "automatic": automatic,
            "log_problems": _log_tail([box.root / "daemon.stderr"], (" ERROR ", "Traceback")),
        }


# -- the run ---------------------------------------------------------------------------


def _rate(mails: int, side: dict[str, Any]) -> float:
    drained = mails - side["inbox_after"]
    return round(drained / side["seconds"], 1) if side["seconds"] else 0.0


def table(document: dict[str, Any]) -> str:
    peer, ours = document["peer"], document["daemon"]
    headers = ("", "mails/s", "seconds", "runs", "empty run s", "left in INBOX", "tickets/cases",
               "replies threaded", "replies new", "replies lost", "Auto-Submitted",
               "Precedence: bulk")

    def auto(entry: dict[str, Any], new_key: str) -> str:
        if not entry["stored"]:
            return "not stored"
        stored = "new ticket" if entry[new_key] else f"no case ({entry.get('kind', '')})"
        answered = entry["answered_to"] if "answered_to" in entry else entry["acknowledged"]
        return f"{stored}, {'answered' if answered else 'no answer'}"

    rows: list[list[object]] = []
    for name, side, count, new_key in (("django-helpdesk", peer, peer["tickets"], "new_ticket"),
                                       ("oo-support", ours, ours["cases"], "new_case")):
        rows.append([name, side["mails_per_s"], side["seconds"], len(side["rounds"]),
                     side["empty_run_s"], side["inbox_after"], count, side["threading"]["threaded"],
                     side["threading"]["new"], side["threading"]["not_stored"],
                     auto(side["automatic"]["auto_submitted"], new_key),
                     auto(side["automatic"]["precedence_bulk"], new_key)])
    return report.format_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer",
                                     description="The daemon next to django-helpdesk's get_email")
    parser.add_argument("--n", type=int, default=1000, help="corpus mails")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help="django-helpdesk's virtualenv (created if missing or broken)")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    stamp = report.timestamp()
    document: dict[str, Any] = {
        "benchmark": "peer", "n": args.n, "seed": args.seed,
        "environment": report.environment(), "config_overrides": benchmark_overrides(),
        "target_daemon_to_peer": TARGET_RATIO,
    }
    print(f"peer benchmark: {args.n} corpus mails + {len(AUTOMATIC)} automatic, "
          f"seed {args.seed}", flush=True)
    try:
        python, versions, created = ensure_venv(args.venv)
        document["peer_versions"] = versions
        document["venv"] = {"path": str(args.venv), "created_now": created}
        print(f"  peer: {', '.join(f'{k} {v}' for k, v in versions.items())} in {args.venv}"
              f"{' (installed now)' if created else ''}", flush=True)
        mailbox = build_mailbox(args.n, args.seed)
        document["mails"] = len(mailbox.mails)
        document["corpus_replies"] = len(mailbox.replies)
        document["peer"] = measure_peer(mailbox, python)
        print(f"  peer drained in {document['peer']['seconds']} s", flush=True)
        document["daemon"] = measure_daemon(mailbox)
        print(f"  daemon drained in {document['daemon']['seconds']} s", flush=True)
    except PeerSetupError as exc:
        document["error"] = str(exc)
        path = report.write_result("peer", document, args.results_dir, stamp)
        print(f"FAILED: {exc}\nresult: {path}", file=sys.stderr)
        return 1
    mails = len(mailbox.mails)
    for side in ("peer", "daemon"):
        document[side]["mails_per_s"] = _rate(mails, document[side])
    ratio = (document["daemon"]["mails_per_s"] / document["peer"]["mails_per_s"]
             if document["peer"]["mails_per_s"] else None)
    document["summary"] = {
        "peer_mails_per_s": document["peer"]["mails_per_s"],
        "daemon_mails_per_s": document["daemon"]["mails_per_s"],
        "daemon_to_peer": round(ratio, 2) if ratio else None,
        "target_met": bool(ratio and ratio >= TARGET_RATIO),
    }
    problems = [f"{side} left {document[side]['inbox_after']} mails in INBOX"
                for side in ("peer", "daemon") if document[side]["inbox_after"]]
    print()
    print(table(document))
    print(f"daemon/peer: {document['summary']['daemon_to_peer']}x; target >= "
          f"{TARGET_RATIO:.0f}x: {'met' if document['summary']['target_met'] else 'NOT met'}")
    for side in ("peer", "daemon"):
        for line in document[side]["log_problems"][:5]:
            print(f"  {side} log: {line}")
    if problems:
        document["error"] = "; ".join(problems)
        print(f"FAILED: {document['error']}", file=sys.stderr)
    print(f"result: {report.write_result('peer', document, args.results_dir, stamp)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
