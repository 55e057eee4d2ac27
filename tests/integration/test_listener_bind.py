"""The listener's address taken by another program: one line that names [smtp_in]."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from daemon.settings import SmtpInSettings
from daemon.sources.smtp_listener import start_listener


async def test_a_port_in_use_names_the_key_to_change() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        handler: Any = object()  # never asked: nothing connects
        with pytest.raises(OSError) as refused:
            await start_listener(handler, SmtpInSettings(host="127.0.0.1", port=port))
    message = str(refused.value)
    assert f"[smtp_in] host/port 127.0.0.1:{port}:" in message, message
    assert "\n" not in message


def test_the_metrics_port_in_use_names_the_key_to_change() -> None:
    from daemon.ops.health import Health
    from daemon.ops.metrics import Metrics, serve

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as refused:
            serve(Metrics(lambda: 0), Health(), "127.0.0.1", port)
    assert f"[metrics] host/port 127.0.0.1:{port}:" in str(refused.value)
