"""The support pages in a real browser (Debian's chromium driven by Playwright).

A moderator logs in, searches, opens a thread, switches between "as received" and "as
delivered", releases one held message (it reaches the upstream sink), rejects another with a
reason, and finds all of it on the audit page. The XSS test archives hostile mail and proves
that nothing in it runs and nothing remote is fetched (a local HTTP server records every hit).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlmodel import select

from storage.db import session_scope
from storage.models import Message
from tests.conftest import eventually
from tests.web_helpers import PASSWORDS, send_html, send_plain, start_support, web_settings

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        await b.close()


@pytest.fixture
async def support(db_url, tmp_path, dkim_key, sink, start_gateway):
    return await start_support(
        start_gateway, web_settings(db_url, tmp_path, dkim_key[0], sink_port=sink.port)
    )


async def log_in(page: Page, base: str, name: str) -> None:
    await page.goto(base + "/")
    await expect(page).to_have_url(base + "/login?next=%2F")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", PASSWORDS[name])
    await page.click("button[type=submit]")
    await expect(page).to_have_url(base + "/")


def held_status(engine, subject: str) -> str:
    with session_scope(engine) as session:
        return session.exec(select(Message.status).where(Message.subject == subject)).one()


async def test_moderator_searches_reads_releases_rejects_and_audits(support, browser, sink):
    base = support.base_url
    assert (
        await send_plain(
            support,
            "Deposit",
            "Wire the deposit by bank transfer to IBAN DE89 3704 0044 0532 0130 00",
            "d1",
        )
    )[0] == 250
    assert (
        await send_plain(
            support,
            "Paypal",
            "Send it to my paypal ann.private@gmail.com or IBAN GB82 WEST 1234 5698 7654 32",
            "d2",
        )
    )[0] == 250
    assert (await send_plain(support, "Hello", "Looking forward to the logo", "d3"))[0] == 250
    # only "Hello" reaches Bo; the other two are held (Ann gets a notice for each)
    assert [b"Subject: Hello" in d for d in await eventually(lambda: to_bo(sink, support))] == [
        True
    ]

    page = await browser.new_page()
    await log_in(page, base, "mo")

    # search with the query language
    await page.fill("input[name=q]", 'is:held "bank transfer"')
    await page.click("form.search button")
    rows = page.locator("table.results tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Deposit")
    await expect(rows.first).to_contain_text("payment")

    # a bad query says what to fix
    await page.fill("input[name=q]", "colour:red")
    await page.click("form.search button")
    await expect(page.locator("p.error")).to_contain_text("unknown filter 'colour:'")

    # open the thread from the results
    await page.fill("input[name=q]", "deposit")
    await page.click("form.search button")
    await page.click("table.results a")
    await expect(page.locator("h1")).to_have_text("Logo design")
    deposit = page.locator("article.message.kind-inbound", has_text="Deposit")
    await expect(deposit.locator("mark[title='payment: iban']")).to_have_text(
        "DE89 3704 0044 0532 0130 00"
    )
    await expect(deposit.locator(".action")).to_have_text("hold")
    await expect(deposit.locator("table.deliveries")).to_contain_text("held")
    await expect(
        page.locator("article.message.kind-inbound", has_text="Hello").locator("table.deliveries")
    ).to_contain_text("delivered")

    # as delivered: the copies with relay addresses and the footer, no real sender address
    await page.click("text=As delivered")
    await expect(page).to_have_url(f"{base}/threads/{support.conv.thread_id}?view=delivered")
    copy = page.locator("article.message.kind-inbound", has_text="Hello").locator("section.copy")
    await expect(copy).to_contain_text("Copy to bo@example.net")
    await expect(copy).to_contain_text("Looking forward to the logo")
    await page.click("text=As received")
    await expect(page.locator("nav.views a.current")).to_have_text("As received")

    # release one hold from the queue: it is delivered
    await page.click("header nav >> text=Holds")
    holds = page.locator("article.hold")
    await expect(holds).to_have_count(2)
    deposit_hold = holds.filter(has_text="Deposit")
    await deposit_hold.locator("input[name=reason]").first.fill("customer confirmed escrow")
    await deposit_hold.locator("button.release").click()
    await expect(page.locator("p.notice")).to_contain_text("released")
    copies = await eventually(lambda: len(to_bo(sink, support)) == 2 and to_bo(sink, support))
    assert b"Subject: Deposit" in copies[1]

    # reject the other: the browser insists on a reason first
    paypal_hold = page.locator("article.hold", has_text="Paypal")
    await paypal_hold.locator("button.reject").click()
    await expect(page.locator("article.hold")).to_have_count(1)  # nothing happened
    assert held_status(support.engine, "Paypal") == "held"
    await paypal_hold.locator("input[aria-label='Reject reason']").fill("off-platform payment")
    await paypal_hold.locator("button.reject").click()
    await expect(page.locator("p.notice")).to_contain_text("rejected")
    await expect(page.locator("article.hold")).to_have_count(0)
    assert held_status(support.engine, "Paypal") == "rejected"
    assert held_status(support.engine, "Deposit") == "released"

    # the moderator cannot open the audit page; an admin sees everything that happened
    assert "Audit" not in await page.locator("header nav").inner_text()
    admin = await browser.new_page()
    await log_in(admin, base, "ada")
    await admin.click("header nav >> text=Audit")
    table = admin.locator("table.audit tbody")
    await expect(table.locator("tr").first).to_contain_text("login")  # newest first: ada's login
    for action, text in (
        ("thread.view", "view=received"),
        ("hold.release", "customer confirmed escrow"),
        ("hold.reject", "off-platform payment"),
        ("login", "user mo"),
    ):
        await admin.fill("input[name=action]", action)
        await admin.fill("input[name=actor]", "mo")
        await admin.click("form.filters button")
        row = table.locator("tr").filter(has_text=text)
        await expect(row.first).to_be_visible()
        await expect(row.first.locator("td").nth(1)).to_have_text("mo")
    await admin.fill("input[name=action]", "hold.")
    await admin.click("form.filters button")
    await expect(table.locator("tr")).to_have_count(2)

    # logging out ends the session
    await page.click("text=Log out")
    await expect(page).to_have_url(base + "/login")
    await page.goto(base + "/holds")
    await expect(page).to_have_url(base + "/login?next=%2Fholds")


# ---------------------------------------------------------------- XSS and remote loads


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    def log_message(self, *args):
        pass


@pytest.fixture
def tracker() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server standing in for a tracking host: (base URL, paths requested)."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
    thread.join()


def hostile_html(remote: str) -> str:
    return f"""<html><head>
