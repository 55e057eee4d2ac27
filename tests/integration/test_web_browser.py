"""The console in a real headless browser (Debian's chromium driven by Playwright):
sign in, find a case by search, reply, see the ack and the reply arrive at the SMTP
sink, close the case. Screenshots of the queue and the case page are kept under the
test's tmp dir, and copied to $OO_TEST_ARTIFACTS when it is set."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from harness import compose_mail, parse_mail
from playwright import sync_api
from servers import SmtpSink
from web_console import NOW, PASSWORD, STAFF, RunningConsole, console_app

from daemon.app import App
from daemon.inbound import InboundMail
from daemon.web.accounts import StaffAccounts
from daemon.web.console import wall_clock

# Debian's chromium (.ci/run installs it); Playwright downloads no browser of its own.
CHROMIUM = Path("/usr/bin/chromium")


def _keep(shot: Path) -> None:
    target = os.environ.get("OO_TEST_ARTIFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)


@pytest.fixture
def app(tmp_path: Path, migrated_pg_url: str, smtp_sink: SmtpSink) -> App:
    relay = {"host": smtp_sink.host, "port": smtp_sink.port, "security": "none"}
    app = console_app(tmp_path, migrated_pg_url, extra={"smtp_out": relay})
    StaffAccounts(app.engine, app.settings.staff, app.settings.web, wall_clock).add(
        STAFF, PASSWORD
    )
    app.pipeline.ingest_batch(app.engine, [InboundMail(compose_mail(
        sender="Karen Kunde <karen@firma.dk>", subject="Printeren på 2. sal virker ikke",
        body="Hej\n\nPrinteren på 2. sal skriver 'papirstop', men der er intet papir i.\n\n"
             "Mvh Karen\n", message_id="<printer-1@firma.dk>"), "smtp", NOW)])
    app.register_call("ole@andet.dk", "Ole", "Ny medarbejder skal have en konto",
                      "Ole ringede: ny kollega starter mandag.")
    app.flush_outbox()
    return app


def test_sign_in_search_reply_and_close_in_a_real_browser(
    app: App, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    assert smtp_sink.wait_for(2, 10), "the acks did not arrive"
    # The outbox sends over several connections (issue 18): the sink's order is not
    # the cases' order.
    acks = [parse_mail(m.data) for m in smtp_sink.messages]
    [ack] = [a for a in acks if a["To"].addresses[0].username == "karen"]
    assert "[OO#100001]" in ack["Subject"]
    with RunningConsole(app, after_commit=app.flush_outbox) as console, \
            sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(console.url("/"))
            assert page.url.startswith(console.url("/login"))
            page.fill("input[name=email]", STAFF)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(console.url("/"))
            assert page.locator("table.queue tbody tr").count() == 2
            page.screenshot(path=str(tmp_path / "console-queue.png"), full_page=True)
            _keep(tmp_path / "console-queue.png")

            page.fill("input[name=q]", "printeren")
            page.click("form.filters button[type=submit]")
            rows = page.locator("table.queue tbody tr")
            assert rows.count() == 1
            rows.locator("a").first.click()
            page.wait_for_url(console.url("/cases/100001"))
            assert "papirstop" in page.locator("section.thread").inner_text()

            reply_form = "form[action='/cases/100001/reply']"
            page.fill(f"{reply_form} textarea", "Hej Karen\n\nVi kommer kl. 13.")
            page.click(f"{reply_form} button")
            page.wait_for_url("**/cases/100001?done=reply")
            assert smtp_sink.wait_for(3, 10), "the reply did not arrive"
            reply = parse_mail(smtp_sink.messages[2].data)
            assert "[OO#100001]" in reply["Subject"]
            assert "Vi kommer kl. 13." in reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            page.screenshot(path=str(tmp_path / "console-case.png"), full_page=True)
            _keep(tmp_path / "console-case.png")

            page.select_option("form[action='/cases/100001/status'] select", "closed")
            page.click("form[action='/cases/100001/status'] button")
            page.wait_for_url("**/cases/100001?done=status")
            assert "closed" in page.locator("section.facts").inner_text()
            assert errors == [], errors  # no CSP violation, no script error
        finally:
            browser.close()
    detail = app.reads.case(100001)
    assert detail["status"] == "closed" and detail["first_response_at"] is not None
    assert {e["actor"] for e in detail["events"]} == {STAFF}
