"""Load benchmark: the relay gateway next to a bare proxy and Postfix, same load, same run.

Run:  .venv/bin/python bench/bench_load.py            (or `make bench`)
      [--messages 2000] [--messages-large 500] [--sessions 20] [--sizes 5120,102400]
      [--databases sqlite,postgresql] [--baselines proxy,postfix] [--workers N]
      [--threads K] [--quick] [--big MB] [--only-big] [--profile] [--source DIR]

For every message size it measures, one after the other on 127.0.0.1:
  proxy     a bare aiosmtpd -> aiosmtplib forwarding proxy (replies with the sink's answer);
  postfix   Postfix 3 from a temporary config folder, relaying to the same sink;
  gateway   `gateway serve` (the real command, as operators run it) on SQLite and on
            PostgreSQL: parse, resolve, authenticate, scan, decide, rewrite, footer, DKIM sign,
            archive + outbox in one commit, then delivery to the sink.
Every system relays to the same counting sink (its own process). The load generator keeps S
SMTP sessions open, each sending its share of N messages (a MAIL transaction per message).

Reported per system: accepted msgs/s (N / first MAIL .. last 250), p50/p95/p99 ms from the end
of DATA to the reply, delivered msgs/s (until the sink holds every copy), CPU of the server's
whole process tree (100 % = one core) and its peak RSS (sum of VmHWM over its processes); then
the gateway's ratio to the proxy and to Postfix, and the targets of the scale issue (>= 60 % of
the proxy, >= Postfix, p99 < 50 ms at 20 sessions for 5 KB).

At the end it relays one message of 25 MB (--big MB; 0 skips it, --only-big runs only that)
through the proxy and the gateway and reports the peak RSS of the process that handled it
against the target "peak RSS < 4x the message size".

Results: bench/results/load-<time>.json (plus the gateway's and Postfix's logs).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from bench_throughput import (  # noqa: E402
    ANN_REAL,
    BO_REAL,
    CLOCK_TICKS,
    LOOPBACK,
    PG_DEFAULT,
    RELAY_DOMAIN,
    Children,
    SinkView,
    _toml,
    expect,
    load,
    machine,
    machine_busy,
    make_database,
    make_message,
    mean,
    pct,
    run_proxy,
    run_sink,
    source_tree,
    stuffed,
)
from postfix_relay import PostfixError, PostfixRelay  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GATEWAY = ROOT / ".venv" / "bin" / "gateway"
BIG_LIMIT = 64 * 1024 * 1024

# --------------------------------------------------------------------------- process trees


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(root: int) -> list[int]:
    """`root` and all its live descendants."""
    kids = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(kids.get(pid, []))
    return found


def tree_cpu(root: int) -> float:
    """CPU seconds of a process tree: live processes plus the children they already reaped."""
    total = 0.0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                f = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in f[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
    return total


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_peak_rss(root: int) -> int:
    """Bytes: the largest peak RSS (VmHWM) of any live process in the tree."""
    return max((_status_kb(pid, "VmHWM") for pid in tree(root)), default=0) * 1024


def tree_rss(root: int) -> int:
    """Bytes: the largest current RSS of one process in the tree."""
    return max((_status_kb(pid, "VmRSS") for pid in tree(root)), default=0) * 1024


def tree_pss(root: int) -> int:
    """Bytes: the tree's proportional set size (shared pages split between their users).

    Summing RSS over Postfix's ~70 processes would count the shared libraries 70 times; PSS
    is what the tree really costs the machine.
    """
    total = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total * 1024


class RssSampler:
    """Samples a tree's memory in a thread: the peak PSS sum and the peak single-process RSS."""

    def __init__(self, root: int, interval: float = 0.005) -> None:
        self.root, self.interval = root, interval
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, tree_rss(self.root))
            self.peak_pss = max(self.peak_pss, tree_pss(self.root))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, tree_peak_rss(self.root))


# --------------------------------------------------------------------------- the gateway


