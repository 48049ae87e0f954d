"""`[relay] workers = N`: N whole gateway processes sharing one SMTP port, under one supervisor.

Why processes: the pipeline (parse, scan, rewrite, footer, DKIM) is Python and holds the GIL,
so one gateway process uses one core however many threads it has. N processes, each a complete
`Gateway` (intake + delivery worker) on the same database, use N cores without any new
coordination: a 250 still follows its own commit, and delivery jobs are leased per process
(storage.outbox), exactly as with several instances on several machines.

How: the supervisor (this module, in the `gateway serve` process) migrates the database once,
reserves the port with a bound but not listening SO_REUSEPORT socket (so `listen = ":0"` gets
one port for everybody), and spawns the workers. Each worker listens on that port with
SO_REUSEPORT, and the kernel spreads new connections over them. The supervisor restarts a
worker that dies (a bounded number of times), and on SIGTERM/SIGINT passes SIGTERM on and waits
for every worker's graceful stop. Workers get SIGKILL when the supervisor dies
(PR_SET_PDEATHSIG), so `kill -9` of `gateway serve` stops everything, as it does with one
process, and nothing keeps serving unsupervised.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import io
import multiprocessing as mp
import os
import queue as queue_module
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass

import structlog

from gateway.config import Settings
from gateway.metrics import MULTIPROC_ENV

log = structlog.get_logger("gateway.workers")

START_TIMEOUT = 60.0  # seconds for a worker to open storage and listen
STOP_TIMEOUT = 60.0  # seconds for a worker's graceful stop before SIGKILL
MAX_RESTARTS = 5  # worker deaths tolerated per RESTART_WINDOW before the supervisor gives up
RESTART_WINDOW = 60.0
_PR_SET_PDEATHSIG = 1


class WorkerStartError(RuntimeError):
    """A worker could not start; the message is the worker's own error."""


