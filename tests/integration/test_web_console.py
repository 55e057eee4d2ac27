"""The staff console (issue 17) against a real uvicorn server and a real PostgreSQL:
only signed-in staff see or do anything, every form needs its CSRF token, hostile
case content is inert, and the pages show what the CLI shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from harness import cli, compose_mail, run_cli, write_config
from web_console import (
    NOW,
    PASSWORD,
    SECRET,
    STAFF,
    RunningConsole,
    console_app,
    csrf_of,
    signed_in,
)

from daemon.app import App
from daemon.domain.billing import Fee
from daemon.inbound import InboundMail
from daemon.web.accounts import AccountError, StaffAccounts
from daemon.web.console import SECURITY_HEADERS, wall_clock
from daemon.web.sessions import COOKIE_NAME, Session, SessionCodec

PAGES = ("/", "/?q=printer", "/cases/100001", "/cases/100001/files/0", "/reports",
         "/reports?month=2026-11")
ACTIONS = ("reply", "note", "status", "priority", "assign", "time", "untime", "project", "fee")


@pytest.fixture
def app(tmp_path: Path, migrated_pg_url: str) -> App:
    app = console_app(tmp_path, migrated_pg_url)
    accounts(app).add(STAFF, PASSWORD)
    app.pipeline.ingest_batch(app.engine, [InboundMail(
        compose_mail(sender="Kunde <kunde@firma.dk>", subject="Printeren virker ikke",
                     body="Hej\n\nPrinteren på 2. sal virker ikke.\n", message_id="<p1@firma.dk>",
                     attachment=("fejl.pdf", b"%PDF-1.4 test")),
        "smtp", NOW)])
    return app


def accounts(app: App) -> StaffAccounts:
    return StaffAccounts(app.engine, app.settings.staff, app.settings.web, wall_clock)


def _cookie(payload: list[object], key: str = SECRET) -> str:
    """A session cookie signed as the console signs (or with another key: forged)."""
    return SessionCodec(key.encode(), 3600).encode(Session(*payload))  # type: ignore[arg-type]


def _all_requests(console: RunningConsole, session: requests.Session) -> list[tuple[str, int]]:
    found = []
    for path in PAGES:
        r = session.get(console.url(path), allow_redirects=False, timeout=10)
        found.append((f"GET {path}", r.status_code))
    for action in ACTIONS:
        r = session.post(console.url(f"/cases/100001/{action}"),
                         data={"text": "x", "status": "closed"}, allow_redirects=False, timeout=10)
        found.append((f"POST {action}", r.status_code))
    r = session.post(console.url("/logout"), allow_redirects=False, timeout=10)
    found.append(("POST logout", r.status_code))
    return found


def _expect_locked_out(found: list[tuple[str, int]]) -> None:
    for what, status in found:
        expected = 302 if what.startswith("GET") else 403
        assert status == expected, (what, status)


def test_signed_out_every_page_redirects_to_login_and_every_action_is_forbidden(
    app: App,
) -> None:
    with RunningConsole(app) as console:
        _expect_locked_out(_all_requests(console, requests.Session()))
        r = requests.get(console.url("/cases/100001"), allow_redirects=False, timeout=10)
        assert r.headers["location"] == "/login?next=%2Fcases%2F100001"
    assert app.reads.case(100001)["status"] == "new"  # nothing was done


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param(lambda: _cookie(["sid", STAFF, time.time()], key="another-key-0123456789"),
                     id="forged"),
        pytest.param(lambda: _cookie(["sid", STAFF, time.time() - 13 * 3600]), id="expired"),
        pytest.param(lambda: _cookie(["sid", "kunde@firma.dk", time.time()]), id="customer"),
        pytest.param(lambda: _cookie(["sid", "ghost@oo.dk", time.time()]), id="no-account"),
        pytest.param(lambda: "garbage.garbage", id="garbage"),
    ],
)
def test_a_forged_expired_or_foreign_session_sees_nothing(app: App, cookie) -> None:  # type: ignore[no-untyped-def]
    with RunningConsole(app) as console:
        session = requests.Session()
        session.cookies.set(COOKIE_NAME, cookie())
        _expect_locked_out(_all_requests(console, session))
    assert app.reads.case(100001)["status"] == "new"


def test_signed_in_without_the_csrf_token_every_action_is_forbidden(app: App) -> None:
    with RunningConsole(app) as console:
        session = signed_in(console)
        for action in ACTIONS:
            for token in (None, "wrong", csrf_of(requests.Session().get(
                    console.url("/login"), timeout=10).text)):  # another session's token
                data = {"text": "x", "status": "closed", "priority": "high"}
                if token is not None:
                    data["csrf"] = token
                r = session.post(console.url(f"/cases/100001/{action}"), data=data,
                                 allow_redirects=False, timeout=10)
                assert r.status_code == 403, (action, token)
        assert session.get(console.url("/"), timeout=10).status_code == 200
    detail = app.reads.case(100001)
    assert detail["status"] == "new" and not detail["events"]


def test_login_needs_its_csrf_token_and_refuses_a_cross_site_post(app: App) -> None:
    with RunningConsole(app) as console:
        no_cookie = requests.post(console.url("/login"),
                                  data={"email": STAFF, "password": PASSWORD}, timeout=10)
        assert no_cookie.status_code == 403
        session = requests.Session()
        session.get(console.url("/login"), timeout=10)
        no_token = session.post(console.url("/login"),
                                data={"email": STAFF, "password": PASSWORD}, timeout=10)
        assert no_token.status_code == 403


def test_customer_addresses_get_no_account_and_cannot_sign_in(app: App) -> None:
    with pytest.raises(AccountError, match="not an address of \\[staff\\] domains"):
        accounts(app).add("kunde@firma.dk", PASSWORD)
    with pytest.raises(AccountError, match="at least 12"):
        accounts(app).add("bo@oo.dk", "short")
    with RunningConsole(app) as console:
        session = requests.Session()
        page = session.get(console.url("/login"), timeout=10)
        r = session.post(console.url("/login"), data={
            "csrf": csrf_of(page.text), "email": "kunde@firma.dk", "password": PASSWORD,
        }, allow_redirects=False, timeout=30)
        assert r.status_code == 401
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 302


def test_failed_sign_ins_are_limited_per_account_even_with_the_right_password(
    app: App,
) -> None:
    limit = app.settings.web.login_failures_per_account
    with RunningConsole(app) as console:
        session = requests.Session()
        token = csrf_of(session.get(console.url("/login"), timeout=10).text)

        def attempt(password: str) -> requests.Response:
            return session.post(console.url("/login"), data={
                "csrf": token, "email": STAFF, "password": password}, allow_redirects=False,
                timeout=30)

        for _ in range(limit):
            assert attempt("wrong password!").status_code == 401
        refused = attempt(PASSWORD)
        assert refused.status_code == 401 and "Too many failed sign-ins" in refused.text
        # Another account from the same address is not locked by this one's failures.
        accounts(app).add("bo@oo.dk", PASSWORD)
        assert signed_in(console, "bo@oo.dk")


def test_removing_an_account_ends_its_sessions_at_once(app: App) -> None:
    with RunningConsole(app) as console:
        session = signed_in(console)
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 200
        assert accounts(app).remove(STAFF)
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 302


def test_signing_out_ends_the_session_not_only_the_cookie(app: App) -> None:
    """redteam24b: the cookie cleared at sign-out was still a valid session for
    [web] session_hours: a copy of it (a shared machine's browser profile, a proxy's
    log) went on working after the supporter signed out. Sign-out ends the account's
    sessions in the database (all of them: a cookie carries no server-side state to
    end one alone), and a new sign-in works."""
    with RunningConsole(app) as console:
        session = signed_in(console)
        other_device = signed_in(console)
        copied = session.cookies.get(COOKIE_NAME)
        page = session.get(console.url("/"), timeout=10)
        out = session.post(console.url("/logout"), data={"csrf": csrf_of(page.text)},
                           allow_redirects=False, timeout=10)
        assert out.status_code == 303
        replay = requests.Session()
        replay.cookies.set(COOKIE_NAME, copied)
        _expect_locked_out(_all_requests(console, replay))
        assert other_device.get(console.url("/"), allow_redirects=False,
                                timeout=10).status_code == 302
        again = signed_in(console)
        assert again.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 200
    assert app.reads.case(100001)["status"] == "new"


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(app: App) -> None:
    """redteam24b: `staff add EMAIL` with a new password (the answer to a leaked one)
    left every session signed in with the old password open for session_hours."""
    with RunningConsole(app) as console:
        session = signed_in(console)
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 200
        accounts(app).add(STAFF, PASSWORD + " changed")
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 302
        assert signed_in(console, password=PASSWORD + " changed")


def test_over_https_from_the_proxy_the_session_cookie_is_secure_by_itself(app: App) -> None:
    """redteam24b: behind the README's TLS proxy, with `[web] secure_cookies` not set
    (the last step of that section, easily missed), the session cookie had no Secure
    flag, and a browser sends it on any plain http:// request to the host. A request
    the local proxy marks as HTTPS now always gets a Secure cookie; plain http (the
    default on loopback) keeps working without."""
    assert not app.settings.web.secure_cookies
    with RunningConsole(app) as console:
        https = requests.get(console.url("/login"), headers={"X-Forwarded-Proto": "https"},
                             timeout=10)
        assert "secure" in https.headers["set-cookie"].lower()
        plain = requests.get(console.url("/login"), timeout=10)
        assert "secure" not in plain.headers["set-cookie"].lower()


def test_security_headers_on_pages_errors_and_the_login(app: App) -> None:
    with RunningConsole(app) as console:
        session = signed_in(console)
        for r in (session.get(console.url("/"), timeout=10),
                  session.get(console.url("/cases/999999"), timeout=10),
                  requests.get(console.url("/login"), timeout=10),
                  requests.get(console.url("/static/console.css"), timeout=10)):
            for name in ("x-frame-options", "x-content-type-options", "referrer-policy"):
                assert r.headers[name] == SECURITY_HEADERS[name], (r.url, name)
            csp = r.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        huge = session.get(console.url("/cases/" + "9" * 30), timeout=10)
        assert huge.status_code == 404  # not a database error
        login = requests.get(console.url("/login"), timeout=10)
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "<script" not in login.text and " style=" not in login.text


def test_the_queue_is_sorted_by_the_nearest_unmet_deadline_and_filtered(app: App) -> None:
    normal = app.register_call("a@firma.dk", "A", "Normal sag", "tekst")
    critical = app.register_call("b@andet.dk", "B", "Serveren er nede", "alle er stoppet")
    # Answered: review and response are met, the resolution (tomorrow) is next.
    app.work.reply(100001, STAFF, "Vi kigger på det")
    app.work.reply(normal.case_number or 0, STAFF, "Vi kigger på det")
    # Reviewed by the change; a high priority response is due within the hour (BR-11).
    app.work.apply(critical.case_number or 0, "priority", "high", STAFF)
    app.work.apply(100001, "assign", STAFF, STAFF)
    with RunningConsole(app) as console:
        session = signed_in(console)
        page = session.get(console.url("/"), timeout=10).text
        order = [int(n) for n in re.findall(r'href="/cases/(\d+)"', page)]
        assert order == [critical.case_number, 100001, normal.case_number]
        mine = session.get(console.url("/?show=mine"), timeout=10).text
        assert re.findall(r'href="/cases/(\d+)"', mine) == ["100001"]
        unassigned = session.get(console.url("/?show=unassigned"), timeout=10).text
        assert "100001" not in re.findall(r'href="/cases/(\d+)"', unassigned)
        high = session.get(console.url("/?priority=high"), timeout=10).text
        assert re.findall(r'href="/cases/(\d+)"', high) == [str(critical.case_number)]
        customer = session.get(console.url("/?customer=andet.dk"), timeout=10).text
        assert re.findall(r'href="/cases/(\d+)"', customer) == [str(critical.case_number)]
        overdue = session.get(console.url("/?overdue=1"), timeout=10).text
        assert re.findall(r'href="/cases/(\d+)"', overdue) == []  # all are new at NOW
        searched = session.get(console.url("/?q=printeren"), timeout=10).text
        cli_search = app.reads.search("printeren", 50)
        assert re.findall(r'href="/cases/(\d+)"', searched) == [
            str(c["number"]) for c in cli_search]


def test_actions_are_done_through_app_work_and_recorded_with_the_signed_in_staff(
    app: App,
) -> None:
    with RunningConsole(app) as console:
        session = signed_in(console)
        page = session.get(console.url("/cases/100001"), timeout=10).text
        token = csrf_of(page)
        steps = [
            ("note", {"text": "Ringet til kunden"}),
            ("priority", {"priority": "high"}),
            ("assign", {"email": "bo@oo.dk"}),
            ("time", {"minutes": "300", "kind": "support"}),  # a typo, taken back next
            ("untime", {"entry": "ENTRY"}),
            ("time", {"minutes": "30", "kind": "support"}),
            ("project", {"project": "on", "senior": "1", "estimate": "1h30m"}),
            ("fee", {"description": "Kørsel", "amount": "250,00"}),
            ("reply", {"text": "Vi ser på det i dag."}),
            ("status", {"status": "closed"}),
        ]
        for action, data in steps:
            if data.get("entry") == "ENTRY":  # the id of the entry just logged
                data = {"entry": str(app.reads.case(100001)["time_entries"][-1]["id"])}
            r = session.post(console.url(f"/cases/100001/{action}"),
                             data={"csrf": token, **data}, allow_redirects=False, timeout=30)
            assert r.status_code == 303, (action, r.text[:500])
        bad = session.post(console.url("/cases/100001/time"),
                           data={"csrf": token, "minutes": "-5", "kind": "support"}, timeout=10)
        assert bad.status_code == 400 and "minutes must be" in bad.text
        vague = session.post(console.url("/cases/100001/project"),
                             data={"csrf": token, "project": "on", "estimate": "a while"},
                             timeout=10)
        assert vague.status_code == 400
        # Another case's entry, none, or an id past any column (a tampered form): a 400
        # that names it, never a server error (review25b: 10**23 was a 500).
        for entry in ("99999999999999999999999", "9223372036854775808", "0", "-1", "x"):
            gone = session.post(console.url("/cases/100001/untime"),
                                data={"csrf": token, "entry": entry}, timeout=10)
            assert gone.status_code == 400, (entry, gone.status_code)
    detail = app.reads.case(100001)
    # BR-15 / BR-18 example 4: the senior rate and the agreed time, as `cases project`.
    terms = detail["billing"]["project"]
    assert terms["rate_kind"] == "senior" and terms["estimate_minutes"] == 90
    assert detail["status"] == "closed" and detail["priority"] == "high"
    assert detail["assignee"] == "bo@oo.dk" and detail["project"] is True
    assert [t["minutes"] for t in detail["time_entries"]] == [30]  # the 300 taken back
    assert detail["fees"] == [{"description": "Kørsel", "amount": "250.00"}]
    assert {m["kind"] for m in detail["messages"]} >= {"note", "reply"}
    actors = {e["actor"] for e in detail["events"]}
    assert actors == {STAFF}, detail["events"]


def test_the_desks_oncall_fee_is_refused_on_a_mail_case_unless_forced(app: App) -> None:
    """BR-10 on the web desk's form, as on `cases fee --oncall` (the same add_fee): a
    mail is no call to the on-call duty, so the fee is refused with the reason; forced,
    it is added once and the history keeps why it did not apply."""
    with RunningConsole(app) as console:
        session = signed_in(console)
        token = csrf_of(session.get(console.url("/cases/100001"), timeout=10).text)
        url = console.url("/cases/100001/fee")
        refused = session.post(url, data={"csrf": token, "oncall": "1"}, timeout=10)
        assert refused.status_code == 400 and "by email" in refused.text
        forced = session.post(url, data={"csrf": token, "oncall": "1", "force": "1"},
                              allow_redirects=False, timeout=10)
        assert forced.status_code == 303, forced.text[:500]
        again = session.post(url, data={"csrf": token, "oncall": "1"}, timeout=10)
        assert again.status_code == 400
    detail = app.reads.case(100001)
    assert [f["amount"] for f in detail["fees"]] == ["1000.00"]
    [fee] = [e for e in detail["events"] if e["action"] == "fee"]
    assert "by email" in fee["detail"]["forced"]


def test_hostile_case_content_is_rendered_inert(app: App) -> None:
    rtl = "invoice\u202efdp.exe"
    app.pipeline.ingest_batch(app.engine, [InboundMail(
        compose_mail(sender='"<img src=x onerror=alert(1)>" <evil@firma.dk>',
                     subject="<script>alert('subject')</script> " + "A" * 100_000,
                     body="<script>alert('body')</script>\n"
                          '<a href="javascript:alert(1)">klik</a> javascript:alert(2)\n' + rtl,
                     message_id="<evil@firma.dk>",
                     attachment=(f"{rtl}.pdf", b"<html><script>alert(3)</script>")),
        "smtp", NOW)])
    with RunningConsole(app) as console:
        session = signed_in(console)
        for path in ("/", "/cases/100002", "/?q=alert"):
            r = session.get(console.url(path), timeout=30)
            assert r.status_code == 200, path
            ours = '<script src="/static/queue.js" defer></script>'  # the only script
            html = r.text.replace(ours, "")
            assert "<script" not in html and "<img" not in html, path
            assert 'href="javascript' not in html, path
            assert "\u202e" not in html, path
            assert len(html) < 60_000, (path, len(html))  # the 100 kB subject is cut
        case_page = session.get(console.url("/cases/100002"), timeout=10).text
        assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in case_page
        download = session.get(console.url("/cases/100002/files/0"), timeout=10)
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment;")
        assert "\u202e" not in download.headers["content-disposition"]
        assert download.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in download.headers["content-security-policy"]
        assert download.content == b"<html><script>alert(3)</script>"


def test_the_report_page_shows_the_numbers_of_oo_support_report(app: App) -> None:
    app.work.add_time(100001, 45, "support", STAFF)
    app.work.add_fee(100001, Fee("Kørsel", Decimal("250.00")), STAFF)
    from daemon.outputs.reports import report_json

    expected = report_json(app.reads.report("2026-11", app.settings.support.timezone))
    with RunningConsole(app) as console:
        html = signed_in(console).get(console.url("/reports?month=2026-11"), timeout=10).text
        bad = signed_in(console).get(console.url("/reports?month=2026-13"), timeout=10)
    totals = expected["totals"]
    excl, vat, incl = totals["amount_excl_vat"], totals["vat"], totals["amount_incl_vat"]
    assert f"{excl} + VAT {vat} = {incl}" in html
    assert totals["amount_incl_vat"] != "0.00"
    for customer in expected["customers"]:
        assert customer["totals"]["amount_incl_vat"] in html
    assert bad.status_code == 400


def test_staff_commands_add_list_and_remove_accounts(tmp_path: Path, migrated_pg_url: str) -> None:
    config = write_config(tmp_path / "oo.toml", database_url=migrated_pg_url)
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    run_cli("staff", "add", "Anna@OO.dk", "--password-file", str(secret), config=config)
    listed = json.loads(run_cli("staff", "list", "--json", config=config))
    assert [a["email"] for a in listed] == ["anna@oo.dk"]
    with pytest.raises(AssertionError, match="not an address of"):
        run_cli("staff", "add", "kunde@firma.dk", "--password-file", str(secret), config=config)
    run_cli("staff", "remove", "anna@oo.dk", config=config)
    assert json.loads(run_cli("staff", "list", "--json", config=config)) == []
    with pytest.raises(AssertionError, match="no console account"):
        run_cli("staff", "remove", "anna@oo.dk", config=config)


def _sig(body: bytes) -> str:  # documents the cookie format the tests forge against
    key = hashlib.sha256(b"oo-support web session\0" + SECRET.encode()).digest()
    mac = hmac.new(key, b"cookie\0" + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_a_cookie_changed_by_hand_is_refused(app: App) -> None:
    good = _cookie(["sid", STAFF, time.time()])
    body = json.dumps(["sid", "bo@oo.dk", time.time()]).encode()
    swapped = base64.urlsafe_b64encode(body).rstrip(b"=").decode() + "." + good.split(".")[1]
    assert _sig(base64.urlsafe_b64decode(good.split(".")[0] + "==")) == good.split(".")[1]
    accounts(app).add("bo@oo.dk", PASSWORD)
    with RunningConsole(app) as console:
        session = requests.Session()
        session.cookies.set(COOKIE_NAME, swapped)
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 302
        session.cookies.set(COOKIE_NAME, good)
        assert session.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 200


def test_run_serves_the_console_when_enabled_and_stops_on_sigterm(
    tmp_path: Path, migrated_pg_url: str
) -> None:
    from harness import DaemonProcess
    from servers import free_port

    port = free_port()
    web = {"enabled": True, "listen": f"127.0.0.1:{port}", "session_secret": SECRET}
    config = write_config(tmp_path / "oo.toml", database_url=migrated_pg_url,
                          extra={"web": web})
    daemon = DaemonProcess(config, tmp_path).start()
    try:
        daemon.wait_ready()
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert login.status_code == 200 and "Sign in" in login.text
        # check-config beside the running daemon: its own console holding the address
        # is how it should be, not a failure (another program there is: test_check_config).
        # Asked directly: a proxy in the environment (nothing listens on port 9) is not
        # asked in its place.
        done = cli("check-config", "--json", config=config,
                   env={"http_proxy": "http://127.0.0.1:9", "no_proxy": ""})
        checks = json.loads(done.stdout)
        assert [(c["ok"], c["detail"]) for c in checks if c["check"] == "web"] == [
            (True, f"in use by a running OneOffice console on 127.0.0.1:{port}")]
    finally:
        assert daemon.terminate() == 0, daemon.log()[-2000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/login", timeout=5)


def test_two_consoles_on_one_database_share_sessions_and_the_sign_in_limit(
    app: App, tmp_path: Path, migrated_pg_url: str
) -> None:
    (tmp_path / "second").mkdir()
    other_app = console_app(tmp_path / "second", migrated_pg_url)  # as another process
    limit = app.settings.web.login_failures_per_account
    with RunningConsole(app) as first, RunningConsole(other_app) as second:
        session = requests.Session()
        token = csrf_of(session.get(first.url("/login"), timeout=10).text)
        for _ in range(limit):
            r = session.post(first.url("/login"), data={
                "csrf": token, "email": STAFF, "password": "wrong password!"}, timeout=30)
            assert r.status_code == 401
        refused = requests.Session()
        page = refused.get(second.url("/login"), timeout=10)
        r = refused.post(second.url("/login"), data={
            "csrf": csrf_of(page.text), "email": STAFF, "password": PASSWORD}, timeout=30)
        assert "Too many failed sign-ins" in r.text
        accounts(app).add("bo@oo.dk", PASSWORD)
        bo = signed_in(first, "bo@oo.dk")  # the cookie of one console works at the other
        cookie = bo.cookies.get(COOKIE_NAME)
        at_second = requests.get(second.url("/"), cookies={COOKIE_NAME: cookie or ""},
                                 allow_redirects=False, timeout=10)
        assert at_second.status_code == 200


def test_oo_support_web_alone_sends_a_reply_at_once_and_stops_on_sigterm(
    app: App, tmp_path: Path, migrated_pg_url: str
) -> None:
    import signal
    import subprocess
    import sys

    from harness import clean_env, wait_until
    from servers import SmtpSink, free_port

    port = free_port()
    with SmtpSink() as sink:
        relay = {"host": sink.host, "port": sink.port, "security": "none"}
        web = {"listen": f"127.0.0.1:{port}", "session_secret": SECRET}
        config = write_config(tmp_path / "alone.toml", database_url=migrated_pg_url,
                              extra={"web": web, "smtp_out": relay})
        log = (tmp_path / "web.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "daemon", "web", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT, env=clean_env())
        try:
            def up() -> bool:
                try:
                    return requests.get(f"http://127.0.0.1:{port}/login", timeout=2).ok
                except requests.ConnectionError:
                    return False

            wait_until(up, 30, "oo-support web to listen")
            console = type("Alone", (), {"url": lambda self, p: f"http://127.0.0.1:{port}{p}"})()
            session = signed_in(console)  # type: ignore[arg-type]
            token = csrf_of(session.get(console.url("/cases/100001"), timeout=10).text)
            r = session.post(console.url("/cases/100001/reply"),
                             data={"csrf": token, "text": "Vi kommer i morgen."},
                             allow_redirects=False, timeout=30)
            assert r.status_code == 303
            # The ack the fixture's mail queued goes out with it.
            assert sink.wait_for(2, 20), "the reply was not sent"
            assert any(b"Vi kommer i morgen." in m.data for m in sink.messages)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0, (tmp_path / "web.log").read_text()
            log.close()


def test_a_page_number_past_any_queue_is_an_empty_page_not_a_server_error(app: App) -> None:
    # A tampered or stale link: ?page=10**23 put an OFFSET past PostgreSQL's bigint into
    # the query (500, "bigint out of range").
    with RunningConsole(app) as console:
        session = signed_in(console)
        for page in ("99999999999999999999999", "9223372036854775807", "-3", "x"):
            answer = session.get(console.url(f"/?page={page}"), timeout=10)
            assert answer.status_code == 200, (page, answer.status_code)


def test_a_form_with_a_token_that_is_not_ascii_is_forbidden_not_a_server_error(
    app: App,
) -> None:
    with RunningConsole(app) as console:
        visitor = requests.Session()
        visitor.get(console.url("/login"), timeout=10)  # the pre-sign-in session cookie
        login = visitor.post(console.url("/login"), timeout=10, data={
            "csrf": "æøå", "email": STAFF, "password": PASSWORD})
        assert login.status_code == 403
        session = signed_in(console)
        raw = session.post(
            console.url("/cases/100001/note"), data=b"csrf=%FF%FE&text=x", timeout=10,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert raw.status_code == 403


def test_a_form_field_or_parameter_holding_nul_is_refused_not_a_server_error(app: App) -> None:
    with RunningConsole(app) as console:
        visitor = requests.Session()
        page = visitor.get(console.url("/login"), timeout=10)
        login = visitor.post(console.url("/login"), timeout=10, data={
            "csrf": csrf_of(page.text), "email": STAFF + "\x00", "password": "a\x00b"})
        assert login.status_code == 400
        session = signed_in(console)
        token = csrf_of(session.get(console.url("/cases/100001"), timeout=10).text)
        for action, fields in (("note", {"text": "a\x00b"}), ("reply", {"text": "\x00"}),
                               ("assign", {"email": "tina@oo.dk\x00"})):
            answer = session.post(console.url(f"/cases/100001/{action}"), timeout=10,
                                  data={"csrf": token, **fields})
            assert answer.status_code == 400, (action, answer.status_code)
        for query in ("/?q=%00", "/?q=a%00b", "/?customer=a%00",
                      "/reports?month=2026-11&customer=a%00"):
            assert session.get(console.url(query), timeout=10).status_code == 400, query