def gateway_toml(db_url: str, key: Path, sink_port: int, options: dict) -> str:
    """Shipped defaults except the database, the sink, quiet logs and the bench's options."""
    sections: dict[str, dict] = {
        "platform": {
            "name": "GigBridge",
            "domains": ["gigbridge.io"],
            "support_url": "https://gigbridge.io/help",
        },
        "relay": {"domain": RELAY_DOMAIN, "listen": f"{LOOPBACK}:0"},
        "storage": {"url": db_url},
        "delivery": {"transport": "smtp"},
        "delivery.smtp": {"host": LOOPBACK, "port": sink_port, "starttls": "off"},
        "dkim": {"selector": "bench", "private_key_file": str(key)},
        # a load test is one sender flooding one thread by design: the anti-abuse rates are off
        "limits": {"per_sender": "off", "per_thread": "off", "per_peer": "off"},
        "logging": {"level": "warning", "format": "json"},
    }
    if options.get("workers"):
        sections["relay"]["workers"] = options["workers"]
    if options.get("max_size"):
        sections["relay"]["max_message_size"] = options["max_size"]
    for dotted, value in options.get("set", {}).items():
        section, key_name = dotted.rsplit(".", 1)
        sections.setdefault(section, {})[key_name] = value
    return "\n".join(
        f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in values.items())
        for name, values in sections.items()
    )


class GatewayProcess:
    """`gateway serve --config X` in a subprocess, with conversations created before the load."""

    def __init__(self, folder: Path, db_url: str, sink_port: int, log_file: Path, options: dict):
        self.folder, self.db_url, self.log_file = folder, db_url, log_file
        self.sink_port, self.options = sink_port, options
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.rcpts: list[str] = []

    def start(self, threads: int) -> None:
        from gateway.signing import generate_key

        self.folder.mkdir(parents=True, exist_ok=True)
        key = self.folder / "dkim.key"
        generate_key(key)
        config = self.folder / "gateway.toml"
        config.write_text(gateway_toml(self.db_url, key, self.sink_port, self.options))
        env = dict(os.environ)
        if self.options.get("source"):  # another checkout's code, same virtualenv
            env["PYTHONPATH"] = str(Path(self.options["source"]).resolve())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
            cwd=self.folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=open(self.log_file, "w"),  # noqa: SIM115
            text=True,
        )
        line = self.proc.stdout.readline()  # "relay gateway: SMTP on host:port, ..."
        if "SMTP on" not in line:
            self.proc.wait(10)
            raise SystemExit(f"gateway did not start ({line.strip()!r}); see {self.log_file}")
        self.port = int(line.split("SMTP on ", 1)[1].split(",", 1)[0].rsplit(":", 1)[1])
        self.rcpts = self._conversations(threads)

    def _conversations(self, threads: int) -> list[str]:
        """Open `threads` conversations (Ann the client, Bo the freelancer): Bo's addresses."""
        from gateway.addresses import RelayDomain, new_relay_local, random_token
        from storage.db import make_engine
        from storage.threads import NewParticipant, create_thread

        engine = make_engine(self.db_url)
        domain, rcpts = RelayDomain(RELAY_DOMAIN), []
        try:
            for _ in range(threads):
                _thread, people = create_thread(
                    engine,
                    thread_id=f"th_{random_token(8)}",
                    subject="Logo design",
                    participants=[
                        NewParticipant("client", "Ann Lee", ANN_REAL),
                        NewParticipant("freelancer", "Bo Chen", BO_REAL),
                    ],
                    new_local=lambda p: new_relay_local(p.display_name),
                )
                rcpts.append(domain.relay_address(people[1].relay_local))
        finally:
            engine.dispose()
        return rcpts

    def stats(self) -> dict:
        """Messages by action/status and deliveries by status, straight from the database."""
        from sqlalchemy import text

        from storage.db import make_engine

        engine = make_engine(self.db_url)
        try:
            with engine.connect() as conn:
                messages = conn.execute(
                    text("SELECT action, status, count(*) FROM message GROUP BY action, status")
                ).all()
                deliveries = conn.execute(
                    text("SELECT status, count(*) FROM delivery GROUP BY status")
                ).all()
        finally:
            engine.dispose()
        return {
            "messages": {f"{a}/{s}": n for a, s, n in messages},
            "deliveries": {s: n for s, n in deliveries},
        }

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# --------------------------------------------------------------------------- measuring


