"""Peak memory (RSS) of the gateway for a 25 MB message, next to bare aiosmtpd receiving it.

Run:  .venv/bin/python bench/bench_big_message.py [--size-mb 25] [--refused-mb 100]

Two server processes, measured one after the other from this (client) process through
/proc/<pid>/status (VmHWM = peak RSS so far, VmRSS = now):
  aiosmtpd  the baseline: stock aiosmtpd (its own DATA loop), a handler that only answers 250;
  gateway   the real `gateway.server.Gateway`: SQLite (synchronous=FULL), a fresh DKIM key,
            maildir delivery, one conversation created beforehand.
Each server gets, in this order, on one connection each:
  1. a 5 KB message                       -> "start" peak;
  2. a message of --refused-mb over the 25 MB limit (refused with 552 5.3.4 after DATA)
                                          -> must not raise the peak: oversize data is dropped
                                             as it arrives;
  3. a message of --size-mb (a base64 attachment filling the limit; 250)
                                          -> "25 MB accepted" peak;
  4. (gateway) wait until the maildir copy is written -> "after delivery" peak.
The machine is shared: absolute figures move between runs; the differences within one server
and the ratio to the message size are what the run shows.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing as mp
import os
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

LIMIT = 25 * 1024 * 1024
DOMAIN = "relay.gigbridge.io"


def status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmHWM", "VmRSS"}:
            values[name] = int(rest.split()[0]) * 1024
    return values


def message(to: str, total: int) -> bytes:
    """A message of about `total` bytes: a short text part and a base64 attachment."""
    head = (
        f"From: Ann Lee <ann@example.org>\r\nTo: {to}\r\nSubject: big file\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BIG\r\n\r\n"
        "--BIG\r\nContent-Type: text/plain\r\n\r\nThe file is attached.\r\n"
        "--BIG\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="big.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    tail = b"\r\n--BIG--\r\n"
    raw_size = max(0, (total - len(head) - len(tail) - 1024) * 57 // 78)
    body = base64.encodebytes(os.urandom(raw_size)).replace(b"\n", b"\r\n")
    return head + body + tail


def send(port: int, to: str, data: bytes) -> tuple[int, str]:
    with smtplib.SMTP("127.0.0.1", port, timeout=600) as client:
        client.ehlo("bench.example")
        client.mail("ann@example.org")
        client.rcpt(to)
        try:
            code, text = client.data(data)
        except smtplib.SMTPDataError as exc:
            return exc.smtp_code, exc.smtp_error.decode()
        return code, text.decode()


# --------------------------------------------------------------------------- servers


def run_aiosmtpd(port_queue) -> None:
    from aiosmtpd.smtp import SMTP

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 received"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), data_size_limit=LIMIT, decode_data=False), "127.0.0.1", 0
        )
        port_queue.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def run_gateway(folder: str, port_queue) -> None:
    from gateway.addresses import RelayDomain, new_relay_local
    from gateway.config import parse_settings
    from gateway.server import Gateway
    from gateway.signing import generate_key
    from storage.threads import NewParticipant, create_thread

    base = Path(folder)
    generate_key(base / "relay.key")
    settings = parse_settings(
        f"""
[platform]
name = "GigBridge"
[relay]
domain = "{DOMAIN}"
listen = "127.0.0.1:0"
max_message_size = {LIMIT}
[storage]
url = "sqlite:///{base / "gateway.db"}"
[delivery]
transport = "maildir"
poll_interval = "1s"
[delivery.maildir]
path = "{base / "maildir"}"
[dkim]
selector = "bench"
private_key_file = "{base / "relay.key"}"
[logging]
level = "warning"
""",
        base_dir=base,
    )

    async def main() -> None:
        gateway = Gateway(settings)
        await gateway.start(port=0)
        _, people = create_thread(
            gateway.services.db.engine,
            thread_id="th_bench",
            subject="Big files",
            participants=[
                NewParticipant("client", "Ann Lee", "ann@example.org"),
                NewParticipant("freelancer", "Bo Chen", "bo@example.net"),
            ],
            new_local=lambda p: new_relay_local(p.display_name),
        )
        bo = RelayDomain(DOMAIN).relay_address(people[1].relay_local)
        port_queue.put((gateway.address[1], bo))
        await asyncio.Event().wait()

    asyncio.run(main())


# --------------------------------------------------------------------------- measurement


def measure(name: str, process, port: int, to: str, args, maildir: Path | None) -> dict:
    row = {"server": name}
    small = message(to, 5 * 1024)
    assert send(port, to, small)[0] == 250
    time.sleep(0.5)
    row["start"] = status(process.pid)["VmHWM"]
    refused = message(to, args.refused_mb * 1024 * 1024)
    code, text = send(port, to, refused)
    row["refused_reply"] = f"{code} {text[:40]}"
    row["after_refused"] = status(process.pid)["VmHWM"]
    big = message(to, args.size_mb * 1024 * 1024 - 4096)
    row["size"] = len(big)
    started = time.perf_counter()
    code, text = send(port, to, big)
    row["seconds"] = time.perf_counter() - started
    row["big_reply"] = f"{code} {text[:40]}"
    row["after_big"] = status(process.pid)["VmHWM"]
    if maildir is not None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            files = list(maildir.glob("*/new/*"))
            if len(files) >= 2 and all(f.stat().st_size for f in files):
                break
            time.sleep(0.2)
        time.sleep(1)
        row["after_delivery"] = status(process.pid)["VmHWM"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=25)
    parser.add_argument("--refused-mb", type=int, default=100)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    rows = []

    queue = ctx.Queue()
    baseline = ctx.Process(target=run_aiosmtpd, args=(queue,), daemon=True)
    baseline.start()
    try:
        port = queue.get(timeout=60)
        rows.append(measure("aiosmtpd (receive only)", baseline, port, "x@example.net", args, None))
    finally:
        baseline.terminate()
        baseline.join()

    with tempfile.TemporaryDirectory() as folder:
        queue = ctx.Queue()
        server = ctx.Process(target=run_gateway, args=(folder, queue), daemon=True)
        server.start()
        try:
            port, bo = queue.get(timeout=120)
            rows.append(
                measure("gateway (full pipeline)", server, port, bo, args, Path(folder) / "maildir")
            )
        finally:
            server.terminate()
            server.join()

    mb = 1024 * 1024
    table = Table(title=f"Peak RSS (VmHWM) for a {args.size_mb} MB message")
    for column in (
        "server",
        "start",
        "after refused",
        "after 25 MB",
        "after delivery",
        "growth / size",
        "25 MB reply",
        "refused reply",
    ):
        table.add_column(column)
    for row in rows:
        growth = row["after_big"] - row["start"]
        if "after_delivery" in row:
            growth = max(growth, row["after_delivery"] - row["start"])
        table.add_row(
            row["server"],
            f"{row['start'] / mb:.0f} MB",
            f"{row['after_refused'] / mb:.0f} MB",
            f"{row['after_big'] / mb:.0f} MB",
            f"{row['after_delivery'] / mb:.0f} MB" if "after_delivery" in row else "-",
            f"{growth / row['size']:.1f}x",
            row["big_reply"],
            row["refused_reply"],
        )
    Console().print(table)


if __name__ == "__main__":
    main()
