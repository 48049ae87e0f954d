"""Throughput of the relay gateway next to a bare aiosmtpd -> aiosmtplib proxy, in one run.

Run:  .venv/bin/python bench/bench_throughput.py [--messages 2000] [--sessions 20]
          [--size 5120] [--database sqlite|postgresql] [--stages] [--profile]
          [--only proxy|gateway] [--threads K] [--sqlite-synchronous FULL|NORMAL]

Four parts, each its own process except the load generator, all on 127.0.0.1:
  sink     an aiosmtpd server that only counts what it receives (and when);
  proxy    the baseline: aiosmtpd whose handle_DATA forwards the bytes with aiosmtplib to the
           sink and replies with the sink's answer (so its 250 means "delivered");
  gateway  the real `gateway.server.Gateway` with a temporary data folder, SQLite (synchronous
           = FULL, the shipped default) or a fresh PostgreSQL schema, a fresh RSA-2048 DKIM key
           and smtp delivery to the sink; its 250 means "archived and queued";
  client   (this process) S aiosmtplib sessions, each sending its share of N messages one after
           another over one connection (a new MAIL transaction per message). A 421 or a dropped
           connection is answered the way an MTA does: reconnect and send the message again
           (counted as a reconnect, not a failure).

The systems are measured one after the other (proxy first), each after a short warm-up.
Columns: accepted msgs/s = N / (first MAIL .. last 250); p50/p95/p99 = milliseconds from the
end of the DATA content (the final ".") to the server's reply; delivered msgs/s = N / (first
MAIL .. the sink received the last copy); CPU = the server process's CPU time over the delivery
window (100 % = one core). Results also go to bench/results/throughput-<db>-<time>.json.

--stages  runs the gateway with info logs (JSON, to bench/results/) and aggregates the per-stage
          timings of its 'message' log lines, and times every call the gateway makes into its
          database thread pool (queue wait and run time). Costs some throughput.
--profile samples the gateway's event-loop thread during the measured window with pyinstrument
          (if installed; otherwise cProfile) and writes the report to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import textwrap
import time
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import formatdate
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
LOOPBACK = "127.0.0.1"
RELAY_DOMAIN = "relay.gigbridge.io"
ANN_REAL, BO_REAL = "ann@example.org", "bo@example.net"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# --------------------------------------------------------------------------- messages

SENTENCES = [
    "Thanks for the quick turnaround on the first round of sketches.",
    "I showed the three directions to the rest of the team this morning.",
    "Everyone liked the rounded lettering best, so let us keep going with that one.",
    "Could you try the wordmark with a little more space between the letters?",
    "The green feels a bit cold next to our shop front; maybe a warmer shade would work.",
    "We also wondered whether the small leaf could sit above the second word instead.",
    "No rush on this, the printer only needs the final files at the end of next month.",
    "For the signage we will need a version that still reads well from across the street.",
    "I attached nothing this time, the notes below should be enough to go on.",
    "The menu cards are the next thing on our list once the logo is settled.",
    "My colleague asked if the icon could work on its own for the social media avatar.",
    "We prefer a simple look over anything too clever, our customers are mostly neighbours.",
    "The darker outline in the second draft helped a lot on the paper bags.",
    "If you need photos of the shop or the old sign, tell me here and I will add them.",
    "Let us keep all the files and feedback in this conversation so nothing gets lost.",
    "I will be away on Thursday, but my colleague can answer anything urgent in the meantime.",
    "The serif version looked lovely on screen, but it got muddy when we printed it small.",
    "Could the next round include a black and white variant for the stamps?",
    "We are very happy with how this is going so far, thank you again.",
    "Please also tell me which file formats you plan to deliver at the end.",
    "The brown from the old logo could come back as an accent colour if it fits.",
    "Our opening weekend is in the spring, so the window graphics matter most.",
    "I think two more rounds of changes should be plenty before we sign off.",
    "The tagline can stay as it is, we only want to change the mark itself.",
]


def make_message(index: int, to: str, size: int, rng: random.Random) -> bytes:
    """A realistic multipart/alternative mail (text + html) from Ann to Bo of about `size` bytes.

    Plain project talk only (no addresses, numbers, links or payment words), so the scanner
    finds nothing and the policy decides "deliver". Sentences are drawn per message so that
    every message has different content.
    """
    boundary = f"------------{secrets.token_hex(12)}"
    head = (
        f"From: Ann Lee <{ANN_REAL}>\r\n"
        f"To: Bo Chen via GigBridge <{to}>\r\n"
        f"Subject: Re: Logo design, round {index % 7 + 2}\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: <bench-{index}-{secrets.token_hex(6)}@mail.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Thunderbird/128.5.0\r\n"
        "Content-Language: en-GB\r\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
        "\r\nThis is a multi-part message in MIME format.\r\n"
    )
    paragraphs: list[list[str]] = [["Hi Bo,"]]
    closing = ["Best wishes,", "Ann"]

    def render() -> bytes:
        text = "\r\n\r\n".join(
            "\r\n".join(textwrap.wrap(" ".join(p), 72)) for p in [*paragraphs, closing]
        )
        html_paras = "\r\n".join(
            "<p>" + "\r\n".join(textwrap.wrap(" ".join(p), 76)) + "</p>" for p in paragraphs
        )
        html = (
            "<!DOCTYPE html>\r\n<html>\r\n  <head>\r\n"
            '    <meta http-equiv="content-type" content="text/html; charset=UTF-8">\r\n'
            "  </head>\r\n  <body>\r\n" + html_paras + "\r\n<p>Best wishes,<br>\r\nAnn</p>\r\n"
            "  </body>\r\n</html>"
        )
        return (
            head
            + f"--{boundary}\r\n"
            + "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
            + "Content-Transfer-Encoding: 7bit\r\n\r\n"
            + text
            + f"\r\n\r\n--{boundary}\r\n"
            + "Content-Type: text/html; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 7bit\r\n\r\n"
            + html
            + f"\r\n\r\n--{boundary}--\r\n"
        ).encode()

    def grow() -> int:
        if len(paragraphs[-1]) >= rng.randint(2, 4):
            paragraphs.append([])
        sentence = rng.choice(SENTENCES)
        paragraphs[-1].append(sentence)
        return 2 * len(sentence) + 4  # it appears in the text and the html part

    data = render()
    estimate = len(data)
    while estimate < size - 400:  # grow by estimate first: rendering per sentence is quadratic
        estimate += grow()
    data = render()
    while len(data) < size:
        grow()
        data = render()
    return data


def stuffed(data: bytes) -> bytes:
    """DATA content as it goes on the wire: dot-stuffed, ending in CRLF.CRLF."""
    lines = data.split(b"\r\n")
    return b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines) + (
        b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n"
    )


# --------------------------------------------------------------------------- child processes


class CountingSink:
    """The upstream smarthost: counts messages, bytes and DKIM-signed ones, stamps the last."""

    def __init__(self, count, last_at, signed, nbytes) -> None:
        self.count, self.last_at, self.signed, self.nbytes = count, last_at, signed, nbytes

    async def handle_DATA(self, server, session, envelope) -> str:
        data = envelope.original_content or b""
        self.nbytes.value += len(data)
        if data.startswith(b"DKIM-Signature:"):
            self.signed.value += 1
        self.last_at.value = time.monotonic()
        self.count.value += 1  # last: the parent reads last_at once it sees the count
        return "250 2.0.0 sink ok"


def run_sink(ready, stop, count, last_at, signed, nbytes) -> None:
    """Process: the counting sink on an ephemeral loopback port until `stop` is set."""

    async def main() -> None:
        handler = CountingSink(count, last_at, signed, nbytes)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.bench", enable_SMTPUTF8=True, decode_data=False),
            LOOPBACK,
            0,
        )
        ready.put(("sink", os.getpid(), server.sockets[0].getsockname()[1]))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()

    asyncio.run(main())


class ForwardingProxy:
    """The baseline: relay the bytes to the sink with aiosmtplib, reply with the sink's answer."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def handle_DATA(self, server, session, envelope) -> str:
        try:
            _errors, response = await aiosmtplib.send(
                envelope.original_content,
                sender=envelope.mail_from,
                recipients=envelope.rcpt_tos,
                hostname=LOOPBACK,
                port=self.port,
                local_hostname="proxy.bench",
                start_tls=False,
                timeout=30,
            )
        except aiosmtplib.SMTPResponseException as exc:
            return f"{exc.code} {exc.message}"
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return f"451 4.4.1 upstream failed: {type(exc).__name__}"
        return f"250 {response}"


