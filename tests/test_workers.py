"""`[relay] workers = 2`: the real `gateway serve` as a supervisor of two gateway processes.

Shown with real processes and a real upstream: both workers take connections on one port and
every message is delivered exactly once; a worker that dies is replaced; SIGTERM stops all of
them gracefully; kill -9 of the supervisor takes the workers with it (no unsupervised leftovers).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

from aiosmtpd.smtp import SMTP

from storage.db import make_engine
from tests.conftest import Sink, eventually, new_conversation, send, settings_toml
from tests.test_ops import http_get, sample

GATEWAY = [sys.executable, "-m", "gateway"]


def worker_pids(parent: int) -> list[int]:
    """The spawned worker processes of the supervisor (not multiprocessing's resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except (OSError, ValueError):
            continue
        if ppid == parent and b"multiprocessing.spawn" in cmdline:
            found.append(int(entry))
    return sorted(found)


def free_port() -> int:
    """A loopback port nobody listens on right now (for the ops listener of worker 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@asynccontextmanager
async def two_workers(db_url: str, tmp_path: Path, key: Path, **sections):
    """(process, port, sink, conversation, log file) of `gateway serve` with 2 workers."""
    sink = Sink()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink, decode_data=False), "127.0.0.1", 0
    )
    config = tmp_path / "gateway.toml"
    config.write_text(
        settings_toml(
            db_url,
            tmp_path,
            key,
            relay={"workers": 2},
            delivery__smtp={"port": server.sockets[0].getsockname()[1]},
            logging={"level": "info", "format": "json"},
            **sections,
        )
    )
    log = tmp_path / "gateway.log"
    with open(log, "wb") as stderr:
        proc = subprocess.Popen(
            [*GATEWAY, "serve", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        line = await asyncio.to_thread(proc.stdout.readline)
        assert "2 workers" in line, f"unexpected banner {line!r}; log: {log.read_text()[-2000:]}"
        port = int(line.split("SMTP on ", 1)[1].split(",", 1)[0].rsplit(":", 1)[1])
        engine = make_engine(db_url)
        conversation = new_conversation(engine)
        engine.dispose()
        yield proc, port, sink, conversation, log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        proc.stdout.close()
        server.close()
        await server.wait_closed()


def message(to: str, n: int) -> str:
    return f"From: ann@example.org\nTo: {to}\nSubject: part {n}\n\nmessage number {n}\n"


async def test_two_workers_share_the_port_and_deliver_each_message_once(db_url, tmp_path, dkim_key):
    ops_port = free_port()
    async with two_workers(
        db_url, tmp_path, dkim_key[0], ops={"listen": f"127.0.0.1:{ops_port}"}
    ) as (
        proc,
        port,
        sink,
        conv,
        log,
    ):
        assert len(worker_pids(proc.pid)) == 2

        async def one(n: int) -> int:
            code, _ = await asyncio.to_thread(
                send, "127.0.0.1", port, "ann@example.org", [conv.bo], message(conv.bo, n)
            )
            return code

        codes = await asyncio.gather(*(one(n) for n in range(30)))
        assert codes == [250] * 30
        await sink.wait_for(30, timeout=30)
        await asyncio.sleep(1)  # a duplicate would arrive now
        subjects = sorted(
            line.decode()
            for _, _, data in sink.received
            for line in data.split(b"\r\n")
            if line.startswith(b"Subject:")
        )
        assert subjects == sorted(f"Subject: part {n}" for n in range(30))
        # Worker 0 serves /metrics for both: the counters add up to every message, whichever
        # worker took it (asserted below: both did).
        await asyncio.sleep(0.5)  # the last delivery outcomes are recorded after the sink's 250
        _, _, metrics = await asyncio.to_thread(http_get, ops_port, "/metrics")
        assert sample(metrics, "gateway_messages_total", action="deliver") == 30
        assert sample(metrics, "gateway_smtp_data_seconds_count") == 30
        assert sample(metrics, "gateway_delivery_attempts_total", outcome="delivered") == 30
        assert sample(metrics, "gateway_outbox_jobs", status="delivered") == 30
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 30) == 0
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    served_by = {event.get("worker") for event in events if event.get("event") == "message"}
    assert served_by == {0, 1}  # the kernel spread 30 connections over both workers


async def test_a_dead_worker_is_replaced(tmp_path, dkim_key):
    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    async with two_workers(db_url, tmp_path, dkim_key[0]) as (proc, port, sink, conv, _log):
        first = worker_pids(proc.pid)
        os.kill(first[0], signal.SIGKILL)
        replaced = await eventually(
            lambda: (pids := worker_pids(proc.pid)) and len(pids) == 2 and first[0] not in pids
        )
        assert replaced
        for n in range(6):  # whichever worker takes the connection, it works
            code, _ = await asyncio.to_thread(
                send, "127.0.0.1", port, "ann@example.org", [conv.bo], message(conv.bo, n)
            )
            assert code == 250
        await sink.wait_for(6, timeout=20)


async def test_kill_9_of_the_supervisor_stops_the_workers(tmp_path, dkim_key):
    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    async with two_workers(db_url, tmp_path, dkim_key[0]) as (proc, port, _sink, _conv, _log):
        pids = worker_pids(proc.pid)
        assert len(pids) == 2
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait, 10)
        await eventually(lambda: not any(alive(pid) for pid in pids), timeout=10)
        await eventually(lambda: refused(port), timeout=10)  # no listener is left behind


def refused(port: int) -> bool:
    """True once nothing listens on the port any more."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def test_a_taken_port_is_a_clear_error(tmp_path, dkim_key):
    """Workers cannot share a port that another program listens on without SO_REUSEPORT."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "gateway.toml"
        config.write_text(
            settings_toml(
                f"sqlite:///{tmp_path / 'gateway.db'}",
                tmp_path,
                dkim_key[0],
                relay={"workers": 2, "listen": f"127.0.0.1:{port}"},
            )
        )
        started = time.monotonic()
        done = subprocess.run(
            [*GATEWAY, "serve", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60
