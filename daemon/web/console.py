"""The console as an ASGI application: routes, sign-in, sessions, CSRF, headers.

Every page but the login page needs a signed-in staff account: signed out (or with a
forged or expired cookie) a page redirects to /login (302) and an action is refused
(403). Every POST carries the session's CSRF token, or is refused (403). Database work
runs in worker threads: inside `run` the console shares the daemon's event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daemon.oauth import OAuthError
from daemon.resources import default_templates_dir
from daemon.web import actions, pages
from daemon.web.accounts import SignInRefused, StaffAccounts
from daemon.web.microsoft import FLOW_COOKIE, FLOW_SECONDS, MicrosoftSignIn
from daemon.web.sessions import COOKIE_NAME, Session, SessionCodec, new_session, secret_from

if TYPE_CHECKING:
    from daemon.app import App
    from daemon.clock import Clock

# No inline script or style anywhere: the CSP allows only the console's own files.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}
STATIC_FILES = {
    "console.css": "text/css; charset=utf-8",
    "queue.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


def web_templates_dir() -> Any:
    return default_templates_dir() / "web"


def wall_clock() -> datetime:
    return datetime.now(UTC)


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response, error pages and files included, and
    `Server-Timing: app;dur=MS` (request in to response start: the server's time,
    which benchmarks/web_queue.py reports)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                # A response's own value wins (an attachment's stricter CSP, a
                # static file's cache time); the rest get the console's.
                headers = list(message.get("headers", []))
                present = {k.decode().lower() for k, _ in headers}
                headers += [
                    (k.encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k not in present
                ]
                headers.append((b"server-timing", f"app;dur={took:.1f}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class SignedOut(Exception):
    """No valid session of an active staff account."""


class Console:
    """The console of one App; `asgi()` is what uvicorn serves."""

    def __init__(
        self,
        app: App,
        *,
        clock: Clock = wall_clock,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        web = app.settings.web
        self.app = app
        self.wall_clock = clock
        self.codec = SessionCodec(secret_from(web.session_secret), web.session_hours * 3600)
        self.accounts = StaffAccounts(app.engine, app.settings.staff, web, clock)
        self.secure_cookies = web.secure_cookies
        self.microsoft: MicrosoftSignIn | None = None
        if web.microsoft_sign_in:
            if app.settings.oauth is None:
                raise ValueError("[web] microsoft_sign_in needs the Entra app of [oauth]")
            self.microsoft = MicrosoftSignIn(app.settings.oauth)
        self.page_size = web.page_size
        # Called after an action queued mail: the daemon's sender is woken, or (the
        # console alone) the outbox is flushed.
        self.after_commit = after_commit or (lambda: None)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(web_templates_dir())),
            autoescape=True,  # every value is text; the mail's HTML is never shown
            undefined=jinja2.StrictUndefined,
        )

    def asgi(self) -> ASGIApp:
        routes = [
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/login/microsoft", self.microsoft_start, methods=["GET"]),
            Route("/login/microsoft/callback", self.microsoft_finish, methods=["GET"],
                  name="microsoft_callback"),
            Route("/", self.staff_page(pages.queue_page), methods=["GET"]),
            Route("/cases/{number:int}", self.staff_page(pages.case_page), methods=["GET"]),
            Route(
                "/cases/{number:int}/files/{index:int}",
                self.staff_page(pages.attachment),
                methods=["GET"],
            ),
            Route("/cases/{number:int}/{action:str}", self.case_action, methods=["POST"]),
            Route("/reports", self.staff_page(pages.report_page), methods=["GET"]),
            Route("/static/{name:str}", self.static_file, methods=["GET"]),
        ]
        # Outside Starlette's own error middleware: a 500 carries the headers too.
        return SecurityHeaders(Starlette(
            routes=routes,
            exception_handlers={SignedOut: self._signed_out, HTTPException: self._http_error},
        ))

    # -- sessions --------------------------------------------------------------------

    def _now(self) -> float:
        return self.wall_clock().timestamp()

    def session_of(self, request: Request) -> Session | None:
        return self.codec.decode(request.cookies.get(COOKIE_NAME), self._now())

    async def staff_session(self, request: Request) -> Session:
        session = self.session_of(request)
        if session is None or not session.signed_in:
            raise SignedOut()
        current = self.accounts.session_current
        if not await asyncio.to_thread(current, session.email, session.issued):
            raise SignedOut()
        return session

    def secure(self, request: Request) -> bool:
        """Secure cookies with `[web] secure_cookies`, and always for a request that came
        over HTTPS (from the local TLS proxy, X-Forwarded-Proto): a cookie a browser got
        over TLS must never travel in plain text to the same host's http:// port."""
        return self.secure_cookies or request.url.scheme == "https"

    def set_session(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self.codec.encode(session),
            max_age=int(self.codec.max_age),
            httponly=True,
            samesite="lax",  # a link from a mail carries it; a cross-site POST does not
            secure=self.secure(request),
            path="/",
        )

    async def _signed_out(self, request: Request, _exc: Exception) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=302)
        return PlainTextResponse("Forbidden: sign in first.", status_code=403)

    async def _http_error(self, _request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    async def checked_form(self, request: Request, session: Session) -> FormData:
        """The POSTed form, if it carries this session's CSRF token (403 otherwise)."""
        form = await request.form(max_files=0, max_fields=50, max_part_size=256 * 1024)
        token = form.get("csrf")
        if not self.codec.csrf_ok(session, token if isinstance(token, str) else None):
            raise HTTPException(403, "Forbidden: the form's token is missing or stale.")
        # No text of a form may hold NUL: PostgreSQL stores none (a 500 from the
        # driver when a note, a reply or a sign-in's address carried one).
        if any("\x00" in value for _name, value in form.multi_items() if isinstance(value, str)):
            raise HTTPException(400, "A field of the form holds a NUL character.")
        return form

    def render(
        self, name: str, session: Session, status: int = 200, **context: Any
    ) -> HTMLResponse:
        page = self.templates.get_template(name).render(
            me=session.email,
            csrf=self.codec.csrf_token(session),
            microsoft=self.microsoft is not None,
            **context,
        )
        return HTMLResponse(page, status_code=status)

    # -- pages and actions -------------------------------------------------------------

    def staff_page(
        self, build: Callable[[Console, Request, Session], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session = await self.staff_session(request)
            # As in a form (checked_form): a search or filter holding NUL would reach
            # PostgreSQL, which refuses it in text (a 500).
            if any("\x00" in value for _name, value in request.query_params.multi_items()):
                raise HTTPException(400, "A parameter of the address holds a NUL character.")
            return await asyncio.to_thread(build, self, request, session)

        return endpoint

    async def case_action(self, request: Request) -> Response:
        session = await self.staff_session(request)
        form = await self.checked_form(request, session)
        return await asyncio.to_thread(actions.perform, self, request, session, form)

    # -- sign-in -----------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is not None and session.signed_in:
            return RedirectResponse("/", status_code=302)
        fresh = session or new_session("", self._now())
        response = self.render("login.html.j2", fresh, error="", next=_local(request))
        if session is None:
            self.set_session(request, response, fresh)
        return response

    async def login(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:  # no cookie from the login page: a cross-site post
            return PlainTextResponse("Forbidden: open the login page first.", status_code=403)
        form = await self.checked_form(request, session)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        ip = request.client.host if request.client else "unknown"
        target = _local_path(str(form.get("next", "")))
        try:
            signed_in = await asyncio.to_thread(self.accounts.sign_in, email, password, ip)
        except SignInRefused as refused:
            return self.render(
                "login.html.j2", session, status=401, error=str(refused), next=target
            )
        response = RedirectResponse(target, status_code=303)
        # A new sid: a session id planted before sign-in is worth nothing after it.
        self.set_session(request, response, new_session(signed_in, self._now()))
        return response

    async def microsoft_start(self, request: Request) -> Response:
        if self.microsoft is None:
            raise HTTPException(404, "Microsoft sign-in is not enabled.")
        redirect_uri = str(request.url_for("microsoft_callback"))
        microsoft = self.microsoft
        try:
            flow = await asyncio.to_thread(microsoft.start, redirect_uri)
        except OAuthError as exc:
            return self._login_error(request, str(exc))
        flow["next"] = _local(request)
        response = RedirectResponse(str(flow["auth_uri"]), status_code=302)
        response.set_cookie(
            FLOW_COOKIE,
            self.codec.seal("oidc-flow", flow, self._now()),
            max_age=FLOW_SECONDS,
            httponly=True,
            samesite="lax",  # the identity provider's redirect back is a top-level GET
            secure=self.secure(request),
            path="/login/microsoft",
        )
        return response

    async def microsoft_finish(self, request: Request) -> Response:
        if self.microsoft is None:
            raise HTTPException(404, "Microsoft sign-in is not enabled.")
        now = self._now()
        flow = self.codec.unseal(
            "oidc-flow", request.cookies.get(FLOW_COOKIE), now, FLOW_SECONDS
        )
        if not isinstance(flow, dict):
            return self._login_error(request, "The Microsoft sign-in expired; try again.")
        ip = request.client.host if request.client else "unknown"
        microsoft = self.microsoft
        answer = dict(request.query_params)
        try:
            address = await asyncio.to_thread(microsoft.finish, flow, answer, now)
            signed_in = await asyncio.to_thread(self.accounts.signed_in_elsewhere, address, ip)
        except (OAuthError, SignInRefused) as exc:
            return self._login_error(request, str(exc))
        response = RedirectResponse(_local_path(str(flow.get("next", "/"))), status_code=303)
        response.delete_cookie(FLOW_COOKIE, path="/login/microsoft")
        self.set_session(request, response, new_session(signed_in, now))
        return response

    def _login_error(self, request: Request, error: str) -> Response:
        session = self.session_of(request) or new_session("", self._now())
        response = self.render("login.html.j2", session, status=401, error=error, next="/")
        self.set_session(request, response, session)
        return response

    async def logout(self, request: Request) -> Response:
        session = await self.staff_session(request)
        await self.checked_form(request, session)
        await asyncio.to_thread(self.accounts.end_sessions, session.email)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response

    async def static_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            raise HTTPException(404, "Not found.")
        content = (web_templates_dir() / "static" / name).read_bytes()
        return Response(
            content,
            media_type=STATIC_FILES[name],
            headers={"cache-control": "max-age=3600"},
        )


def _local(request: Request) -> str:
    return _local_path(request.query_params.get("next", "/"))


def _local_path(target: str) -> str:
    """Only a path on this site to go to after sign-in (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target