def measure(name, port, rcpts, size, n, args, sink: SinkView, root: int, rng) -> dict:
    """Warm up, send N messages of ~size bytes, wait until the sink holds every copy."""

    def batch(first: int, count: int) -> list[tuple[str, bytes]]:
        out = []
        for i in range(first, first + count):
            rcpt = rcpts[i % len(rcpts)]
            out.append((rcpt, stuffed(make_message(i, rcpt, size, rng))))
        return out

    warm = batch(0, args.warmup)
    before = sink.count.value
    warmed = asyncio.run(load(port, warm, args.sessions, args.timeout))
    if warmed["failures"]:
        raise SystemExit(f"{name}: warm-up messages were refused: {warmed['failures']}")
    if not sink.wait_for(before + len(warm), args.timeout):
        raise SystemExit(f"{name}: warm-up messages did not reach the sink in {args.timeout}s")
    messages = batch(args.warmup, n)
    before, signed_before = sink.count.value, sink.signed.value
    cpu_server, cpu_sink, busy = tree_cpu(root), tree_cpu(sink.pid), machine_busy()
    with RssSampler(root, interval=0.05) as rss:
        run = asyncio.run(
            asyncio.wait_for(load(port, messages, args.sessions, args.timeout), args.timeout)
        )
        accepted = len(run["latencies"])
        cpu_accepted = tree_cpu(root) - cpu_server
        complete = sink.wait_for(before + accepted, args.timeout)
    delivered = sink.count.value - before
    cpu_total, cpu_sink = tree_cpu(root) - cpu_server, tree_cpu(sink.pid) - cpu_sink
    busy = machine_busy() - busy
    window = run["last_ok"] - run["began"]
    dwindow = (sink.last_at.value - run["began"]) if delivered else float("nan")
    lat = sorted(x * 1000 for x in run["latencies"])
    return {
        "system": name,
        "size": size,
        "messages": n,
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
        "delivery_seconds": dwindow,
        "delivered_per_s": delivered / dwindow if delivered else 0.0,
        "dkim_signed": sink.signed.value - signed_before,
        "cpu": {
            "server": cpu_total / dwindow if delivered else 0.0,
            "server_ms_per_message": 1000 * cpu_total / delivered if delivered else 0.0,
            "server_accepting": cpu_accepted / window if window > 0 else 0.0,
            "sink": cpu_sink / dwindow if delivered else 0.0,
            "client": run["client_cpu_s"] / window if window > 0 else 0.0,
            "others": (busy - cpu_total - cpu_sink - run["client_cpu_s"]) / dwindow
            if delivered
            else 0.0,
        },
        "memory": {"peak_pss_sum": rss.peak_pss, "peak_rss_max_process": rss.peak_rss},
        "processes": len(tree(root)),
    }


# --------------------------------------------------------------------------- big message


