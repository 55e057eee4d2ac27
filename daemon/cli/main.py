"""`oo-support` / `python -m daemon`: parse, load the settings, run the command's handler."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from daemon import logs
from daemon.cli.arguments import local_instants
from daemon.cli.errors import failure
from daemon.cli.parser import build_parser

if TYPE_CHECKING:
    from daemon.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    # What the daemon writes holds customers' mail (the database, ./var/outbox/*.eml,
    # spooled DATA): readable by this user only, 0600 files in 0700 directories,
    # whatever umask it was started with (a login shell's 022 included).
    os.umask(os.umask(0) | 0o077)
    args = build_parser().parse_args(argv, argparse.Namespace(config=None, verbose=False))
    # Logs go to stderr (journald takes it as it takes stdout): stdout is for data.
    logs.configure("DEBUG" if args.verbose else "WARNING")
    try:
        from daemon.settings import load_settings  # pydantic: not for --help

        settings = load_settings(args.config)
        logs.configure(_log_level(args, settings), settings.logging.format)
        local_instants(args, settings)
        return int(args.handler(args, settings))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader left (`oo-support cases list | head -1`): stop quietly, as `ls`
        # does, and keep the interpreter's final flush of stdout from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # a stdout with no descriptor (a test's)
            pass
        finally:
            os.close(devnull)
        return 141  # 128 + SIGPIPE, as a shell reports a command the pipe ended
    except Exception as exc:  # noqa: BLE001 - worded below, or re-raised
        status, reason = failure(exc)
        if status is None:
            raise
        print(f"oo-support: {reason}", file=sys.stderr)
        return status
    finally:
        # The process ends next: what the command built (a pass's caches, SQLAlchemy's,
        # the modules) is left to the exit, out of the collector's sight. The full
        # collections of the interpreter's shutdown over it took ~0.1 s of a 1,000-mail
        # `poll --once` (0.015 s so); nothing is closed by them that the command does
        # not close itself (issue 18, start22).
        gc.freeze()


def _log_level(args: argparse.Namespace, settings: Settings) -> str:
    """The daemon logs at [logging] level; a one-shot command prints its result on
    stdout and, on stderr, only warnings and errors (its error is then the one line
    INTERFACE.md promises), unless -v."""
    if args.verbose:
        return "DEBUG"
    if args.command in ("run", "web"):
        return settings.logging.level
    configured: int = logging.getLevelName(settings.logging.level)
    return str(logging.getLevelName(max(configured, logging.WARNING)))
