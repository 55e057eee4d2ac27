"""A failure a user can act on: its one-line reason and exit status (INTERFACE.md
"Command line": non-zero with a one-line reason on stderr).
"""

from __future__ import annotations

import sys


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


def failure(exc: Exception) -> tuple[int | None, str]:
    """(exit status, one-line reason) for a failure a user can act on; (None, "") for
    a bug, which keeps its traceback. The libraries' errors are recognised without
    importing them: a command that never touched Jinja2 need not load it to say so."""
    from daemon.case_reads import NoSuchCase
    from daemon.case_work import Refused
    from daemon.settings import ConfigError
    from daemon.store.engine import NoDatabase
    from daemon.store.migrate import SchemaError

    if isinstance(exc, ConfigError):
        return 2, str(exc)
    if isinstance(exc, CommandError | Refused | NoSuchCase | SchemaError | NoDatabase):
        return 1, str(exc)
    jinja2 = sys.modules.get("jinja2")
    if jinja2 is not None and isinstance(exc, jinja2.TemplateError):
        return 2, f"template error: {exc}"
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        cause = str(getattr(exc, "orig", None) or exc).strip()
        return 1, f"database error: {cause.splitlines()[0] if cause else type(exc).__name__}"
    if isinstance(exc, OSError):  # a port in use, a directory not writable, ...
        return 1, str(exc)
    return None, ""