def run_proxy(ready, stop, sink_port: int, limit: int) -> None:
    """Process: the bare proxy on an ephemeral loopback port until `stop` is set."""

    async def main() -> None:
        handler = ForwardingProxy(sink_port)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(
                handler,
                hostname="proxy.bench",
                data_size_limit=limit,
                enable_SMTPUTF8=True,
                decode_data=False,
            ),
            LOOPBACK,
            0,
        )
        ready.put(("proxy", os.getpid(), server.sockets[0].getsockname()[1]))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def _toml(value) -> str:
    """A Python value as a TOML literal (enough for the bench's config)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def gateway_config(
    db_url: str, key: Path, sink_port: int, log_level: str, synchronous: str = "FULL"
) -> str:
    """The gateway's TOML: shipped defaults except the database, the sink and quiet logs."""
    sections = {
        "platform": {
            "name": "GigBridge",
            "domains": ["gigbridge.io"],
            "support_url": "https://gigbridge.io/help",
        },
        "relay": {"domain": RELAY_DOMAIN, "listen": f"{LOOPBACK}:0"},
        "storage": {"url": db_url, "sqlite_synchronous": synchronous},
        "delivery": {"transport": "smtp"},
        "delivery.smtp": {"host": LOOPBACK, "port": sink_port, "starttls": "off"},
        "dkim": {"selector": "bench", "private_key_file": str(key)},
        # a load test is one sender flooding one thread by design: the anti-abuse rates are off
        "limits": {"per_sender": "off", "per_thread": "off", "per_peer": "off"},
        "logging": {"level": log_level, "format": "json"},
    }
    return "\n".join(
        f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in values.items())
        for name, values in sections.items()
    )


