"""A real console server for tests: uvicorn on 127.0.0.1 (a free port), in a thread
with its own event loop, serving an App the test built (its clock, its database)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from harness import write_config

from daemon.app import App, build_app
from daemon.settings import load_settings
from daemon.web.server import ConsoleServer

SECRET = "test-secret-0123456789abcdef-0123456789"
PASSWORD = "correct horse battery staple"
STAFF = "anna@oo.dk"
# A Tuesday in business hours (Danish time 11:00).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_app(tmp_path: Path, database_url: str, now: datetime = NOW,
                extra: dict[str, dict[str, Any]] | None = None) -> App:
    web = {"listen": "127.0.0.1:0", "session_secret": SECRET, "page_size": 20}
    sections = {"web": web, **(extra or {})}
    config = write_config(tmp_path / "oo.toml", database_url=database_url, extra=sections)
    app = build_app(load_settings(config, environ={}), lambda: now)
    app.prepare_database()
    return app


class RunningConsole:
    def __init__(self, app: App, after_commit: Callable[[], None] | None = None) -> None:
        self.app = app
        self.after_commit = after_commit
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.server: ConsoleServer | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        try:
            self.server = ConsoleServer(self.app, self.after_commit)
            await self.server.start()
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        await self.server.stop()

    def __enter__(self) -> RunningConsole:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    def url(self, path: str) -> str:
        return self.base + path


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def signed_in(console: RunningConsole, email: str = STAFF,
              password: str = PASSWORD) -> requests.Session:
    """A browser-like session signed in as `email` (the account must exist)."""
    session = requests.Session()
    page = session.get(console.url("/login"), timeout=10)
    answer = session.post(
        console.url("/login"),
        data={"csrf": csrf_of(page.text), "email": email, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    return session


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
