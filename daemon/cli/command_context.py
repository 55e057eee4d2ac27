"""What every command's handler works through: the App opened for it, who it acts as,
and how it prints its result (stdout: data only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from daemon import logs
from daemon.cli.errors import CommandError

if TYPE_CHECKING:
    from daemon.app import Access, App
    from daemon.settings import Settings


def open_app(args: argparse.Namespace, settings: Settings, access: Access = "read") -> App:
    """The App for one command, its database checked for `access` (App.open_database).

    Only `run`, `db upgrade` and `customers sync` migrate and write [[customers]]: a
    read command with a wrong or empty --config must not switch every agreement off.
    """
    app = new_app(args, settings, access)
    app.open_database(access)
    return app


def new_app(args: argparse.Namespace, settings: Settings, access: Access = "read") -> App:
    """The App for one command, its database not yet checked: the caller opens it
    (App.open_database) before it touches the database."""
    from daemon.app import App
    from daemon.clock import fixed_clock

    now = getattr(args, "now", None)
    # A command's process serves no /metrics (only `run` does, built by build_app).
    return App(
        settings,
        fixed_clock(now) if now else None,
        create_database_dir=access != "read",
        counts_metrics=False,
    )


def print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    """A command's result: one JSON document with --json, else key=value on one line."""
    if args.json:
        print_json(summary)
    else:
        print(" ".join(f"{k}={logs.kv_value(v)}" for k, v in summary.items() if v is not None))


def acting_staff(args: argparse.Namespace, settings: Settings) -> str:
    """Who a staff command is recorded as: --staff, else [staff] cli_user, else the login
    name of whoever runs it. Never "unknown": the history must say who did it."""
    import getpass

    chosen = (getattr(args, "staff", "") or settings.staff.cli_user).strip()
    if not chosen:
        try:
            chosen = getpass.getuser()
        except (OSError, KeyError):  # no login name in the environment or passwd
            chosen = f"uid {os.getuid()}"
    if any(c in chosen for c in "\r\n") or len(chosen) > 320:
        raise CommandError(f"--staff {chosen!r}: one line of at most 320 characters")
    return chosen.lower()


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
