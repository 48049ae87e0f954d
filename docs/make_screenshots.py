"""Screenshots of the support pages for the docs: docs/img/search.png and docs/img/thread.png.

Run:  .venv/bin/python docs/make_screenshots.py

Starts a real gateway (SMTP + web, SQLite and maildir in a temporary folder), creates a
conversation through the platform API, sends a few messages over SMTP, logs in with Debian's
chromium (Playwright) and photographs the search results and a thread.
"""

from __future__ import annotations

import asyncio
import secrets
import smtplib
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.config import parse_settings  # noqa: E402
from gateway.server import Gateway  # noqa: E402
from gateway.signing import generate_key  # noqa: E402
from gateway.web.security import hash_password  # noqa: E402

TOKEN = secrets.token_urlsafe(32)  # a fresh secret per run
PASSWORD = secrets.token_urlsafe(16)

MESSAGES = [
    ("client", "Logo for the bakery", "Hi Bo,\n\nwe'd love a logo for our bakery, warm colours, "
     "something with wheat. Budget as discussed on the platform.\n\nAnn"),
    ("freelancer", "Re: Logo for the bakery", "Hi Ann,\n\nhappy to help! First sketches by "
     "Friday. If it's easier, call me on +1 415 555 0123.\n\nBo"),
    ("client", "Re: Logo for the bakery", "Great, thanks! To save the fees I can pay the "
     "deposit by bank transfer: IBAN DE89 3704 0044 0532 0130 00, just tell me the amount.\n\nAnn"),
    ("freelancer", "Re: Logo for the bakery", "<p>Sketches attached, <b>three variants</b>."
     "</p><p>Cheers,<br>Bo</p><img src=\"https://tracker.example/pixel.gif\">"),
]  # fmt: skip


def config(folder: Path) -> str:
    key = folder / "dkim.key"
    generate_key(key)
    return f"""
[platform]
name = "GigBridge"
domains = ["gigbridge.io"]
[relay]
domain = "relay.gigbridge.io"
listen = "127.0.0.1:0"
[storage]
url = "sqlite:///{folder / "gateway.db"}"
[delivery]
transport = "maildir"
[delivery.maildir]
path = "{folder / "maildir"}"
[dkim]
private_key_file = "{key}"
[web]
enabled = true
listen = "127.0.0.1:0"
[[web.users]]
name = "sam"
password_hash = "{hash_password(PASSWORD)}"
role = "moderator"
[[api.tokens]]
name = "platform"
token = "{TOKEN}"
"""


def send(host: str, port: int, sender: str, to: str, subject: str, body: str) -> None:
    html = body.startswith("<")
    kind = "text/html" if html else "text/plain"
    data = (
        (
            f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {kind}; charset=utf-8\r\n\r\n{body}\r\n"
        )
        .replace("\n", "\r\n")
        .replace("\r\r\n", "\r\n")
    )
    with smtplib.SMTP(host, port) as client:
        client.sendmail(sender, [to], data.encode())


async def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = parse_settings(config(folder), source="screenshots.toml", base_dir=folder)
        gateway = Gateway(settings)
        await gateway.start(port=0)
        try:
            base = gateway.web.url
            async with httpx.AsyncClient(base_url=base) as api:
                r = await api.post(
                    "/api/v1/threads",
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    json={
                        "subject": "Logo for the bakery",
                        "external_ref": "order-4711",
                        "participants": [
                            {"role": "client", "name": "Ann Lee", "address": "ann@example.org"},
                            {"role": "freelancer", "name": "Bo Chen", "address": "bo@example.net"},
                        ],
                    },
                )
                r.raise_for_status()
                thread = r.json()
            ann, bo = thread["participants"]
            host, port = gateway.address
            for role, subject, body in MESSAGES:
                me, other = (ann, bo) if role == "client" else (bo, ann)
                await asyncio.to_thread(
                    send, host, port, me["address"], other["relay_address"], subject, body
                )
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path="/usr/bin/chromium")
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                await page.goto(base + "/login")
                await page.fill("input[name=username]", "sam")
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                await page.fill("input[name=q]", "from:ann@example.org logo")
                await page.click("form.search button")
                await page.screenshot(path=str(out / "search.png"), full_page=True)
                # tall enough for the whole thread: a full-page screenshot that has to grow the
                # viewport does not repaint sandboxed (out-of-process) frames in headless mode
                await page.set_viewport_size({"width": 1280, "height": 2200})
                await page.goto(f"{base}/threads/{thread['id']}")
                frame = page.frame_locator("iframe.html").first
                await frame.locator("text=three variants").wait_for()
                await page.wait_for_timeout(300)
                await page.screenshot(path=str(out / "thread.png"), full_page=True)
                await browser.close()
        finally:
            await gateway.stop()
    print(f"wrote {out / 'search.png'} and {out / 'thread.png'}")


if __name__ == "__main__":
    asyncio.run(main())
