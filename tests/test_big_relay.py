"""A big message through a real `gateway serve` process: intact, signed, and within a memory bound.

The gateway runs as a subprocess (SQLite, SMTP delivery to an aiosmtpd sink in this process);
its memory is read from /proc/<pid>/status: VmRSS when idle, VmHWM (the peak since the
counter was reset through /proc/<pid>/clear_refs) after the message was delivered. The bound
is the measured growth of the big-message path with some margin (docs/performance.md, "Memory
of a 25 MB message"): the old path needed 15-18 times the message, so a regression shows.
"""

from __future__ import annotations

import asyncio
import base64
import email
import hashlib
import os
from email import policy
from pathlib import Path

import aiosmtplib
import dkim
import pytest
from aiosmtpd.smtp import SMTP

from gateway.signing import generate_key
from tests.ops_helpers import prepare_database, write_config

MB = 1024 * 1024
# Growth of peak RSS over the idle process, as a multiple of the message size. Measured on
# this machine: 25 MB -> 3.15x before main's one-statement delivery marks were merged, 4.17x
# after (marking the 25 MB row delivered makes SQLite rewrite the row, see docs/performance.md);
# 5 MB -> 3.5-4.5x (fixed costs weigh more on a smaller one). The old path needed 15-18x.
GROWTH_BOUND = {5: 5.5, 25: 4.6}


class Sink:
    """An upstream that keeps every copy it accepts."""

    def __init__(self) -> None:
        self.copies: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.copies.append(envelope.original_content)
        return "250 2.0.0 kept"


def status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmHWM", "VmRSS"}:
            values[name] = int(rest.split()[0]) * 1024
    return values


def big_message(to: str, size: int, payload: bytes) -> bytes:
    head = (
        f"From: Ann Lee <ann@example.org>\r\nTo: {to}\r\nSubject: the files\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BIG\r\n\r\n"
        "--BIG\r\nContent-Type: text/plain\r\n\r\nThe file is attached. Ann (ann@example.org)\r\n"
        "--BIG\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="big.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    body = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    return head + body + b"\r\n--BIG--\r\n"


async def wait_for(check, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("size_mb", [5, 25])
async def test_a_big_message_is_relayed_intact_signed_and_within_the_memory_bound(
    tmp_path, size_mb
):
    key = tmp_path / "relay.key"
    dns_txt = generate_key(key).encode()
    db_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    conversation = prepare_database(db_url, threads=1)[0]
    sink = Sink()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink, decode_data=False, data_size_limit=64 * MB), "127.0.0.1", 0
    )
    upstream = server.sockets[0].getsockname()[1]
    gateway = write_config(
        tmp_path,
        "big",
        db_url,
        key,
        upstream,
        relay={"max_message_size": "30MB"},
        logging={"level": "warning"},
    )
    gateway.start()
    try:
        await gateway.wait_listening()
        assert gateway.proc is not None
        pid = gateway.proc.pid

        async def send(data: bytes) -> None:
            await aiosmtplib.send(
                data,
                sender="ann@example.org",
                recipients=[conversation.bo],
                hostname="127.0.0.1",
                port=gateway.port,
                timeout=120,
                start_tls=False,
            )

        await send(big_message(conversation.bo, 0, b"warm up"))  # every code path loaded
        await wait_for(lambda: len(sink.copies) == 1, 30)
        await asyncio.sleep(0.5)
        idle = status(pid)["VmRSS"]
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on

        payload = os.urandom(size_mb * MB * 3 // 4 - 4096)
        data = big_message(conversation.bo, size_mb * MB, payload)
        await send(data)
        await wait_for(lambda: len(sink.copies) == 2, 120)
        await asyncio.sleep(0.5)
        growth = status(pid)["VmHWM"] - idle
    finally:
        gateway.terminate()
        server.close()
        await server.wait_closed()

    delivered = sink.copies[1]
    assert dkim.verify(delivered, dnsfunc=lambda name, timeout=5: dns_txt)
    message = email.message_from_bytes(delivered, policy=policy.default)
    attachment = next(p for p in message.walk() if p.get_filename() == "big.bin")
    assert hashlib.sha256(attachment.get_content()).digest() == hashlib.sha256(payload).digest()
    assert b"ann@example.org" not in delivered  # the quoted real address was replaced
    assert (
        "-- "
        in next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    )
    ratio = growth / len(data)
    print(f"{size_mb} MB: peak RSS growth over idle {growth / MB:.0f} MB = {ratio:.2f}x")
    assert ratio < GROWTH_BOUND[size_mb], f"peak grew {ratio:.2f}x the message"
