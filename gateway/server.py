"""Binds the listeners, runs the delivery worker beside them and shuts down gracefully.

No business logic here: `Gateway` wires storage, services, the SMTP edge and the worker
together, so that `gateway serve` and the end-to-end tests start exactly the same thing.
"""

from __future__ import annotations

import asyncio
import signal

import structlog
from aiosmtpd.smtp import SMTP

from gateway import holds
from gateway.config import Settings
from gateway.delivery import DeliveryWorker
from gateway.services import Services
from gateway.smtp import RelayHandler, RelaySMTP
from gateway.transports import MaildirTransport, SmtpTransport, Transport
from storage import migrate
from storage.db import Database, make_engine

log = structlog.get_logger("gateway.server")


def make_transport(settings: Settings) -> Transport:
    """The transport `[delivery] transport` names."""
    if settings.delivery.transport == "smtp":
        return SmtpTransport(settings.delivery.smtp, settings.relay.helo_name)
    return MaildirTransport(settings.path(settings.delivery.maildir.path))


def open_database(settings: Settings) -> Database:
    """The engine for `[storage] url`, migrated first when `auto_migrate` is on."""
    engine = make_engine(
        settings.database_url,
        synchronous=settings.storage.sqlite_synchronous,
        pool_size=settings.storage.pool_size,
    )
    if settings.storage.auto_migrate:
        migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        engine.dispose()
        raise RuntimeError("the database schema is not current; run `gateway db upgrade`")
    return Database(engine)


class Gateway:
    """SMTP intake plus delivery worker in one process, sharing one Services value."""

    def __init__(self, settings: Settings, *, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport
        self.services: Services | None = None
        self.server: asyncio.base_events.Server | None = None
        self._stop = asyncio.Event()
        self._worker_task: asyncio.Task | None = None
        self._holds_task: asyncio.Task | None = None

    async def start(self, *, host: str | None = None, port: int | None = None) -> None:
        """Open storage, bind SMTP (port 0 picks a free port) and start the worker."""
        db = await asyncio.to_thread(open_database, self.settings)
        self.services = Services.build(self.settings, db)
        self.services.outbox_wakeup.set()  # deliver whatever a previous run left due
        relay = self.settings.relay
        handler = RelayHandler(self.services)
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: self._protocol(handler),
            host or relay.listen_host,
            relay.listen_port if port is None else port,
        )
        transport = self.transport or make_transport(self.settings)
        worker = DeliveryWorker(self.services, transport)
        self._worker_task = asyncio.create_task(worker.run(self._stop), name="delivery")
        self._holds_task = asyncio.create_task(
            holds.expiry_loop(self.services, self._stop), name="hold-expiry"
        )
        log.info("listening", address=self.address, transport=self.settings.delivery.transport)

    def _protocol(self, handler: RelayHandler) -> SMTP:
        """One aiosmtpd protocol per connection, with every limit set from config."""
        relay = self.settings.relay
        return RelaySMTP(
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
        )

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) actually bound."""
        assert self.server is not None
        sock = self.server.sockets[0].getsockname()
        return sock[0], sock[1]

    async def stop(self) -> None:
        """Stop accepting, let the worker finish its round, close storage."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        self._stop.set()
        if self._worker_task is not None:
            await self._worker_task
        if self._holds_task is not None:
            await self._holds_task
        if self.transport is not None:
            await self.transport.close()
        if self.services is not None:
            await asyncio.to_thread(self.services.db.close)
        log.info("stopped")


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
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
    await done.wait()
    log.info("shutting down")
    await gateway.stop()
