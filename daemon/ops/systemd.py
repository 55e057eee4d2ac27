"""The sd_notify protocol (systemd.service Type=notify; sd_notify(3)).

A datagram of `KEY=value` lines to the socket named by $NOTIFY_SOCKET. The protocol is
a dozen lines, so it is written here rather than pulled in as a dependency. Without
$NOTIFY_SOCKET (not under systemd, or Type=simple) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        address = environ.get("NOTIFY_SOCKET", "")
        # "@name" is an abstract socket: a leading NUL byte on Linux.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        if self._address:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.watchdog_interval = _watchdog_seconds(environ)

    @property
    def enabled(self) -> bool:
        return self._socket is not None

    def notify(self, **fields: str | int) -> None:
        """E.g. notify(READY=1, STATUS="running"); errors are logged, never raised."""
        if self._socket is None:
            return
        message = "\n".join(f"{key}={value}" for key, value in fields.items())
        try:
            self._socket.sendto(message.encode(), self._address)
        except OSError as exc:  # systemd gone away: nothing to tell, keep running
            log.warning("sd_notify failed: %s", exc)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_seconds(environ: Mapping[str, str]) -> float | None:
    """How often to pet the watchdog: half of WatchdogSec, as sd_watchdog_enabled(3) says."""
    usec = environ.get("WATCHDOG_USEC")
    pid = environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None  # no watchdog, or it is meant for another process
    try:
        return int(usec) / 1_000_000 / 2
    except ValueError:
        return None
