"""Shared fixtures: real databases (SQLite and PostgreSQL), a real upstream SMTP sink, a real gateway.

Storage-backed tests take the `db_url` fixture, which runs them once on a fresh SQLite file and
once on PostgreSQL (a fresh schema per test in the `test` database; set GATEWAY_TEST_PG to point
elsewhere). PostgreSQL being unreachable is a failure, not a skip: CI starts it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import smtplib
import textwrap
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.smtp import SMTP, Envelope

from gateway.config import Settings, parse_settings
from gateway.server import Gateway
from gateway.signing import generate_key

PG_BASE = os.environ.get("GATEWAY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One RSA-2048 key for the whole run: (key file, DNS TXT record)."""
    path = tmp_path_factory.mktemp("dkim") / "relay.key"
    return path, generate_key(path)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in `folder`, or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'gateway.db'}"
        return
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    base = PG_BASE.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


def settings_toml(db_url: str, tmp_path: Path, key: Path, **sections: dict) -> str:
    """A complete config as TOML text; `sections` override or add tables (e.g. policy={...})."""
    base = {
        "platform": {
            "name": "GigBridge",
            "domains": ["gigbridge.io"],
            "support_url": "https://gigbridge.io/help",
        },
        "relay": {"domain": "relay.gigbridge.io", "listen": "127.0.0.1:0", "idle_timeout": 30},
        "storage": {"url": db_url, "sqlite_synchronous": "NORMAL"},
        "delivery": {
            "transport": "smtp",
            "retry_schedule": [0.2],
            "poll_interval": 0.2,
            "lease": 30,
        },
        "delivery.smtp": {"host": "127.0.0.1", "port": 9, "starttls": "off", "timeout": 5},
        "dkim": {"selector": "test", "private_key_file": str(key)},
    }
    for name, values in sections.items():
        base[name.replace("__", ".")] = {**base.get(name.replace("__", "."), {}), **values}
    return "\n".join(
        f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in values.items())
        for name, values in base.items()
    )


def _toml(value) -> str:
    """A Python value as a TOML literal (enough for our settings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def make_settings(db_url: str, tmp_path: Path, key: Path, **sections: dict) -> Settings:
    """Settings for a test, with paths anchored at tmp_path."""
    return parse_settings(
        settings_toml(db_url, tmp_path, key, **sections), source="test.toml", base_dir=tmp_path
    )


@dataclass
class Sink:
    """A real upstream SMTP server (aiosmtpd) that records what it receives.

    `replies` is a queue of DATA answers to give before accepting again (fault injection in the
    peer, never in our client code).
    """

    host: str = "127.0.0.1"
    port: int = 0
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session, envelope: Envelope) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        self.arrived.set()
        return "250 2.0.0 sink ok"

    async def wait_for(self, count: int, timeout: float = 10) -> None:
        """Until `count` messages arrived (fails the test on timeout)."""
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    """A running upstream sink on an ephemeral loopback port."""
    box = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(box, enable_SMTPUTF8=True, decode_data=False), "127.0.0.1", 0
    )
    box.port = server.sockets[0].getsockname()[1]
    yield box
    server.close()
    await server.wait_closed()


@dataclass
class Running:
    """A started gateway and how to reach it."""

    gateway: Gateway
    settings: Settings
    host: str
    port: int

    @property
    def engine(self):
        assert self.gateway.services is not None
        return self.gateway.services.db.engine


@pytest.fixture
async def start_gateway(tmp_path: Path, dkim_key) -> AsyncIterator:
    """Factory: start a gateway on a port of its own with the given settings; stopped at the end."""
    started: list[Gateway] = []

    async def start(settings: Settings) -> Running:
        gateway = Gateway(settings)
        await gateway.start(port=0)
        started.append(gateway)
        host, port = gateway.address
        return Running(gateway, settings, host, port)

    yield start
    for gateway in started:
        await gateway.stop()


@pytest.fixture
async def relay(db_url: str, tmp_path: Path, dkim_key, sink: Sink, start_gateway) -> Running:
    """A gateway on `db_url`, delivering by SMTP to `sink`."""
    settings = make_settings(db_url, tmp_path, dkim_key[0], delivery__smtp={"port": sink.port})
    return await start_gateway(settings)


def send(host: str, port: int, mail_from: str, rcpt_tos: list[str], data: bytes | str, **kwargs):
    """Send with Python's smtplib (a real client); returns (code, text) of the DATA reply.

    Refusals come back as the (code, text) of whichever command was refused.
    """
    if isinstance(data, str):
        data = textwrap.dedent(data).lstrip().replace("\n", "\r\n").encode()
    with smtplib.SMTP(host, port, timeout=15) as client:
        client.ehlo("client.example")
        code, text = client.mail(mail_from, kwargs.get("mail_options", []))
        if code != 250:
            return code, text.decode()
        for rcpt in rcpt_tos:
            code, text = client.rcpt(rcpt)
            if code not in (250, 251):
                return code, text.decode()
        try:
            code, text = client.data(data)
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code, exc.smtp_error.decode()
        return code, text.decode()


async def asend(running: Running, mail_from: str, rcpt_tos: list[str], data, **kwargs):
    """`send` off the event loop, so the gateway under test keeps running."""
    return await asyncio.to_thread(
        send, running.host, running.port, mail_from, rcpt_tos, data, **kwargs
    )


@dataclass(frozen=True)
class Conversation:
    """A thread between Ann (client) and Bo (freelancer) with their relay addresses."""

    thread_id: str
    ann: str  # Ann's relay address
    bo: str  # Bo's relay address
    ann_real: str = "ann@example.org"
    bo_real: str = "bo@example.net"


def new_conversation(
    engine, relay_domain: str = "relay.gigbridge.io", subject: str = "Logo design"
) -> Conversation:
    """Create a thread in the database the way `gateway threads create` does."""
    from gateway.addresses import RelayDomain, new_relay_local, random_token
    from storage.threads import NewParticipant, create_thread

    thread, people = create_thread(
        engine,
        thread_id=f"th_{random_token(8)}",
        subject=subject,
        participants=[
            NewParticipant("client", "Ann Lee", "ann@example.org"),
            NewParticipant("freelancer", "Bo Chen", "bo@example.net"),
        ],
        new_local=lambda p: new_relay_local(p.display_name),
    )
    domain = RelayDomain(relay_domain)
    return Conversation(
        thread.id,
        domain.relay_address(people[0].relay_local),
        domain.relay_address(people[1].relay_local),
    )


async def eventually(check, timeout: float = 10, interval: float = 0.05):
    """Poll `check()` (sync) until it returns a truthy value; fail with its last value on timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)