def _instrument_database(calls: dict) -> None:
    """Wrap Database.run (in this process only) to time queue wait and run time per function."""
    from storage.db import Database

    original = Database.run

    async def run(self, fn, *args, **kwargs):
        submitted = time.perf_counter()
        box: dict[str, float] = {}

        def timed(*a, **k):
            box["start"] = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                box["end"] = time.perf_counter()

        try:
            return await original(self, timed, *args, **kwargs)
        finally:
            if "end" in box:
                calls[fn.__name__].append((box["start"] - submitted, box["end"] - box["start"]))

    Database.run = run


def _start_profiler(kind: str):
    """A running profiler for this (the event loop's) thread: pyinstrument or cProfile."""
    if kind == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        return profiler
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _write_profile(profiler, kind: str, prefix: str) -> None:
    """The profile as <prefix>.txt (and .html for pyinstrument) next to the JSON results."""
    if kind == "pyinstrument":
        profiler.stop()
        Path(prefix + ".txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False)
        )
        Path(prefix + ".html").write_text(profiler.output_html())
        return
    import io
    import pstats

    profiler.disable()
    profiler.dump_stats(prefix + ".pstats")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    Path(prefix + ".txt").write_text(out.getvalue())


def run_gateway(ready, stop, measure, options: dict) -> None:
    """Process: the real Gateway; reports (port, relay addresses) and, at the end, its stats."""
    folder = Path(options["folder"])
    sys.stderr = open(options["log_file"], "w", buffering=1)  # noqa: SIM115
    calls: dict[str, list] = defaultdict(list)
    if options["instrument_db"]:
        _instrument_database(calls)

    from sqlalchemy import text

    from gateway import logs
    from gateway.addresses import RelayDomain, new_relay_local, random_token
    from gateway.config import parse_settings
    from gateway.server import Gateway
    from gateway.signing import generate_key
    from storage.threads import NewParticipant, create_thread

    key = folder / "dkim" / "relay.key"
    key.parent.mkdir(parents=True, exist_ok=True)
    generate_key(key)
    settings = parse_settings(
        gateway_config(
            options["db_url"],
            key,
            options["sink_port"],
            options["log_level"],
            options["synchronous"],
        ),
        source="bench.toml",
        base_dir=folder,
    )
    logs.configure(settings.logging.level, settings.logging.format)

    def new_thread(engine) -> tuple[str, str]:
        thread, people = create_thread(
            engine,
            thread_id=f"th_{random_token(8)}",
            subject="Logo design",
            participants=[
                NewParticipant("client", "Ann Lee", ANN_REAL),
                NewParticipant("freelancer", "Bo Chen", BO_REAL),
            ],
            new_local=lambda p: new_relay_local(p.display_name),
        )
        domain = RelayDomain(RELAY_DOMAIN)
        return thread.id, domain.relay_address(people[1].relay_local)

    def stats(engine) -> dict:
        with engine.connect() as conn:
            messages = conn.execute(
                text("SELECT action, status, count(*) FROM message GROUP BY action, status")
            ).all()
            deliveries = conn.execute(
                text("SELECT status, count(*) FROM delivery GROUP BY status")
            ).all()
        return {
            "messages": {f"{a}/{s}": n for a, s, n in messages},
            "deliveries": {s: n for s, n in deliveries},
        }

    async def main() -> None:
        gateway = Gateway(settings)
        await gateway.start(host=LOOPBACK, port=0)
        engine = gateway.services.db.engine
        threads = [await asyncio.to_thread(new_thread, engine) for _ in range(options["threads"])]
        ready.put(("gateway", os.getpid(), gateway.address[1], [bo for _, bo in threads]))
        loop = asyncio.get_running_loop()
        profiler = None
        while not stop.is_set():
            if options["profile"] and profiler is None and measure.is_set():
                profiler = _start_profiler(options["profile"])
                ready.put(("profiling",))
            await asyncio.sleep(0.01)
        if profiler is not None:
            _write_profile(profiler, options["profile"], options["profile_path"])
        result = await loop.run_in_executor(None, stats, engine)
        for _ in range(100):  # copies the sink has but the worker has not yet marked delivered
            if not result["deliveries"].get("queued"):
                break
            await asyncio.sleep(0.1)
            result = await loop.run_in_executor(None, stats, engine)
        result["db_calls"] = {name: _call_summary(times) for name, times in calls.items()}
        await gateway.stop()
        ready.put(("stats", result))

    asyncio.run(main())


