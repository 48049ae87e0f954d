"""Real `gateway serve` processes, a counting upstream and a load client, for the fault tests.

Everything here is real: the gateway runs as the `gateway serve` command in a subprocess (so
kill -9 kills a whole process, with its event loop, thread pool and database connections), the
upstream is an aiosmtpd server, and the load comes from aiosmtplib over TCP. The only thing the
helpers add is bookkeeping: which messages the client got a 250 for, and which copies the
upstream received, when and from which instance (told apart by their EHLO name).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope

from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import new_conversation, settings_toml

GATEWAY = [sys.executable, "-m", "gateway"]
TOKEN = re.compile(rb"load-token-(\d+)")


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class GatewayProcess:
    """One `gateway serve` child with its own config file, SMTP port and EHLO name."""

    name: str
    config: Path
    port: int
    proc: subprocess.Popen | None = None
    kills: list[float] = field(default_factory=list)

    def start(self) -> None:
        """Spawn the process (stderr appended to <config>.log for post-mortems)."""
        with open(self.config.with_suffix(".log"), "ab") as log:
            self.proc = subprocess.Popen(
                [*GATEWAY, "serve", "--config", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    async def wait_listening(self, timeout: float = 30) -> None:
        """Until the SMTP port accepts connections; fails early if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.proc.returncode}: {self.log()}"
                )
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return
        raise AssertionError(f"{self.name} did not start listening: {self.log()}")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed, leases stay as they were."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.kills.append(time.monotonic())

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM and wait: the graceful shutdown path; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                raise
        return self.proc.returncode

    def log(self) -> str:
        path = self.config.with_suffix(".log")
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def write_config(
    folder: Path, name: str, db_url: str, key: Path, upstream: int, **sections: dict
) -> GatewayProcess:
    """A config for one instance: its own port and EHLO name, short leases for fast takeover."""
    port = free_port()
    config = folder / f"{name}.toml"
    overrides = {
        "relay": {"listen": f"127.0.0.1:{port}", "hostname": f"{name}.relay.gigbridge.io"},
        "delivery": {"lease": 1.5, "poll_interval": 0.2, "retry_schedule": [0.2]},
        "delivery__smtp": {"port": upstream},
        "logging": {"level": "info"},
        # load tests send hundreds of messages from one sender: [limits] rates would refuse them
        "limits": {"per_sender": "off", "per_thread": "off", "per_peer": "off"},
    }
    merged = {k: {**overrides.get(k, {}), **sections.get(k, {})} for k in {*overrides, *sections}}
    config.write_text(settings_toml(db_url, folder, key, **merged))
    return GatewayProcess(name, config, port)


def prepare_database(db_url: str, threads: int = 4) -> list:
    """Migrate once (several instances must not race to create tables), create conversations."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        return [new_conversation(engine, subject=f"load {i}") for i in range(threads)]
    finally:
        engine.dispose()


@dataclass
class Copy:
    """One copy the upstream accepted."""

    token: int
    verp: str
    helo: str
    at: float


@dataclass
class CountingSink:
    """An upstream that records each accepted copy: client token, VERP sender, EHLO, time."""

    copies: list[Copy] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering DATA (a slow upstream keeps jobs in flight)
    port: int = 0
    in_progress: dict[str, int] = field(default_factory=dict)  # EHLO name -> DATA being answered
    _server: asyncio.AbstractServer | None = None

    async def handle_DATA(self, server: SMTP, session, envelope: Envelope) -> str:
        helo = session.host_name or ""
        if self.delay:
            self.in_progress[helo] = self.in_progress.get(helo, 0) + 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.in_progress[helo] -= 1
        match = TOKEN.search(envelope.original_content or b"")
        self.copies.append(
            Copy(
                int(match[1]) if match else -1,
                envelope.mail_from,
                helo,
                time.monotonic(),
            )
        )
        return "250 2.0.0 counted"

    async def start(self, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, decode_data=False, enable_SMTPUTF8=True), "127.0.0.1", port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def tokens(self) -> set[int]:
        return {c.token for c in self.copies}

    def duplicates(self) -> dict[str, list[Copy]]:
        """Copies with the same VERP token (the same delivery job sent twice)."""
        by_verp: dict[str, list[Copy]] = {}
        for copy in self.copies:
            by_verp.setdefault(copy.verp, []).append(copy)
        return {verp: copies for verp, copies in by_verp.items() if len(copies) > 1}


@dataclass
class LoadClient:
    """Senders over several concurrent sessions, spreading messages over live instances."""

    conversations: list
    targets: list[GatewayProcess]
    acked: dict[int, str] = field(default_factory=dict)  # token -> instance that said 250
    refused: list[tuple[int, str]] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def message(self, token: int) -> tuple[str, str, bytes]:
        conv = self.conversations[token % len(self.conversations)]
        data = (
            f"From: Ann Lee <ann@example.org>\r\nTo: {conv.bo}\r\n"
            f"Subject: load {token}\r\nMessage-ID: <load-{token}@example.org>\r\n\r\n"
            f"load-token-{token}\r\n" + "Lorem ipsum dolor sit amet.\r\n" * 20
        ).encode()
        return "ann@example.org", conv.bo, data

    async def send_one(self, target: GatewayProcess) -> None:
        """One message in one SMTP session; a 250 is recorded as acknowledged."""
        token = next(self._counter)
        sender, rcpt, data = self.message(token)
        try:
            await aiosmtplib.send(
                data,
                sender=sender,
                recipients=[rcpt],
                hostname="127.0.0.1",
                port=target.port,
                timeout=10,
                start_tls=False,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.refused.append((token, f"{target.name}: {type(exc).__name__}: {exc}"[:200]))
            return
        self.acked[token] = target.name  # aiosmtplib raises for anything but 2xx

    async def run(self, stop: asyncio.Event, sessions: int = 4, pause: float = 0.01) -> None:
        """Until `stop`: each session sends to a random live instance, one message at a time."""

        async def session() -> None:
            while not stop.is_set():
                live = [t for t in self.targets if t.alive]
                if not live:
                    await asyncio.sleep(0.05)
                    continue
                refused = len(self.refused)
                await self.send_one(random.choice(live))
                # a refused connection (instance restarting) is retried after a short while,
                # as an MTA would; spinning on it only burns the CPU the gateways need
                await asyncio.sleep(pause if len(self.refused) == refused else 0.1)

        await asyncio.gather(*(session() for _ in range(sessions)))


async def listening(procs: list[GatewayProcess], timeout: float = 60) -> list[GatewayProcess]:
    """The processes that accept SMTP connections right now; waits until there is one."""
    deadline = time.monotonic() + timeout
    while True:
        ready = []
        for proc in procs:
            if not proc.alive:
                continue
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", proc.port)
            except OSError:
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            ready.append(proc)
        if ready:
            return ready
        if time.monotonic() > deadline:
            raise AssertionError("no gateway instance came up")
        await asyncio.sleep(0.05)


async def wait_delivered(sink: CountingSink, tokens: set[int], timeout: float) -> set[int]:
    """Until every token reached the sink or the timeout; returns the missing ones."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        missing = tokens - sink.tokens()
        if not missing:
            return set()
        await asyncio.sleep(0.1)
    return tokens - sink.tokens()


