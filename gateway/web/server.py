"""Runs the web app with uvicorn inside an already running asyncio loop.

Why embedded: on the embedded default one `gateway serve` process runs SMTP intake, delivery and
the support pages, sharing one database pool and one outbox doorbell (a release wakes the
worker at once). uvicorn's own signal handling is switched off: the gateway owns SIGTERM and
stops the web server itself (first, letting open requests finish for up to 5 s), then SMTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterator

import structlog
import uvicorn

from gateway.services import Services
from gateway.web.app import create_app

log = structlog.get_logger("gateway.web")


class WebListenError(OSError):
    """[web] listen cannot be bound; `listen` says which address."""

    def __init__(self, errno: int | None, strerror: str | None, listen: str) -> None:
        super().__init__(errno, strerror)
        self.listen = listen


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers (the host process owns the signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """The support pages and API on [web] listen, started and stopped by the gateway."""

    def __init__(self, services: Services, *, host: str | None = None, port: int | None = None):
        web = services.settings.web
        self.app = create_app(services)
        settings = services.settings
        config = uvicorn.Config(
            self.app,
            host=host or web.listen_host,
            port=web.listen_port if port is None else port,
            lifespan="off",
            access_log=False,
            log_config=None,
            log_level="warning",
            server_header=False,
            proxy_headers=True,  # X-Forwarded-Proto from a local TLS proxy marks cookies Secure
            forwarded_allow_ips="127.0.0.1,::1",
            ssl_certfile=str(settings.path(web.tls_cert_file)) if web.tls_cert_file else None,
            ssl_keyfile=str(settings.path(web.tls_key_file)) if web.tls_key_file else None,
            timeout_graceful_shutdown=5,
        )
        self.server = _EmbeddedServer(config)
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Bind and serve in a task; returns once listening.

        The socket is bound here, not by uvicorn (which logs and calls sys.exit on a bind
        error): a taken port is a WebListenError naming [web] listen.
        """
        config = self.server.config
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        try:
            sock = socket.create_server((config.host, config.port), family=family)
        except OSError as exc:
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise WebListenError(exc.errno, reason, f"{config.host}:{config.port}") from exc
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]), name="web")
        while not self.server.started:
            if self._task.done():
                self._task.result()  # a startup failure (e.g. the TLS files): surface it
                raise RuntimeError("the web server stopped while starting")
            await asyncio.sleep(0.01)
        log.info("web listening", address=self.url)

    @property
    def address(self) -> tuple[str, int]:
        sock = self.server.servers[0].sockets[0].getsockname()
        return sock[0], sock[1]

    @property
    def url(self) -> str:
        host, port = self.address
        scheme = "https" if self.server.config.ssl_certfile else "http"
        return f"{scheme}://{host}:{port}"

    async def stop(self) -> None:
        """Finish open requests (up to 5 s), close the listener and the read pool."""
        if self._task is not None:
            self.server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.app.state.web.close()