def _call_summary(times: list[tuple[float, float]]) -> dict:
    """Count and p50/p95/mean of queue wait and run time (ms) for one storage function."""
    waits = sorted(w * 1000 for w, _ in times)
    runs = sorted(r * 1000 for _, r in times)
    return {
        "calls": len(times),
        "wait_ms": {"p50": pct(waits, 50), "p95": pct(waits, 95), "mean": mean(waits)},
        "run_ms": {"p50": pct(runs, 50), "p95": pct(runs, 95), "mean": mean(runs)},
        "run_total_s": sum(runs) / 1000,
    }


# --------------------------------------------------------------------------- load generator


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


async def open_session(port: int, timeout: float) -> aiosmtplib.SMTP:
    """A connected client that has said EHLO."""
    client = aiosmtplib.SMTP(
        hostname=LOOPBACK,
        port=port,
        timeout=timeout,
        local_hostname="client.bench",
        start_tls=False,
    )
    await client.connect()
    await client.ehlo()
    return client


async def one_session(port, messages, tally, start: asyncio.Event, timeout):
    """One client connection: EHLO, then MAIL/RCPT/DATA per message; the time of its last 250.

    A 421 or a dropped connection is what an MTA answers by reconnecting and trying the same
    message again; that is done here too (counted in tally["reconnects"]). Any other refusal
    is a failure, followed by RSET.
    """
    client = await open_session(port, timeout)
    await start.wait()
    last_ok = None
    for rcpt, payload in messages:
        for _attempt in range(3):
            try:
                await client.mail(ANN_REAL)
                await client.rcpt(rcpt)
                reply = await client.execute_command(b"DATA")
                if reply.code != 354:
                    raise aiosmtplib.SMTPResponseException(reply.code, reply.message)
                client.protocol.write(payload)
                sent = time.monotonic()
                reply = await client.protocol.read_response(timeout=timeout)
                answered = time.monotonic()
                if reply.code != 250:
                    raise aiosmtplib.SMTPResponseException(reply.code, reply.message)
                tally["latencies"].append(answered - sent)
                last_ok = answered
                break
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPResponseException) as exc:
                code = getattr(exc, "code", 421)
                if code == 421 or not client.is_connected:
                    tally["reconnects"][f"{code} {getattr(exc, 'message', exc)}"[:70]] += 1
                    client.close()
                    client = await open_session(port, timeout)
                    continue
                tally["failures"][f"{exc.code} {exc.message}"[:70]] += 1
                await client.rset()
                break
        else:
            tally["failures"]["gave up after 3 connections"] += 1
    with contextlib.suppress(aiosmtplib.SMTPException):
        await client.quit()
    return last_ok


