"""Fixtures for the web and API tests: a real gateway with [web] on, accounts, tokens, mail.

Everything is real: the gateway (SMTP + delivery + uvicorn) on ephemeral loopback ports, the
database (SQLite and PostgreSQL through `db_url`), mail sent over SMTP to produce archived,
held and flagged messages exactly as production does.
"""

from __future__ import annotations

import functools
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.config import Settings, parse_settings
from gateway.web.security import hash_password
from tests.conftest import Conversation, Running, asend, new_conversation, settings_toml

API_TOKEN = "test-token-0123456789abcdef0123456789abcdef"
PASSWORDS = {"vera": "viewer-pass-1", "mo": "moderator-pass-2", "ada": "admin-pass-3"}
ROLES = {"vera": "viewer", "mo": "moderator", "ada": "admin"}


@functools.cache
def _hashes() -> dict[str, str]:
    return {name: hash_password(pw) for name, pw in PASSWORDS.items()}


def web_toml(db_url: str, tmp_path: Path, key: Path, *, sink_port: int = 9, **sections) -> str:
    """A config with [web] on a free port, three accounts and one API token."""
    web = {"enabled": True, "listen": "127.0.0.1:0", "login_attempts": 5, "page_size": 5}
    web.update(sections.pop("web", {}))
    text = settings_toml(
        db_url,
        tmp_path,
        key,
        delivery__smtp={"port": sink_port},
        policy={"contact": "flag", "payment": "hold"},
        web=web,
        **sections,
    )
    users = "".join(
        f'\n[[web.users]]\nname = "{n}"\npassword_hash = "{h}"\nrole = "{ROLES[n]}"\n'
        for n, h in _hashes().items()
    )
    return text + users + f'\n[[api.tokens]]\nname = "platform"\ntoken = "{API_TOKEN}"\n'


def web_settings(db_url: str, tmp_path: Path, key: Path, **kwargs) -> Settings:
    return parse_settings(
        web_toml(db_url, tmp_path, key, **kwargs), source="test.toml", base_dir=tmp_path
    )


@dataclass
class Support:
    """A running gateway with its web server, and a conversation with mail in it."""

    running: Running
    base_url: str
    conv: Conversation

    @property
    def engine(self):
        return self.running.engine


async def start_support(start_gateway, settings: Settings) -> Support:
    running = await start_gateway(settings)
    web = running.gateway.web
    assert web is not None
    return Support(running, web.url, new_conversation(running.engine))


PLAIN = """\
From: Ann Lee <ann@example.org>
To: {to}
Subject: {subject}
Message-ID: <{mid}@example.org>

{body}
"""

HTML = """\
From: Ann Lee <ann@example.org>
To: {to}
Subject: {subject}
Message-ID: <{mid}@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

{body}
"""


async def send_plain(support: Support, subject: str, body: str, mid: str) -> tuple[int, str]:
    """Ann writes to Bo through the relay."""
    data = PLAIN.format(to=support.conv.bo, subject=subject, body=body, mid=mid)
    return await asend(support.running, support.conv.ann_real, [support.conv.bo], data)


async def send_html(support: Support, subject: str, html: str, mid: str) -> tuple[int, str]:
    data = HTML.format(to=support.conv.bo, subject=subject, body=html, mid=mid)
    return await asend(support.running, support.conv.ann_real, [support.conv.bo], data)


async def login(client: httpx.AsyncClient, name: str) -> httpx.Response:
    """Log in through the form (fetching its CSRF token first); returns the POST's response."""
    page = await client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return await client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name], "csrf_token": token, "next": "/"},
    )


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@contextmanager
def gateway_web_process(config: Path) -> Iterator[str]:
    """`gateway web --config FILE` in a subprocess (the real command); yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "web", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=config.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    lines: queue.Queue[str] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
    pump.start()
    try:
        yield _wait_for_url(lines)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            pump.join(timeout=15)  # it ends at EOF; only then is the pipe closed
            if proc.stdout is not None:
                proc.stdout.close()


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    """Move the process's output lines into a queue (readline blocks, so in a thread)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put("")  # end of output


def _wait_for_url(lines: queue.Queue, timeout: float = 60) -> str:
    """Output lines until the one with the URL (fails with what was printed otherwise)."""
    deadline = time.monotonic() + timeout
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if not line:
            break
        seen.append(line)
        match = re.search(r"support pages and API on (http\S+)", line)
        if match:
            return match[1]
    raise AssertionError("gateway web did not start:\n" + "".join(seen))
