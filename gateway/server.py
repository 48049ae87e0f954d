"""Binds the listeners, runs the delivery worker beside them and shuts down gracefully.

No business logic here: `Gateway` wires storage, services, the SMTP edge and the worker
together, so that `gateway serve` and the end-to-end tests start exactly the same thing.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
from typing import TYPE_CHECKING

import structlog
from aiosmtpd.smtp import SMTP

from gateway import holds, intake_tls, memory
from gateway import logs as _logs  # noqa: F401 (safe structlog defaults, see gateway.logs)
from gateway.auth.resolver import Resolver
from gateway.config import Settings
from gateway.database import open_database
from gateway.delivery import DeliveryWorker
from gateway.drain import Sessions
from gateway.services import Services
from gateway.smtp import RelayHandler, RelaySMTP
from gateway.transports import MaildirTransport, SmtpTransport, Transport

if TYPE_CHECKING:
    from gateway.ops_http import OpsServer

log = structlog.get_logger("gateway.server")


def make_transport(settings: Settings) -> Transport:
    """The transport `[delivery] transport` names."""
    if settings.delivery.transport == "smtp":
        smtp = settings.delivery.smtp
        ca_file = settings.path(smtp.tls_ca_file) if smtp.tls_ca_file else None
        return SmtpTransport(
            smtp, settings.relay.helo_name, ca_file, max_idle=settings.delivery.concurrency
        )
    return MaildirTransport(settings.path(settings.delivery.maildir.path))


class Gateway:
    """SMTP intake plus delivery worker in one process, sharing one Services value."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: Transport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.resolver = resolver  # DNS for sender authentication (tests inject a zone)
        self.tls_context: ssl.SSLContext | None = None
        self.services: Services | None = None
        self.server: asyncio.base_events.Server | None = None
        self._stop = asyncio.Event()
        self._worker_task: asyncio.Task | None = None
        self.web = None  # the support pages and API ([web] enabled)
        self.sessions = Sessions()
        self.ops: OpsServer | None = None
        self._holds_task: asyncio.Task | None = None

    async def start(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        reuse_port: bool = False,
        http: bool = True,
    ) -> None:
        """Open storage, bind SMTP (port 0 picks a free port) and start the worker.

        `reuse_port` (SO_REUSEPORT) lets several worker processes listen on one port
        (gateway.workers). `http` False leaves the web UI to another process (with several
        workers, only the first serves it: an HTTP port cannot be shared like the SMTP one).
        """
        self.tls_context = intake_tls.server_context(self.settings)  # before any side effect
        memory.return_big_blocks_to_os()  # big messages' buffers (gateway/memory.py)
        db = await asyncio.to_thread(open_database, self.settings)
        self.services = Services.build(self.settings, db, resolver=self.resolver)
        self.services.outbox_wakeup.set()  # deliver whatever a previous run left due
        # first, so a taken ops port stops the start before SMTP accepts anything
        if http and self.settings.ops.address is not None:
            # imported here: FastAPI and uvicorn (about 8 MB) only where `[ops] listen` is set
            from gateway.ops_http import OpsServer, Probe

            probe = Probe(
                self.services.db, lambda: self.server is not None and self.server.is_serving()
            )
            self.ops = OpsServer(probe, *self.settings.ops.address)
            await self.ops.start()
        relay = self.settings.relay
        handler = RelayHandler(self.services)
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: self._protocol(handler),
            host or relay.listen_host,
            relay.listen_port if port is None else port,
            reuse_port=reuse_port or None,
        )
        transport = self.transport or make_transport(self.settings)
        worker = DeliveryWorker(self.services, transport)
        self._worker_task = asyncio.create_task(worker.run(self._stop), name="delivery")
        self._holds_task = asyncio.create_task(
            holds.expiry_loop(self.services, self._stop), name="hold-expiry"
        )
        log.info("listening", address=self.address, transport=self.settings.delivery.transport)
        if http and self.settings.web.enabled:
            from gateway.web.server import WebServer

            self.web = WebServer(self.services)
            await self.web.start()

    def _protocol(self, handler: RelayHandler) -> SMTP:
        """One aiosmtpd protocol per connection, with every limit set from config."""
        relay = self.settings.relay
        protocol = RelaySMTP(
            handler,
            limit=relay.max_message_size,
            hostname=relay.helo_name,
            ident="relay-gateway",
            enable_SMTPUTF8=True,
            decode_data=False,
            timeout=relay.idle_timeout,
            # Per connection, never reset: a limit would cut off MTAs that reuse connections
            # (Postfix's connection cache). Recipients per message are limited in handle_RCPT.
            command_call_limit=None,
            tls_context=self.tls_context,
            require_starttls=relay.require_tls,
        )
        return self.sessions.track(protocol)

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) actually bound."""
        assert self.server is not None
        sock = self.server.sockets[0].getsockname()
        return sock[0], sock[1]

    async def stop(self) -> None:
        """Stop accepting, let SMTP transactions in flight finish (bounded by
        `[ops] shutdown_grace`), let the worker finish its current attempts, close storage."""
        if self.web is not None:
            await self.web.stop()
        if self.server is not None:
            self.server.close()
            finished, cut = await self.sessions.drain(self.settings.ops.shutdown_grace)
            if finished or cut:
                log.info("smtp sessions drained", finished=finished, cut_off=cut)
            await self.server.wait_closed()
        self._stop.set()
        if self._worker_task is not None:
            await self._worker_task
        if self.ops is not None:
            await self.ops.stop()
        if self._holds_task is not None:
            await self._holds_task
        if self.transport is not None:
            await self.transport.close()
        if self.services is not None:
            await asyncio.to_thread(self.services.db.close)
        log.info("stopped")


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully.

    With `[relay] workers` > 1 this process becomes the supervisor of that many gateway
    processes (gateway.workers); with 1 it is the gateway itself.
    """
    if settings.relay.workers > 1:
        from gateway.workers import serve_workers

        await serve_workers(settings, ready=ready)
        return
    gateway = Gateway(settings)
    await gateway.start()
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    if ready is not None:
        ready.set()
    host, port = gateway.address
    print(f"relay gateway: SMTP on {host}:{port}, relay domain {settings.relay.domain}", flush=True)
    if gateway.web is not None:
        print(f"relay gateway: support pages and API on {gateway.web.url}", flush=True)
    await done.wait()
    log.info("shutting down")
    await gateway.stop()