def unexplained_duplicates(sink: CountingSink, kills: list[float]) -> list:
    """Duplicate deliveries NOT explained by the crash window.

    The only allowed duplicate: the upstream accepted a copy, and the instance that sent it was
    killed before recording `delivered`, so its lease expired and another attempt sent it again.
    So a duplicate must have a kill between its first and its second arrival.
    """
    bad = []
    for verp, copies in sink.duplicates().items():
        first, *later = sorted(copies, key=lambda c: c.at)
        for again in later:
            if not any(first.at - 0.05 <= kill <= again.at for kill in kills):
                bad.append((verp, first, again))
    return bad


@dataclass
class KillReport:
    """What a run of kill rounds did and found."""

    rounds: int
    acked: int
    refused: int
    delivered: int
    lost: set[int]
    duplicates_in_window: int
    unexplained_duplicates: list
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.rounds} kill -9 rounds in {self.seconds:.1f}s: {self.acked} acknowledged, "
            f"{self.refused} refused/cut off (never acknowledged), {self.delivered} copies "
            f"delivered, {len(self.lost)} lost, {self.duplicates_in_window} duplicates in the "
            f"crash window, {len(self.unexplained_duplicates)} unexplained duplicates"
        )


async def kill_rounds(
    db_url: str, folder: Path, key: Path, rounds: int, *, seed: int | None = None
) -> KillReport:
    """Two instances on one database under steady load; each round picks one that is listening
    (taking load) and SIGKILLs it at a random moment 0.2-1.2 s later, then restarts it. When
    both happen to be restarting the client waits, as a real MTA would. At the end every acknowledged message must arrive; a duplicate is only
    accepted in the crash window (see `unexplained_duplicates`)."""
    rng = random.Random(seed)
    started = time.monotonic()
    conversations = prepare_database(db_url)
    sink = CountingSink(delay=0.05)
    await sink.start()
    sections = {
        # A job caught in flight by several kills would count crashes; this run is about loss,
        # poison handling has its own tests (tests/test_faults_poison.py).
        "delivery": {"poison_after": 1000},
        "logging": {"level": "warning"},
    }
    procs = [write_config(folder, n, db_url, key, sink.port, **sections) for n in ("k-a", "k-b")]
    stop = asyncio.Event()
    try:
        for proc in procs:
            proc.start()
        await asyncio.gather(*(p.wait_listening() for p in procs))
        client = LoadClient(conversations, procs)
        load = asyncio.create_task(client.run(stop, sessions=3, pause=0.02))
        for _ in range(rounds):
            live = await listening(procs)
            victim = rng.choice(live)  # it has been taking load since it started listening
            await asyncio.sleep(rng.uniform(0.2, 1.2))
            victim.kill9()
            victim.start()
        stop.set()
        await load
        await asyncio.gather(*(p.wait_listening() for p in procs))
        lost = await wait_delivered(sink, set(client.acked), timeout=60)
        await asyncio.sleep(1.0)  # let late duplicates show themselves
    finally:
        stop.set()
        for proc in procs:
            if proc.alive:
                await asyncio.to_thread(proc.terminate)
        await sink.stop()
    kills = [k for p in procs for k in p.kills]
    unexplained = unexplained_duplicates(sink, kills)
    return KillReport(
        rounds=rounds,
        acked=len(client.acked),
        refused=len(client.refused),
        delivered=len(sink.copies),
        lost=lost,
        duplicates_in_window=sum(len(c) - 1 for c in sink.duplicates().values()) - len(unexplained),
        unexplained_duplicates=unexplained,
        seconds=time.monotonic() - started,
    )
