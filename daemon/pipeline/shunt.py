"""The pipeline's failure path: a mail that fails a step is kept raw, with the reason.

Mailman calls this the shunt queue. Here, when a batch cannot be stored at once, it is
stored again one mail at a time, each in a savepoint (`store_alone`): a mail that
still fails is kept as REJECTED with only its bytes and the error, and the others go
in. A mail that failed or killed the daemon `[imap] max_attempts` times is not run
through the steps again at all: its source hands it to `keep_quarantined`, which
stores it raw as QUARANTINED with why. Both are listed by `oo-support ignored list`
(KEPT_KINDS) and `oo-support ignored retry` runs them through the pipeline again.
Only a database that is gone is not the mail's fault: that is raised, and the source
tries the batch again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from daemon.inbound import InboundMail, IngestResult, Outcome, Prepared
from daemon.mail.parse import dedupe_key
from daemon.pipeline.read import unreadable

log = logging.getLogger("daemon.pipeline")

# Stores a list of prepared mails through every step (Pipeline.run_steps).
Steps = Callable[[Connection, Sequence[Prepared]], list[IngestResult]]


def quarantined(mail: InboundMail, why: str) -> Prepared:
    """A mail held back: no parsing (parsing may be what fails), no case, no answer."""
    return Prepared(mail, dedupe_key(None, "", mail.raw), None, Outcome.QUARANTINED, why)


def keep_quarantined(conn: Connection, item: Prepared, steps: Steps) -> IngestResult:
    """Store a quarantined mail raw. One that not even that stores is still reported
    quarantined: its source moves it aside so it stops coming back."""
    try:
        with conn.begin_nested():
            return steps(conn, [item])[0]
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:  # noqa: BLE001 - the mail must stop blocking all the same
        log.error(
            "quarantined mail not storable source=%s uid=%s (%s): moved to the"
            " quarantine folder only, not listed by `ignored list`",
            item.mail.source,
            item.mail.uid,
            reason(exc),
        )
        return IngestResult(Outcome.QUARANTINED, reason=item.reason)


def store_alone(conn: Connection, item: Prepared, steps: Steps) -> IngestResult:
    """One mail of a batch that failed, through the steps again in a savepoint; if it
    fails still, kept raw as rejected with why."""
    try:
        with conn.begin_nested():
            return steps(conn, [item])[0]
    except (OperationalError, InterfaceError):
        raise
    except IntegrityError as exc:
        if "dedupe_key" in str(exc.orig):
            return IngestResult(Outcome.DUPLICATE)  # another daemon stored it first
        error: Exception = exc
    except Exception as exc:  # noqa: BLE001 - keep it raw and say why
        error = exc
    why = f"internal error: {reason(error)}"
    log.error("mail not storable source=%s uid=%s: %s", item.mail.source, item.mail.uid, why)
    # Only the bytes and the reason this time: the least the database must accept.
    try:
        with conn.begin_nested():
            return steps(conn, [unreadable(item.mail, why)])[0]
    except (OperationalError, InterfaceError):
        raise
    except Exception:  # noqa: BLE001
        log.exception("not even the raw mail is storable; left at its source")
        return IngestResult(Outcome.DEFERRED, reason=why)


def reason(exc: Exception) -> str:
    """An error in one line without the statement's data (bodies, raw bytes)."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}"[:500]
