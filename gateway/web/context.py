"""What every web route needs: settings, services, a read pool, users, templates, the limiter.

Why a separate read path: on SQLite the gateway's engine opens every transaction with BEGIN
IMMEDIATE (one writer, no lock upgrades), and its single database thread is the SMTP intake's
writer. Searches and page views only read, so they run on a small pool of their own with a
plain (deferred) SQLite engine: WAL lets them read while the intake writes, and a slow search
never delays a 250. Writes (sessions, audit events, releases) still go through the writer.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from fastapi.templating import Jinja2Templates
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from gateway.config import PROJECT_ROOT, WebUser
from gateway.services import Services
from gateway.web.security import LoginLimiter, users_by_name

P = ParamSpec("P")
T = TypeVar("T")

TEMPLATES = PROJECT_ROOT / "templates" / "support"


def read_engine(engine: Engine) -> Engine:
    """An engine for readers: the same one on PostgreSQL, a deferred-BEGIN one on SQLite."""
    if engine.dialect.name != "sqlite":
        return engine
    reader = create_engine(
        engine.url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=4
    )

    @event.listens_for(reader, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    return reader


@dataclass
class WebContext:
    """Built once per app; routes reach it as `request.app.state.web`."""

    services: Services
    templates: Jinja2Templates
    reader: Engine
    users: dict[str, WebUser]
    limiter: LoginLimiter
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="web-read")
    )

    @classmethod
    def build(cls, services: Services, templates_dir: Path = TEMPLATES) -> WebContext:
        web = services.settings.web
        templates = Jinja2Templates(directory=str(templates_dir))
        templates.env.globals["platform"] = services.settings.platform.name
        return cls(
            services=services,
            templates=templates,
            reader=read_engine(services.db.engine),
            users=users_by_name(web),
            limiter=LoginLimiter(web.login_attempts, web.login_window),
        )

    @property
    def settings(self):
        return self.services.settings

    @property
    def writer(self) -> Engine:
        return self.services.db.engine

    async def read(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous read in the read pool."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._pool, call)

    async def write(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous write on the gateway's database thread(s)."""
        return await self.services.db.run(fn, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self.reader is not self.services.db.engine:
            self.reader.dispose()