def reserve_port(host: str, port: int) -> socket.socket:
    """A bound, not listening SO_REUSEPORT socket: fixes the port (also for port 0)."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _die_with_parent(parent: int) -> None:
    """Ask Linux for SIGKILL when the supervisor dies; exit if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def worker_main(settings: Settings, host: str, port: int, index: int, parent: int, events) -> None:
    """Entry point of one worker process (spawned)."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which stops us
    sys.stderr = _whole_line_stderr()
    from gateway import logs

    logs.configure(settings.logging.level, settings.logging.format)
    structlog.contextvars.bind_contextvars(worker=index)
    try:
        asyncio.run(_worker(settings, host, port, index, events))
    except Exception as exc:  # reported to the supervisor, which names it
        events.put(("failed", index, f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None


def _whole_line_stderr() -> io.TextIOWrapper:
    """stderr that hands each log line to the kernel in one write().

    The workers share the supervisor's stderr. print() writes a line and its newline
    separately, so two processes' JSON lines could be glued together; with a line-buffered
    wrapper over a large buffer, every line (up to 1 MB) is one write and stays whole.
    """
    raw = io.FileIO(sys.stderr.fileno(), "w", closefd=False)
    return io.TextIOWrapper(
        io.BufferedWriter(raw, buffer_size=1 << 20),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


async def _worker(settings: Settings, host: str, port: int, index: int, events) -> None:
    from gateway.server import Gateway

    gateway = Gateway(settings)
    await gateway.start(host=host, port=port, reuse_port=True, http=index == 0)
    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    events.put(("ready", index, os.getpid()))
    await done.wait()
    log.info("worker stopping")
    await gateway.stop()


@dataclass
class _Slot:
    index: int
    process: mp.Process | None = None


class Supervisor:
    """Starts, watches, restarts and stops the worker processes."""

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        self.settings = settings
        self.host, self.port = host, port
        self.ctx = mp.get_context("spawn")  # no fork of a process that already has a loop
        self.events = self.ctx.Queue()
        self.slots = [_Slot(i) for i in range(settings.relay.workers)]
        self.deaths: list[float] = []
        self.stopping = False
        self.metrics_dir: str | None = None

    def _share_metrics(self) -> None:
        """Give the workers one fresh multiprocess folder, so worker 0's /metrics counts all.

        Spawned workers inherit the environment and import prometheus_client after it is set,
        so their counters and histograms live in files there (gateway.metrics.exposition sums
        them). A folder the operator set already is used as is (they must empty it per start).
        """
        if os.environ.get(MULTIPROC_ENV):
            return
        self.metrics_dir = tempfile.mkdtemp(prefix="gateway-metrics-")
        os.environ[MULTIPROC_ENV] = self.metrics_dir

    def _unshare_metrics(self) -> None:
        if self.metrics_dir is not None:
            os.environ.pop(MULTIPROC_ENV, None)
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
            self.metrics_dir = None

    def _spawn(self, slot: _Slot) -> None:
        # Called on the supervisor's main thread: PR_SET_PDEATHSIG follows the spawning thread.
        slot.process = self.ctx.Process(
            target=worker_main,
            args=(self.settings, self.host, self.port, slot.index, os.getpid(), self.events),
            name=f"gateway-worker-{slot.index}",
            daemon=False,
        )
        slot.process.start()

    async def _wait_ready(self, indexes: set[int]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = set(indexes)
        while waiting:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerStartError(f"worker(s) {sorted(waiting)} did not start in time")
            try:
                kind, index, detail = await asyncio.to_thread(
                    self.events.get, True, min(remaining, 0.5)
                )
            except queue_module.Empty:
                for i in list(waiting):
                    proc = self.slots[i].process
                    if proc is not None and proc.exitcode is not None:
                        raise WorkerStartError(
                            f"worker {i} exited with code {proc.exitcode} while starting"
                        ) from None
                continue
            if kind == "failed":
                raise WorkerStartError(detail)
            waiting.discard(index)
            log.info("worker ready", worker=index, pid=detail)

    async def start(self) -> None:
        self._share_metrics()
        for slot in self.slots:
            self._spawn(slot)
        try:
            await self._wait_ready({slot.index for slot in self.slots})
        except BaseException:
            await self.stop()
            raise

    async def watch(self, done: asyncio.Event) -> None:
        """Until `done`: restart workers that die; give up after too many deaths in a row."""
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=0.5)
            if done.is_set():
                return
            for slot in self.slots:
                proc = slot.process
                if proc is None or proc.exitcode is None:
                    continue
                now = time.monotonic()
                self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
                log.error("worker died; restarting", worker=slot.index, exitcode=proc.exitcode)
                if len(self.deaths) > MAX_RESTARTS:
                    raise WorkerStartError(
                        f"{len(self.deaths)} worker deaths within {RESTART_WINDOW:.0f}s; "
                        "see the log above for their errors"
                    )
                self._spawn(slot)
                await self._wait_ready({slot.index})

    async def stop(self) -> None:
        """SIGTERM to every worker, wait for their graceful stop, SIGKILL what is left."""
        self.stopping = True
        for slot in self.slots:
            if slot.process is not None and slot.process.exitcode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(slot.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for slot in self.slots:
            if slot.process is None:
                continue
            await asyncio.to_thread(slot.process.join, max(0.1, deadline - time.monotonic()))
            if slot.process.exitcode is None:
                log.error("worker did not stop in time; killing it", worker=slot.index)
                slot.process.kill()
                await asyncio.to_thread(slot.process.join, 5)
        self._unshare_metrics()

    @property
    def pids(self) -> list[int]:
        return [s.process.pid for s in self.slots if s.process is not None]


def prepare(settings: Settings) -> None:
    """Once, before any worker: migrate (or check) the schema and load the DKIM key.

    Done here so that N workers never race to migrate, and a bad key is reported once, by the
    command, with the fix (SigningKeyError), instead of by N dying workers.
    """
    from gateway.database import open_database
    from gateway.signing import DkimSigner

    open_database(settings).close()
    if settings.dkim.enabled:
        DkimSigner.load(
            domain=settings.relay.domain,
            selector=settings.dkim.selector,
            private_key_file=settings.path(settings.dkim.private_key_file),
            algorithm=settings.dkim.algorithm,
        )


def without_migration(settings: Settings) -> Settings:
    """The workers' settings: the supervisor already migrated, they only check."""
    storage = settings.storage.model_copy(update={"auto_migrate": False})
    return settings.model_copy(update={"storage": storage})


async def serve_workers(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """`gateway serve` with [relay] workers > 1: run the workers until SIGTERM or SIGINT."""
    await asyncio.to_thread(prepare, settings)
    relay = settings.relay
    reserved = reserve_port(relay.listen_host, relay.listen_port)
    port = reserved.getsockname()[1]
    supervisor = Supervisor(without_migration(settings), relay.listen_host, port)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    try:
        await supervisor.start()
    except WorkerStartError as exc:
        reserved.close()
        print(f"gateway serve: a worker could not start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    try:
        if ready is not None:
            ready.set()
        print(
            f"relay gateway: SMTP on {relay.listen_host}:{port}, relay domain {relay.domain}, "
            f"{relay.workers} workers",
            flush=True,
        )
        await supervisor.watch(done)
        log.info("shutting down workers")
    finally:
        await supervisor.stop()
        reserved.close()
        log.info("stopped")
