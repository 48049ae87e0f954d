"""Benchmark sender authentication (gateway.auth) per message, against an in-memory DNS zone.

Run:  .venv/bin/python bench/bench_auth.py [--n 300] [--latency 0.02]

Rows (same run, same machine, so the ratios are what matter):
- verify, cold cache: a new Authenticator per message (every DNS answer looked up)
- verify, warm cache: one Authenticator (the gateway's case: answers kept `dns_cache_ttl`)
- the same two with a simulated DNS round trip of --latency seconds per query: shows the
  cache and that SPF and DKIM look up concurrently
- 50 messages at once: the longest event-loop stall while they are checked (dkimpy and pyspf
  run in threads, so the loop keeps serving SMTP sessions)
The message is ~5 KB, signed with RSA-2048 by example.org, which publishes SPF and DMARC.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import platform
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from gateway import mime
from gateway.auth.authenticator import Authenticator
from gateway.config import AuthSettings
from tests.dns_zone import DkimKey, Zone, mail

ANN = "ann@example.org"


class SlowZone(Zone):
    """A zone whose every answer takes `latency` seconds, like a resolver's round trip."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]:
        await asyncio.sleep(self.latency)
        return await super().query(name, rdtype)


def build_zone(zone: Zone, key: DkimKey) -> Zone:
    key.publish(zone)
    zone.txt("example.org", "v=spf1 include:_spf.example.org -all")
    zone.txt("_spf.example.org", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.txt("_dmarc.example.org", "v=DMARC1; p=reject")
    return zone


async def check(auth: Authenticator, raw: bytes):
    outcome = await auth.check(
        mime.parse(raw),
        raw,
        from_address=ANN,
        from_is_participant=True,
        mail_from=ANN,
        helo="mail.example.org",
        peer="192.0.2.10:40000",
    )
    if outcome is None or outcome.action != "accept":
        raise RuntimeError(f"unexpected verdict: {outcome}")
    return outcome


async def timed(n: int, make_auth, raw: bytes) -> float:
    """Seconds per message over n sequential checks."""
    auth = make_auth()
    await check(auth, raw)  # warm-up (imports, PSL parse)
    started = time.perf_counter()
    for _ in range(n):
        await check(make_auth() if make_auth.cold else auth, raw)
    return (time.perf_counter() - started) / n


def factory(zone: Zone, cold: bool):
    def make():
        return Authenticator(AuthSettings(mode="verify"), zone)

    make.cold = cold
    return make


async def loop_stall(zone: Zone, raw: bytes, count: int = 50) -> tuple[float, float]:
    """(longest gap between 1 ms ticks, total seconds) while `count` checks run at once."""
    auth = Authenticator(AuthSettings(mode="verify"), zone)
    longest = 0.0
    done = asyncio.Event()

    async def ticker():
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(check(auth, raw) for _ in range(count)))
    total = time.perf_counter() - started
    done.set()
    await tick
    return longest, total


async def main(n: int, latency: float) -> None:
    key = DkimKey("example.org", bits=2048)
    body = "Hello Bo,\r\n" + "the sketches are attached; details below.\r\n" * 110
    raw = key.sign(mail(ANN, "bo.chen.x1@relay.gigbridge.io", body))
    fast = build_zone(Zone(), key)
    slow = build_zone(SlowZone(latency), key)
    rows = [
        ("verify, cold cache", await timed(n, factory(fast, True), raw)),
        ("verify, warm cache", await timed(n, factory(fast, False), raw)),
        (
            f"verify, cold cache, DNS {latency * 1000:g} ms",
            await timed(max(n // 10, 5), factory(slow, True), raw),
        ),
        (
            f"verify, warm cache, DNS {latency * 1000:g} ms",
            await timed(n, factory(slow, False), raw),
        ),
    ]
    base = rows[1][1]
    table = Table(title=f"sender authentication, {len(raw)} byte message, RSA-2048")
    table.add_column("case")
    table.add_column("ms/message", justify="right")
    table.add_column("messages/s", justify="right")
    table.add_column("x warm cache", justify="right")
    for name, seconds in rows:
        table.add_row(name, f"{seconds * 1000:.2f}", f"{1 / seconds:.0f}", f"{seconds / base:.2f}")
    console = Console()
    console.print(table)
    stall, total = await loop_stall(fast, raw)
    console.print(
        f"50 concurrent checks: {total * 1000:.0f} ms in all, longest event-loop stall "
        f"{stall * 1000:.1f} ms"
    )
    console.print(f"python {platform.python_version()} on {platform.machine()}, shared machine")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.latency))
