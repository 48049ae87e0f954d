"""/metrics, /healthz and /readyz: a self-contained FastAPI router and the server that runs it.

Why a router of its own: the same three endpoints can be served by the gateway's small ops
listener (`[ops] listen`, here) or mounted into any other FastAPI app (the support pages) with
`app.include_router(ops_router(probe))`; they need nothing but a `Probe`.
Why uvicorn inside the gateway's event loop (not a thread or another process): the probes ask
the very objects that serve SMTP (the listening socket, the database pool), so the answers are
about this process and not about a neighbour; scraping costs one small coroutine.

  /healthz  200 while the process runs its event loop (liveness: restart it if this fails)
  /readyz   200 when the database answers and SMTP is listening, else 503 naming what is not
            (readiness: send it no mail while this fails, e.g. during shutdown)
  /metrics  Prometheus text format; the outbox gauges are read from the database first
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass

import structlog
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from gateway import metrics
from storage import outbox
from storage.db import Database
from storage.models import utcnow

log = structlog.get_logger("gateway.ops")

PROBE_TIMEOUT = 2.0  # seconds; a database slower than this is not ready


@dataclass
class Probe:
    """What the endpoints ask: the database, and whether SMTP is accepting connections."""

    db: Database
    smtp_listening: Callable[[], bool]

    async def database_ok(self) -> bool:
        """SELECT 1 through the same pool the gateway uses, bounded in time."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self.db.run(_select_one, self.db)
        except Exception:  # any failure means "not ready", never a 500
            return False
        return True

    async def refresh_queue_metrics(self) -> None:
        """Read the shared outbox into the gauges (skipped quietly if the database is away)."""
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                stats = await self.db.run(outbox.queue_stats, self.db.engine)
        except Exception:
            log.warning("outbox metrics unavailable: database did not answer")
            return
        metrics.refresh_queue(stats, utcnow())


def _select_one(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def ops_router(probe: Probe) -> APIRouter:
    """The three endpoints, ready to include in any FastAPI app."""
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {
            "database": await probe.database_ok(),
            "smtp": probe.smtp_listening(),
        }
        ready = all(checks.values())
        body = {"status": "ready" if ready else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def prometheus_metrics() -> Response:
        await probe.refresh_queue_metrics()
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: SIGTERM belongs to the gateway's shutdown."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class OpsServer:
    """The ops router on its own listener, in the running event loop."""

    def __init__(self, probe: Probe, host: str, port: int) -> None:
        self.probe = probe
        self.host = host
        self.port = port
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task | None = None
        self._socket: socket.socket | None = None

    async def start(self) -> None:
        """Bind first (so a busy port fails the start, not a background task), then serve."""
        app = FastAPI(title="relay gateway ops", docs_url=None, redoc_url=None, openapi_url=None)
        app.include_router(ops_router(self.probe))
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            # filename names the setting, so `gateway serve` reports the right address
            raise OSError(
                exc.errno, exc.strerror, f"{self.host}:{self.port} ([ops] listen)"
            ) from None
        sock.listen(64)
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="ops-http")
        async with asyncio.timeout(10):
            while not (self._server.started or self._task.done()):  # noqa: ASYNC110 (a plain flag)
                await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()  # raises whatever stopped it
        log.info("ops listening", address=f"{self.host}:{self.port}")

    async def stop(self) -> None:
        """Finish open requests (bounded by uvicorn's graceful timeout) and close."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await self._task
        if self._socket is not None:
            self._socket.close()
