"""Invariant 1 with real processes: a message acknowledged with 250 survives kill -9 of the gateway.

The gateway runs as `gateway serve` in a subprocess (the real command), with its upstream down so
the message cannot leave before the kill. After a restart with the upstream up, it is delivered.
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
from pathlib import Path

from aiosmtpd.smtp import SMTP

from tests.conftest import Sink, send, settings_toml

GATEWAY = [sys.executable, "-m", "gateway"]


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 15) -> None:
    """Until the gateway accepts connections (fails early if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"gateway exited with {proc.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gateway did not start listening")


def start(config: Path) -> subprocess.Popen:
    """`gateway serve --config config` as a child process, logging next to its config."""
    with open(config.with_suffix(".log"), "ab") as log:
        return subprocess.Popen(
            [*GATEWAY, "serve", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


async def test_kill_9_after_250_loses_nothing(db_url, tmp_path, dkim_key):
    """250, kill -9, restart: the acknowledged message is delivered by the restarted gateway."""
    upstream, listen = free_port(), free_port()
    config = tmp_path / "gateway.toml"
    config.write_text(
        settings_toml(
            db_url,
            tmp_path,
            dkim_key[0],
            relay={"listen": f"127.0.0.1:{listen}"},
            delivery={"lease": 2},  # a job in flight at the kill is retried once this expires
            delivery__smtp={"port": upstream},
            logging={"level": "warning"},
        )
    )
    created = subprocess.run(
        [
            *GATEWAY,
            "threads",
            "create",
            "--config",
            str(config),
            "--subject",
            "Crash test",
            "--participant",
            "client:Ann Lee <ann@example.org>",
            "--participant",
            "freelancer:Bo Chen <bo@example.net>",
            "--json",
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    bo = json.loads(created.stdout)["participants"][1]["relay_address"]
    data = f"From: ann@example.org\nTo: {bo}\nSubject: survive\n\nplease arrive\n"

    first = start(config)
    try:
        wait_listening(listen, first)
        code, _ = await asyncio.to_thread(send, "127.0.0.1", listen, "ann@example.org", [bo], data)
        assert code == 250
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL

    box = Sink()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(box, decode_data=False), "127.0.0.1", upstream
    )
    second = start(config)
    try:
        await asyncio.to_thread(wait_listening, listen, second)
        await box.wait_for(1, timeout=20)
        assert box.received[0][1] == ["bo@example.net"]
        assert b"please arrive" in box.received[0][2]
    finally:
        second.send_signal(signal.SIGTERM)
        returncode = await asyncio.to_thread(second.wait, 15)
        server.close()
        await server.wait_closed()
    assert returncode == 0  # SIGTERM is a graceful shutdown
