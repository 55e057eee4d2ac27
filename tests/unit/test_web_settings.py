"""[web]: the console's keys fail at load, naming the key (daemon/settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.settings import ConfigError, load_settings


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "oo.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def test_the_console_is_off_and_on_loopback_by_default(tmp_path: Path) -> None:
    web = _load(tmp_path, "").web
    assert not web.enabled and web.host_port() == ("127.0.0.1", 8025)
    assert _load(tmp_path, '[web]\nlisten = "[::1]:9000"\n').web.host_port() == ("::1", 9000)


@pytest.mark.parametrize("listen", ["8025", ":8025", "host:port", "127.0.0.1:70000"])
def test_a_listen_that_is_not_host_and_port_is_refused(tmp_path: Path, listen: str) -> None:
    with pytest.raises(ConfigError, match="web.listen"):
        _load(tmp_path, f'[web]\nlisten = "{listen}"\n')


def test_microsoft_sign_in_needs_the_oauth_app(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="microsoft_sign_in needs the Entra app of \\[oauth\\]"):
        _load(tmp_path, "[web]\nmicrosoft_sign_in = true\n")
