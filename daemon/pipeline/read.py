"""Step 1, before any transaction: read the bytes and decide what needs no database.

What it decides, and how, is in daemon/reading.py, outside the pipeline's package so
the parsing worker processes can run it without importing the pipeline (SQLAlchemy,
templates): here it is only called with the daemon's settings.
"""

from __future__ import annotations

from daemon.inbound import InboundMail, Prepared
from daemon.reading import ReadingRules
from daemon.reading import read as read_with
from daemon.reading import unreadable as unreadable
from daemon.settings import Settings


def read(mail: InboundMail, settings: Settings) -> Prepared:
    """Everything about `mail` that needs no database; never raises for a bad mail."""
    return read_with(mail, ReadingRules.of(settings))
