"""The database locked, unreachable or out of disk: a precise 4xx, nothing half-stored, recovery.

Every fault here is real and bounded in time:
- locked: another connection holds SQLite's write lock (BEGIN IMMEDIATE) or PostgreSQL's
  EXCLUSIVE table lock on `message`; the gateway waits `[storage] lock_timeout` (1 s here);
- unreachable: the gateway reaches PostgreSQL through a TCP proxy owned by the test, which is
  closed (listener and every live connection) and later opened again on the same port;
- disk full: the data folder is a 2 MB tmpfs mounted for the test and filled with a file (needs
  root, as in CI; a file-size rlimit was the alternative, but it reports EFBIG, not a full disk).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.smtp import SMTP

from storage import archive
from storage.failures import DISK_FULL, LOCKED, UNREACHABLE
from tests.conftest import (
    PG_BASE,
    Sink,
    asend,
    fresh_database,
    make_settings,
    new_conversation,
)
from tests.ops_helpers import free_port

BODY = "From: ann@example.org\nTo: {to}\nSubject: {subject}\n\n{body}\n"


def stored(engine, thread_id: str) -> tuple[int, int]:
    """(messages, deliveries) archived for a thread."""
    messages = archive.messages_of(engine, thread_id)
    return len(messages), sum(len(archive.deliveries_of(engine, m.id)) for m in messages)


async def test_sqlite_write_lock_held_elsewhere_is_451_then_recovers(
    tmp_path, dkim_key, sink, start_gateway
):
    """While another process holds the write lock: 451 4.3.0 naming the lock, nothing stored.
    When it lets go, the same message is accepted and delivered."""
    db = tmp_path / "gateway.db"
    settings = make_settings(
        f"sqlite:///{db}",
        tmp_path,
        dkim_key[0],
        storage={"lock_timeout": 1},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = BODY.format(to=conv.bo, subject="locked", body="wait for me")

    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock, as another writer would hold it
    try:
        code, text = await asend(running, "ann@example.org", [conv.bo], data)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (code, f"{code} {text}") == (451, LOCKED)
    assert stored(running.engine, conv.thread_id) == (0, 0)

    code, _ = await asend(running, "ann@example.org", [conv.bo], data)
    assert code == 250
    await sink.wait_for(1)
    assert b"wait for me" in sink.received[0][2]


async def test_postgresql_table_lock_is_451_then_recovers(tmp_path, dkim_key, sink, start_gateway):
    """An EXCLUSIVE lock on `message` (reads pass, writes wait): the archive insert gives up
    after lock_timeout with 451 4.3.0, nothing is stored; after COMMIT of the lock, 250."""
    with fresh_database("postgresql", tmp_path) as url:
        settings = make_settings(
            url,
            tmp_path,
            dkim_key[0],
            storage={"lock_timeout": 1},
            delivery__smtp={"port": sink.port},
        )
        running = await start_gateway(settings)
        conv = new_conversation(running.engine)
        data = BODY.format(to=conv.bo, subject="locked", body="pg lock")
        schema = url.rsplit("%3D", 1)[1]
        with psycopg.connect(PG_BASE) as locker:
            locker.execute(f"LOCK TABLE {schema}.message IN EXCLUSIVE MODE")
            code, text = await asend(running, "ann@example.org", [conv.bo], data)
            locker.rollback()
        assert (code, f"{code} {text}") == (451, LOCKED)
        assert stored(running.engine, conv.thread_id) == (0, 0)
        assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
        await sink.wait_for(1)
        await running.gateway.stop()


class TcpProxy:
    """A TCP forwarder to PostgreSQL that the test can take down and bring back (same port)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and cut every connection: the database is gone for the gateway."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()

    async def _client(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, up_writer})
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError, RuntimeError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


async def test_postgresql_down_is_451_then_recovers(tmp_path, dkim_key, start_gateway):
    """The database disappears (proxy closed): RCPT gets 451 4.3.0 'unreachable' and the
    delivery worker keeps trying without dying. When the database is back on the same address,
    mail is accepted again, and a message acknowledged before the outage (its upstream was down
    then) is delivered along with the new one."""
    proxy = TcpProxy(("127.0.0.1", 5432))
    await proxy.open()
    upstream = free_port()
    with fresh_database("postgresql", tmp_path) as url:
        via_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        settings = make_settings(
            via_proxy, tmp_path, dkim_key[0], delivery__smtp={"port": upstream}
        )
        running = await start_gateway(settings)
        # the proxy runs on this event loop: every synchronous database call goes to a thread
        conv = await asyncio.to_thread(new_conversation, running.engine)
        before = BODY.format(to=conv.bo, subject="before", body="acknowledged before the outage")
        assert (await asend(running, "ann@example.org", [conv.bo], before))[0] == 250

        await proxy.close()
        data = BODY.format(to=conv.bo, subject="during", body="sent during the outage")
        code, text = await asend(running, "ann@example.org", [conv.bo], data)
        assert (code, f"{code} {text}") == (451, UNREACHABLE)
        await asyncio.sleep(0.6)  # three poll intervals of the worker against a dead database
        assert not running.gateway._worker_task.done()

        await proxy.open()
        box = Sink()
        server = await asyncio.get_running_loop().create_server(
            lambda: SMTP(box, decode_data=False), "127.0.0.1", upstream
        )
        try:
            assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
            await box.wait_for(2, timeout=15)
        finally:
            server.close()
            await server.wait_closed()
        bodies = b"".join(m[2] for m in box.received)
        assert b"acknowledged before the outage" in bodies
        assert b"sent during the outage" in bodies
        await running.gateway.stop()
    await proxy.close()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs mounted on tmp_path/data for the test, unmounted after."""
    folder = tmp_path / "data"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.fail("this test mounts a 2 MB tmpfs and needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system until only about `leave` bytes are free."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


async def test_disk_full_is_452_4_3_1_with_nothing_half_stored(
    small_disk, tmp_path, dkim_key, sink, start_gateway
):
    """SQLite in a full data folder: 452 4.3.1, no message row, no delivery row, the database
    intact; once space is freed the same message is accepted and delivered."""
    settings = make_settings(
        f"sqlite:///{small_disk / 'gateway.db'}",
        tmp_path,
        dkim_key[0],
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = BODY.format(to=conv.bo, subject="big", body=("attachment text " * 8 + "\n") * 2500)
    filler = fill(small_disk, leave=64 * 1024)

    code, text = await asend(running, "ann@example.org", [conv.bo], data)
    assert (code, f"{code} {text}") == (452, DISK_FULL)
    assert stored(running.engine, conv.thread_id) == (0, 0)
    with sqlite3.connect(small_disk / "gateway.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    filler.unlink()
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await sink.wait_for(1)
    assert stored(running.engine, conv.thread_id) == (1, 1)