async def load(port, messages, sessions, timeout) -> dict:
    """Send `messages` over `sessions` connections; timings from the first MAIL to the last 250."""
    shares = [messages[i::sessions] for i in range(sessions)]
    tally = {"latencies": [], "failures": defaultdict(int), "reconnects": defaultdict(int)}
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(one_session(port, share, tally, start, timeout))
        for share in shares
        if share
    ]
    await asyncio.sleep(0.2)  # let every session connect and say EHLO first
    began = time.monotonic()
    cpu_began = cpu_self()
    start.set()
    ends = await asyncio.gather(*tasks)
    cpu_client = cpu_self() - cpu_began
    ends = [e for e in ends if e is not None]
    return {
        "began": began,
        "last_ok": max(ends) if ends else began,
        "latencies": tally["latencies"],
        "failures": dict(tally["failures"]),
        "reconnects": dict(tally["reconnects"]),
        "client_cpu_s": cpu_client,
    }


def cpu_self() -> float:
    times = os.times()
    return times.user + times.system


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (Linux /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


# --------------------------------------------------------------------------- orchestration


class Children:
    """Started processes, stopped (and if need be terminated) on exit."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.running: list[tuple[mp.Process, object]] = []

    def start(self, target, *args) -> tuple[mp.Process, object]:
        stop = self.ctx.Event()
        process = self.ctx.Process(target=target, args=(*args[:1], stop, *args[1:]), daemon=True)
        process.start()
        self.running.append((process, stop))
        return process, stop

    def stop(self, process, stop_event, timeout: float = 30) -> None:
        stop_event.set()
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(5)
        self.running = [(p, s) for p, s in self.running if p is not process]

    def stop_all(self) -> None:
        for process, stop_event in list(self.running):
            self.stop(process, stop_event, timeout=10)


def expect(queue, kind: str, process: mp.Process, timeout: float) -> tuple:
    """The next message of `kind` from a child, failing clearly if it died or took too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            item = queue.get(timeout=0.5)
        except Exception:  # queue.Empty
            if not process.is_alive():
                raise SystemExit(f"{kind} process exited with code {process.exitcode}") from None
            continue
        if item[0] == kind:
            return item
    raise SystemExit(f"no '{kind}' from the child within {timeout:.0f}s")


class SinkView:
    """The parent's view of the sink's shared counters."""

    def __init__(self, ctx) -> None:
        self.count = ctx.RawValue("q", 0)
        self.last_at = ctx.RawValue("d", 0.0)
        self.signed = ctx.RawValue("q", 0)
        self.nbytes = ctx.RawValue("q", 0)

    def wait_for(self, target: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count.value < target:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True


def measure_system(name, port, rcpts, args, sink: SinkView, pid: int, rng, measure=None) -> dict:
    """Warm up, then send N messages and wait for the sink to hold all of them."""
    warmup = [
        (rcpts[i % len(rcpts)], stuffed(make_message(i, rcpts[i % len(rcpts)], args.size, rng)))
        for i in range(args.warmup)
    ]
    before = sink.count.value
    warm = asyncio.run(load(port, warmup, args.sessions, args.timeout))
    if warm["failures"]:
        raise SystemExit(
            f"{name}: {sum(warm['failures'].values())} of {args.warmup} warm-up messages were "
            f"refused ({warm['failures']}); see its log in bench/results/"
        )
    if not sink.wait_for(before + args.warmup, args.timeout):
        raise SystemExit(f"{name}: warm-up messages did not reach the sink in {args.timeout}s")
    raw = [
        make_message(i, rcpts[i % len(rcpts)], args.size, rng)
        for i in range(args.warmup, args.warmup + args.messages)
    ]
    batch = [(rcpts[i % len(rcpts)], stuffed(data)) for i, data in enumerate(raw)]
    before, signed_before = sink.count.value, sink.signed.value
    if measure is not None:
        measure()
    cpu_server, cpu_sink, busy = cpu_of(pid), cpu_of(sink.pid), machine_busy()
    sending = load(port, batch, args.sessions, args.timeout)
    run = asyncio.run(asyncio.wait_for(sending, args.timeout))
    accepted = len(run["latencies"])
    cpu_server_accepted = cpu_of(pid) - cpu_server
    complete = sink.wait_for(before + accepted, args.timeout)
    delivered = sink.count.value - before
    cpu_server_total, cpu_sink_total = cpu_of(pid) - cpu_server, cpu_of(sink.pid) - cpu_sink
    busy = machine_busy() - busy
    window = run["last_ok"] - run["began"]
    delivery_window = (sink.last_at.value - run["began"]) if delivered else float("nan")
    lat = sorted(x * 1000 for x in run["latencies"])
    return {
        "system": name,
        "messages": args.messages,
        "accepted": accepted,
        "failures": run["failures"],
        "reconnects": run["reconnects"],
        "accept_seconds": window,
        "accepted_per_s": accepted / window if window > 0 else 0.0,
        "latency_ms": {
            "p50": pct(lat, 50),
            "p95": pct(lat, 95),
            "p99": pct(lat, 99),
            "max": lat[-1] if lat else 0.0,
            "mean": mean(lat),
        },
        "delivered": delivered,
        "delivered_complete": complete,
        "delivery_seconds": delivery_window,
        "delivered_per_s": delivered / delivery_window if delivered else 0.0,
        "dkim_signed": sink.signed.value - signed_before,
        "message_bytes_mean": mean([len(m) for m in raw]),
        "cpu": {
            "server_accept_window": cpu_server_accepted / window if window > 0 else 0.0,
            "server_delivery_window": cpu_server_total / delivery_window if delivered else 0.0,
            "sink": cpu_sink_total / delivery_window if delivered else 0.0,
            "client": run["client_cpu_s"] / window if window > 0 else 0.0,
            "machine": busy / delivery_window if delivered else 0.0,
            "others": (busy - cpu_server_total - cpu_sink_total - run["client_cpu_s"])
            / delivery_window
            if delivered
            else 0.0,
        },
    }


def make_database(kind: str, folder: Path, pg_url: str) -> tuple[str, object]:
    """(URL, cleanup) for a fresh SQLite file or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'data' / 'gateway.db'}", lambda: None
    import psycopg

    schema = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    base = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}?options=-csearch_path%3D{schema}", drop


def count_log_lines(log_file: Path) -> dict:
    """How many warning/error lines the gateway wrote (structlog JSON or stdlib logging)."""
    counts = {"warning": 0, "error": 0}
    with open(log_file) as handle:
        for line in handle:
            try:
                level = json.loads(line).get("level", "")
            except ValueError:
                level = line.split(":", 1)[0].lower()
            if level in counts:
                counts[level] += 1
    return counts


def summarize_stages(log_file: Path) -> dict:
    """p50/p95/mean per pipeline stage (and total) from the gateway's 'message' log lines."""
    per_stage: dict[str, list[float]] = defaultdict(list)
    with open(log_file) as handle:
        for line in handle:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") != "message":
                continue
            for stage, ms in event.get("stages", {}).items():
                per_stage[stage].append(ms)
            per_stage["total"].append(event.get("total_ms", 0.0))
    return {
        stage: {"n": len(v), "p50": pct(sorted(v), 50), "p95": pct(sorted(v), 95), "mean": mean(v)}
        for stage, v in per_stage.items()
    }


def source_tree() -> dict:
    """The commit measured and how many files differed from it (others edit concurrently)."""
    import subprocess

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    changed = [ln for ln in git("status", "--porcelain").splitlines() if ln.strip()]
    return {"commit": git("rev-parse", "HEAD"), "changed_files": len(changed)}


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        model = next((ln.split(":", 1)[1].strip() for ln in handle if "model name" in ln), "")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {
            p: version(p)
            for p in ("aiosmtpd", "aiosmtplib", "dkimpy", "cryptography", "SQLAlchemy", "psycopg")
        },
    }


def print_table(console: Console, result: dict) -> None:
    systems = result["systems"]
    args = result["args"]
    table = Table(
        title=(
            f"{args['messages']} messages of ~{args['size']} bytes over {args['sessions']} "
            f"sessions, gateway on {args['database']}"
            + (
                f", synchronous={args['sqlite_synchronous']}"
                if args["database"] == "sqlite"
                else ""
            )
        )
    )
    for column in ("system", "accepted msgs/s", "p50 ms", "p95 ms", "p99 ms", "delivered msgs/s"):
        table.add_column(column, justify="left" if column == "system" else "right")
    table.add_column("server CPU", justify="right")
    table.add_column("reconnects", justify="right")
    table.add_column("failed", justify="right")
    labels = {"proxy": "bare proxy", "gateway": "relay gateway"}
    for key, row in systems.items():
        lat = row["latency_ms"]
        table.add_row(
            labels[key] + (" (profiled)" if key == "gateway" and args["profile"] else ""),
            f"{row['accepted_per_s']:,.1f}",
            f"{lat['p50']:.1f}",
            f"{lat['p95']:.1f}",
            f"{lat['p99']:.1f}",
            f"{row['delivered_per_s']:,.1f}"
            + ("" if row["delivered_complete"] else " (incomplete)"),
            f"{row['cpu']['server_delivery_window'] * 100:.0f} %",
            str(sum(row["reconnects"].values())),
            str(sum(row["failures"].values())),
        )
    if "proxy" in systems and "gateway" in systems:
        ratio = result["ratio"]
        table.add_row(
            "ratio gateway / proxy",
            f"{ratio['accepted']:.2f}",
            f"{ratio['p50']:.1f}x",
            f"{ratio['p95']:.1f}x",
            f"{ratio['p99']:.1f}x",
            f"{ratio['delivered']:.2f}",
            "",
            "",
            "",
            style="bold",
        )
    console.print(table)
    for key, row in systems.items():
        cpu = row["cpu"]
        console.print(
            f"{key}: {row['accepted']}/{row['messages']} accepted in "
            f"{row['accept_seconds']:.2f}s, {row['delivered']} delivered in "
            f"{row['delivery_seconds']:.2f}s, {row['dkim_signed']} DKIM-signed at the sink; "
            f"CPU server {cpu['server_accept_window'] * 100:.0f} % while accepting, "
            f"sink {cpu['sink'] * 100:.0f} %, client {cpu['client'] * 100:.0f} %, "
            f"everything else on the machine {cpu['others'] * 100:.0f} %"
            + (f"; reconnects after {row['reconnects']}" if row["reconnects"] else "")
            + (f"; failures {row['failures']}" if row["failures"] else "")
        )
    gw = result.get("gateway_stats")
    if gw:
        console.print(f"gateway archive: messages {gw['messages']}, deliveries {gw['deliveries']}")
        logged = result["gateway_log"]
        console.print(
            f"gateway log: {logged['warning']} warning and {logged['error']} error lines "
            f"in {logged['file']}"
        )
    if result.get("stages"):
        stages = Table(title="gateway stage timings (ms, wall time per message under load)")
        for column in ("stage", "p50", "p95", "mean"):
            stages.add_column(column, justify="left" if column == "stage" else "right")
        for stage, s in result["stages"].items():
            stages.add_row(stage, f"{s['p50']:.2f}", f"{s['p95']:.2f}", f"{s['mean']:.2f}")
        console.print(stages)
    if gw and gw.get("db_calls"):
        calls = Table(title="gateway database thread pool (ms per call)")
        for column in ("function", "calls", "wait p50", "wait p95", "run p50", "run p95", "busy s"):
            calls.add_column(column, justify="left" if column == "function" else "right")
        for name, c in sorted(gw["db_calls"].items(), key=lambda kv: -kv[1]["run_total_s"]):
            calls.add_row(
                name,
                str(c["calls"]),
                f"{c['wait_ms']['p50']:.2f}",
                f"{c['wait_ms']['p95']:.2f}",
                f"{c['run_ms']['p50']:.2f}",
                f"{c['run_ms']['p95']:.2f}",
                f"{c['run_total_s']:.2f}",
            )
        console.print(calls)
    console.print(
        f"{result['machine']['cpus']} cores ({result['machine']['cpu_model']}), "
        f"Python {result['machine']['python']}, load average before/after "
        f"{result['load_average_before'][0]:.2f}/{result['load_average_after'][0]:.2f}; "
        f"results: {result['file']}"
    )


def profiler_kind(requested: bool) -> str | None:
    if not requested:
        return None
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return "cprofile"
    return "pyinstrument"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages per system")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent SMTP sessions")
    parser.add_argument("--size", type=int, default=5120, help="approximate message size, bytes")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="PostgreSQL server for --database")
    parser.add_argument(
        "--sqlite-synchronous",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="[storage] sqlite_synchronous (FULL is the shipped default)",
    )
    parser.add_argument("--threads", type=int, default=1, help="conversations to spread over")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured messages first")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per phase")
    parser.add_argument("--only", choices=("proxy", "gateway"), help="measure one system only")
    parser.add_argument("--stages", action="store_true", help="gateway stage timings (slower)")
    parser.add_argument("--profile", action="store_true", help="profile the gateway's loop")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    label = "proxy" if args.only == "proxy" else args.database
    base = RESULTS / f"throughput-{label}-{stamp}"
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # a readable table in logs and pipes too
    ctx = mp.get_context("spawn")
    children = Children(ctx)
    folder = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    rng = random.Random(args.seed)
    profile = profiler_kind(args.profile)
    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/bench_throughput.py", *sys.argv[1:]]),
        "args": {**vars(args), "profile": profile},
        "machine": machine(),
        "source": source_tree(),
        "message_shape": (
            "multipart/alternative (text/plain format=flowed + text/html, both UTF-8 7bit), "
            "9 headers, plain project talk, no findings; from Ann's real address to Bo's "
            "relay address, one recipient"
        ),
        "systems": {},
        "load_average_before": os.getloadavg(),
    }
    busy = machine_busy()
    time.sleep(1)
    busy = machine_busy() - busy
    if busy > 0.2:
        console.print(
            f"[yellow]note: the machine was {busy * 100:.0f} % busy (of one core) just before "
            "the run; other processes compete for the cores, so figures will be noisier[/]"
        )
    cleanup = lambda: None  # noqa: E731
    try:
        queue = ctx.Queue()
        sink = SinkView(ctx)
        sink_proc, _ = children.start(
            run_sink, queue, sink.count, sink.last_at, sink.signed, sink.nbytes
        )
        _, sink.pid, sink_port = expect(queue, "sink", sink_proc, 60)

        if args.only != "gateway":
            console.print("[bold]bare proxy[/]: warming up and measuring ...")
            proc, stop = children.start(run_proxy, queue, sink_port, 25 * 1024 * 1024)
            _, pid, port = expect(queue, "proxy", proc, 60)
            rcpts = [f"bo.{i}@{RELAY_DOMAIN}" for i in range(args.threads)]
            result["systems"]["proxy"] = measure_system("proxy", port, rcpts, args, sink, pid, rng)
            children.stop(proc, stop)

        if args.only != "proxy":
            db_url, cleanup = make_database(args.database, folder, args.pg_url)
            log_file = Path(f"{base}.gateway-log.jsonl")
            options = {
                "folder": str(folder),
                "db_url": db_url,
                "sink_port": sink_port,
                "threads": args.threads,
                "synchronous": args.sqlite_synchronous,
                "log_level": "info" if args.stages else "warning",
                "log_file": str(log_file),
                "instrument_db": args.stages,
                "profile": profile,
                "profile_path": f"{base}.profile",
            }
            console.print(f"[bold]relay gateway[/] on {args.database}: warming up, measuring ...")
            measure = ctx.Event()
            proc, stop = children.start(run_gateway, queue, measure, options)
            _, pid, port, rcpts = expect(queue, "gateway", proc, 120)

            def start_measuring() -> None:
                measure.set()
                if profile:
                    expect(queue, "profiling", proc, 30)

            result["systems"]["gateway"] = measure_system(
                "gateway", port, rcpts, args, sink, pid, rng, start_measuring
            )
            stop.set()
            result["gateway_stats"] = expect(queue, "stats", proc, 120)[1]
            children.stop(proc, stop)
            result["gateway_log"] = {"file": str(log_file), **count_log_lines(log_file)}
            if args.stages:
                result["stages"] = summarize_stages(log_file)
            if profile:
                result["profile_file"] = f"{base}.profile.txt"

        systems = result["systems"]
        if "proxy" in systems and "gateway" in systems:
            p, g = systems["proxy"], systems["gateway"]
            result["ratio"] = {
                "accepted": g["accepted_per_s"] / p["accepted_per_s"],
                "delivered": g["delivered_per_s"] / p["delivered_per_s"],
                **{
                    q: g["latency_ms"][q] / p["latency_ms"][q] if p["latency_ms"][q] else 0.0
                    for q in ("p50", "p95", "p99")
                },
            }
        result["load_average_after"] = os.getloadavg()
        result["file"] = str(base.with_suffix(".json").relative_to(ROOT))
        base.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        print_table(console, result)
    finally:
        children.stop_all()
        cleanup()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