<base href="{remote}/base/">
<meta http-equiv="refresh" content="0;url={remote}/refresh">
<link rel="stylesheet" href="{remote}/link.css">
<style>@import url({remote}/import.css); body {{ background: url({remote}/bg.png) }}
@font-face {{ font-family: x; src: url({remote}/font.woff) }}</style>
<script>window.top.document.title = "pwned"; fetch("{remote}/script");</script>
</head><body onload="fetch('{remote}/onload')">
<p id="visible">Quarterly report attached</p>
<img src="{remote}/pixel.gif" width="1" height="1">
<img src="x" onerror="fetch('{remote}/onerror')">
<a id="js" href="javascript:fetch('{remote}/jslink')">open</a>
<div style="width: expression(alert(1)); background-image: url({remote}/style.png)">styled</div>
<svg onload="fetch('{remote}/svg')"><image href="{remote}/svgimage.png"/></svg>
<iframe src="{remote}/frame"></iframe>
<object data="{remote}/object"></object>
<video poster="{remote}/poster.png" src="{remote}/video.mp4"></video>
<form action="{remote}/form"><input type="image" src="{remote}/input.png"></form>
</body></html>"""


async def test_hostile_mail_runs_nothing_and_loads_nothing_remote(support, browser, tracker):
    remote, hits = tracker
    page = await browser.new_page()
    # control: the same browser does load this tracker when nothing protects the page
    await page.set_content(f'<img src="{remote}/control.gif">')
    await eventually(lambda: "/control.gif" in hits, timeout=5)
    hits.clear()

    code, _ = await send_html(
        support, "Report <script>alert(1)</script>", hostile_html(remote), "x1"
    )
    assert code == 250
    code, _ = await send_plain(
        support,
        f'<img src="{remote}/subject.png" onerror="alert(1)">',
        f"<script>fetch('{remote}/plain')</script> <img src={remote}/plain.png> plain text",
        "x2",
    )
    assert code == 250

    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await log_in(page, support.base_url, "ada")
    for view in ("received", "delivered"):
        await page.goto(f"{support.base_url}/threads/{support.conv.thread_id}?view={view}")
        await page.wait_for_load_state("networkidle")
        frame = page.frame_locator("iframe.html").first
        await expect(frame.locator("p").first).to_have_text("Quarterly report attached")
        await expect(frame.locator("text=styled")).to_be_visible()
        await frame.locator("a").first.click()  # the javascript: link, made harmless
    await page.goto(f"{support.base_url}/?q=report")
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(500)  # give any stray request time to arrive

    assert hits == []
    assert dialogs == []
    assert await page.title() != "pwned"
    await page.goto(f"{support.base_url}/threads/{support.conv.thread_id}")
    html = await page.content()
    assert "<script>alert(1)</script>" not in html  # the subject is shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    srcdoc = await page.locator("iframe.html").first.get_attribute("srcdoc")
    assert srcdoc is not None
    for banned in ("<script", "onerror", "onload", "javascript:", "expression(", remote):
        assert banned not in srcdoc
    assert await page.locator("iframe.html").first.get_attribute("sandbox") == ""


def to_bo(sink, support) -> list[bytes]:
    """What the sink received for Bo (notices to Ann arrive at the same sink)."""
    return [data for _from, rcpts, data in sink.received if support.conv.bo_real in rcpts]