def big_message(to: str, megabytes: float) -> bytes:
    """A multipart/mixed mail with a short text part and one base64 attachment: ~`megabytes` MB."""
    target = int(megabytes * 1_000_000)
    boundary = f"----=_big_{secrets.token_hex(8)}"
    head = (
        f"From: Ann Lee <{ANN_REAL}>\r\nTo: Bo Chen via GigBridge <{to}>\r\n"
        f"Subject: The print files\r\nDate: {formatdate()}\r\n"
        f"Message-ID: <big-{secrets.token_hex(6)}@mail.example.org>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
        "Hi Bo,\r\n\r\nhere are the print files for the shop front.\r\n\r\nAnn\r\n"
        f'--{boundary}\r\nContent-Type: application/pdf; name="shopfront.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="shopfront.pdf"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    raw_len = max(0, (target - len(head) - len(tail)) * 57 // 78)
    encoded = base64.encodebytes(random.Random(7).randbytes(raw_len)).replace(b"\n", b"\r\n")
    return head + encoded.rstrip(b"\r\n") + tail


def measure_big(name, port, rcpt, data: bytes, sink: SinkView, root: int, timeout) -> dict:
    """Relay one big message; idle RSS before, sampled peak during, time to the sink."""
    idle = tree_rss(root)
    before = sink.count.value
    with RssSampler(root, interval=0.002) as rss:
        started = time.monotonic()
        run = asyncio.run(load(port, [(rcpt, stuffed(data))], 1, timeout))
        accepted_at = time.monotonic()
        complete = sink.wait_for(before + 1, timeout)
        done = time.monotonic()
    return {
        "system": name,
        "message_bytes": len(data),
        "accepted": len(run["latencies"]),
        "failures": run["failures"],
        "delivered": complete,
        "accept_seconds": accepted_at - started,
        "delivery_seconds": done - started,
        "idle_rss": idle,
        "peak_rss": rss.peak_rss,
        "peak_pss_sum": rss.peak_pss,
        "growth": rss.peak_rss - idle,
        "growth_x": (rss.peak_rss - idle) / len(data),
        "peak_x": rss.peak_rss / len(data),
    }


# --------------------------------------------------------------------------- orchestration


def mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


class Bench:
    """Holds the sink, the child processes and the temporary folder for one run."""

    def __init__(self, args, console: Console, base: Path) -> None:
        self.args, self.console, self.base = args, console, base
        self.ctx = mp.get_context("spawn")
        self.children = Children(self.ctx)
        self.folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
        self.folder.chmod(0o755)  # Postfix's daemons run as `postfix` and must reach their queue
        self.queue = self.ctx.Queue()
        self.sink = SinkView(self.ctx)
        self.rng = random.Random(args.seed)
        self.cleanups: list = []

    def start_sink(self) -> None:
        proc, _ = self.children.start(
            run_sink,
            self.queue,
            self.sink.count,
            self.sink.last_at,
            self.sink.signed,
            self.sink.nbytes,
        )
        _, self.sink.pid, self.sink_port = expect(self.queue, "sink", proc, 60)

    def proxy(self, run) -> dict:
        proc, stop = self.children.start(run_proxy, self.queue, self.sink_port, BIG_LIMIT)
        try:
            _, pid, port = expect(self.queue, "proxy", proc, 60)
            rcpts = [f"bo.{i}@{RELAY_DOMAIN}" for i in range(self.args.threads)]
            return run(port, rcpts, pid)
        finally:
            self.children.stop(proc, stop)

    def postfix(self, run) -> dict:
        relay = PostfixRelay(self.folder / f"postfix-{secrets.token_hex(3)}", self.sink_port)
        try:
            port = relay.start()
            rcpts = [f"bo.{i}@{RELAY_DOMAIN}" for i in range(self.args.threads)]
            result = run(port, rcpts, relay.master_pid)
            result["queue_left"] = relay.queue_count()
            return result
        finally:
            relay.stop()
            log = Path(f"{self.base}.postfix-maillog")
            with contextlib.suppress(OSError):
                shutil.copyfile(relay.log, log)

    def gateway(self, database: str, run, *, max_size: int | None = None) -> dict:
        db_url, drop = make_database(database, self.folder / secrets.token_hex(3), self.args.pg_url)
        name = f"gateway-{database}"
        log_file = Path(f"{self.base}.{name}.log")
        options = {
            "workers": self.args.workers,
            "max_size": max_size,
            "set": self.args.set,
            "source": self.args.source,
        }
        gw = GatewayProcess(
            self.folder / f"gw-{secrets.token_hex(3)}", db_url, self.sink_port, log_file, options
        )
        try:
            gw.start(self.args.threads)
            profiler = self._profile(gw, name) if self.args.profile else None
            result = run(gw.port, gw.rcpts, gw.proc.pid)
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(60)
                result["profile"] = f"{self.base}.{name}.speedscope.json"
            time.sleep(0.5)  # the worker marks the last copies delivered after the sink's 250
            result["database_stats"] = gw.stats()
            return result
        finally:
            gw.stop()
            drop()

    def _profile(self, gw: GatewayProcess, name: str) -> subprocess.Popen:
        """py-spy sampling every process of the gateway for the measured window."""
        spy = ROOT / ".venv" / "bin" / "py-spy"
        if not spy.exists():
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        return subprocess.Popen(
            [
                str(spy),
                "record",
                "--subprocesses",
                "--format",
                "speedscope",
                "--rate",
                "200",
                "--output",
                f"{self.base}.{name}.speedscope.json",
                "--pid",
                str(gw.proc.pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def close(self) -> None:
        self.children.stop_all()
        shutil.rmtree(self.folder, ignore_errors=True)


def ratios(systems: dict) -> dict:
    """Each gateway row against each baseline: accepted and delivered msgs/s, p99."""
    out = {}
    for gname, g in systems.items():
        if not gname.startswith("gateway"):
            continue
        for bname in ("proxy", "postfix"):
            b = systems.get(bname)
            if not b or not b["accepted_per_s"]:
                continue
            out[f"{gname} / {bname}"] = {
                "accepted": g["accepted_per_s"] / b["accepted_per_s"],
                "delivered": g["delivered_per_s"] / b["delivered_per_s"]
                if b["delivered_per_s"]
                else 0.0,
                "p99": g["latency_ms"]["p99"] / b["latency_ms"]["p99"]
                if b["latency_ms"]["p99"]
                else 0.0,
            }
    return out


def targets(size: int, sessions: int, systems: dict) -> list[tuple[str, str, bool]]:
    """The scale issue's targets, judged on delivered msgs/s (what the gateway sustains)."""
    rows = []
    proxy, postfix = systems.get("proxy"), systems.get("postfix")
    for gname, g in systems.items():
        if not gname.startswith("gateway"):
            continue
        rate = g["delivered_per_s"]
        if proxy:
            need = 0.6 * proxy["delivered_per_s"]
            rows.append((gname, f">= 60 % of proxy ({need:,.0f}/s): {rate:,.0f}/s", rate >= need))
        if postfix:
            need = postfix["delivered_per_s"]
            rows.append((gname, f">= Postfix ({need:,.0f}/s): {rate:,.0f}/s", rate >= need))
        if size <= 6 * 1024 and sessions == 20:
            p99 = g["latency_ms"]["p99"]
            rows.append((gname, f"p99 < 50 ms: {p99:.1f} ms", p99 < 50))
    return rows


def print_size(console: Console, size: int, args, systems: dict) -> None:
    n = systems[next(iter(systems))]["messages"] if systems else 0
    table = Table(
        title=f"{n} messages of ~{size / 1024:.0f} KB over {args.sessions} sessions "
        f"({args.threads} conversations), gateway workers: {args.workers or 'default'}"
    )
    columns = ["system", "accepted/s", "p50 ms", "p95 ms", "p99 ms", "delivered/s"]
    columns += ["CPU", "CPU ms/msg", "peak PSS", "failed"]
    for column in columns:
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, row in systems.items():
        lat = row["latency_ms"]
        table.add_row(
            name,
            f"{row['accepted_per_s']:,.1f}",
            f"{lat['p50']:.1f}",
            f"{lat['p95']:.1f}",
            f"{lat['p99']:.1f}",
            f"{row['delivered_per_s']:,.1f}" + ("" if row["delivered_complete"] else " (!)"),
            f"{row['cpu']['server'] * 100:.0f} %",
            f"{row['cpu']['server_ms_per_message']:.1f}",
            mb(row["memory"]["peak_pss_sum"]),
            str(sum(row["failures"].values())),
        )
    for label, r in ratios(systems).items():
        table.add_row(
            label,
            f"{r['accepted']:.2f}",
            "",
            "",
            f"{r['p99']:.1f}x",
            f"{r['delivered']:.2f}",
            "",
            "",
            "",
            "",
            style="bold",
        )
    console.print(table)
    for name, row in systems.items():
        cpu = row["cpu"]
        extra = ""
        if "database_stats" in row:
            extra = f"; database {row['database_stats']}"
        console.print(
            f"  {name}: {row['accepted']}/{row['messages']} accepted, {row['delivered']} "
            f"delivered ({row['dkim_signed']} DKIM-signed), {row['processes']} processes; CPU "
            f"sink {cpu['sink'] * 100:.0f} %, client {cpu['client'] * 100:.0f} %, "
            f"rest of machine {cpu['others'] * 100:.0f} %{extra}"
        )
    for name, text, ok in targets(size, args.sessions, systems):
        mark = "[green]met[/]" if ok else "[red]missed[/]"
        console.print(f"  target {name}: {text} {mark}")


def run_big(bench: Bench, args, console: Console) -> dict:
    """The 25 MB message through the proxy and the gateway (SQLite), peak RSS vs size."""
    out = {}
    data_holder: dict[str, bytes] = {}

    def one(name):
        def run(port, rcpts, pid):
            data = data_holder.setdefault(rcpts[0], big_message(rcpts[0], args.big))
            return measure_big(name, port, rcpts[0], data, bench.sink, pid, args.timeout)

        return run

    if "proxy" in args.baselines:
        console.print("[bold]big message[/]: bare proxy ...")
        out["proxy"] = bench.proxy(one("proxy"))
    for database in args.databases:
        console.print(f"[bold]big message[/]: gateway on {database} ...")
        out[f"gateway-{database}"] = bench.gateway(
            database, one(f"gateway-{database}"), max_size=BIG_LIMIT
        )
    table = Table(title=f"one message of {args.big:g} MB: peak RSS (target: < 4x its size)")
    columns = ("system", "accepted", "s to sink", "idle RSS", "peak RSS", "growth", "peak/size")
    for column in columns:
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, r in out.items():
        table.add_row(
            name,
            "yes" if r["accepted"] else f"no {r['failures']}",
            f"{r['delivery_seconds']:.1f}",
            mb(r["idle_rss"]),
            mb(r["peak_rss"]),
            mb(r["growth"]),
            f"{r['peak_x']:.1f}x (growth {r['growth_x']:.1f}x)",
        )
    console.print(table)
    for name, r in out.items():
        if name.startswith("gateway"):
            ok = r["peak_x"] < 4
            mark = "[green]met[/]" if ok else "[red]missed[/]"
            console.print(f"  target {name}: peak RSS {r['peak_x']:.1f}x the message {mark}")
    return out


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, default=2000, help="messages per system, 5 KB size")
    p.add_argument("--messages-large", type=int, default=500, help="messages for sizes > 20 KB")
    p.add_argument("--sessions", type=int, default=20, help="concurrent SMTP sessions")
    p.add_argument("--sizes", default="5120,102400", help="comma-separated message sizes, bytes")
    p.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    p.add_argument("--baselines", default="proxy,postfix", help="proxy,postfix (or none)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="[relay] workers (default: the number of cores; 0 leaves the key out)",
    )
    p.add_argument("--threads", type=int, default=20, help="conversations the load spreads over")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="extra gateway setting, a TOML value: --set storage.sqlite_synchronous=NORMAL",
    )
    p.add_argument("--warmup", type=int, default=40, help="unmeasured messages first")
    p.add_argument("--timeout", type=float, default=240, help="seconds per phase")
    p.add_argument("--quick", action="store_true", help="a short run: 400 / 100 messages")
    p.add_argument(
        "--big",
        type=float,
        default=25.0,
        metavar="MB",
        help="after the load runs, relay one message of MB megabytes and report peak RSS "
        "(default 25; 0 skips it)",
    )
    p.add_argument("--only-big", action="store_true", help="only the big-message run")
    p.add_argument("--profile", action="store_true", help="py-spy the gateway (speedscope)")
    p.add_argument(
        "--source",
        metavar="DIR",
        help="run the gateway from another checkout (e.g. `git worktree add /tmp/old <commit>`)"
        " with this virtualenv, for before/after figures",
    )
    p.add_argument("--pg-url", default=PG_DEFAULT)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.workers is None:  # the documented setting for a machine: one worker per core
        args.workers = 0 if args.source else (os.cpu_count() or 1)
    if args.quick:
        args.messages, args.messages_large = 400, 100
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.databases = [d for d in args.databases.split(",") if d]
    args.baselines = [b for b in args.baselines.split(",") if b and b != "none"]
    for d in args.databases:
        if d not in ("sqlite", "postgresql"):
            p.error(f"--databases: unknown database {d!r}; use sqlite and/or postgresql")
    for b in args.baselines:
        if b not in ("proxy", "postfix"):
            p.error(f"--baselines: unknown baseline {b!r}; use proxy and/or postfix")
    settings = {}
    for item in args.set:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            p.error(f"--set {item!r}: expected SECTION.KEY=VALUE")
        key, value = item.split("=", 1)
        import tomllib

        try:
            settings[key] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            settings[key] = value
    args.set = settings
    if not GATEWAY.exists():
        p.error(f"{GATEWAY} not found: run `make setup` first")
    return args


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = RESULTS / f"load-{stamp}"
    console = Console() if sys.stdout.isatty() else Console(width=140)
    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/bench_load.py", *sys.argv[1:]]),
        "args": {k: v for k, v in vars(args).items()},
        "machine": machine(),
        "source": source_tree(),
        "load_average_before": os.getloadavg(),
        "sizes": {},
    }
    busy = machine_busy()
    time.sleep(1)
    busy = machine_busy() - busy
    result["machine_busy_before"] = busy
    if busy > 0.2:
        console.print(
            f"[yellow]note: the machine was {busy * 100:.0f} % busy (of one core) before the "
            "run; other processes compete for the 2 cores, absolute figures will be noisier[/]"
        )
    started = time.monotonic()
    bench = Bench(args, console, base)
    try:
        bench.start_sink()
        for size in [] if args.only_big else args.sizes:
            n = args.messages if size <= 20 * 1024 else args.messages_large
            systems: dict = {}

            def run_for(name, size=size, n=n):
                return lambda port, rcpts, pid: measure(
                    name, port, rcpts, size, n, args, bench.sink, pid, bench.rng
                )

            if "proxy" in args.baselines:
                console.print(f"[bold]{size // 1024} KB[/]: bare proxy ...")
                systems["proxy"] = bench.proxy(run_for("proxy"))
            if "postfix" in args.baselines:
                console.print(f"[bold]{size // 1024} KB[/]: Postfix ...")
                try:
                    systems["postfix"] = bench.postfix(run_for("postfix"))
                except PostfixError as exc:
                    console.print(f"[red]Postfix baseline skipped: {exc}[/]")
            for database in args.databases:
                console.print(f"[bold]{size // 1024} KB[/]: gateway on {database} ...")
                name = f"gateway-{database}"
                systems[name] = bench.gateway(database, run_for(name))
            result["sizes"][str(size)] = {
                "systems": systems,
                "ratios": ratios(systems),
                "targets": targets(size, args.sessions, systems),
            }
            print_size(console, size, args, systems)
        if args.big > 0:
            result["big"] = run_big(bench, args, console)
    finally:
        bench.close()
        result["seconds"] = time.monotonic() - started
        result["load_average_after"] = os.getloadavg()
        out = base.with_suffix(".json")
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")
        console.print(
            f"{result['machine']['cpus']} cores, load average before/after "
            f"{result['load_average_before'][0]:.2f}/{result['load_average_after'][0]:.2f}; "
            f"{result['seconds']:.0f} s; results: {out.relative_to(ROOT)}"
        )


if __name__ == "__main__":
    main()
