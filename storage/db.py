"""Engines, SQLite pragmas and the bridge that keeps database work off the event loop.

Why a bridge: SQLModel's sessions are synchronous. Running one inside an aiosmtpd hook would
stall every SMTP session (SimpleLogin's mistake), so storage functions stay plain synchronous
code and the gateway calls them through `Database.run`, which uses a small thread pool: one
thread for SQLite (a single writer, no lock contention), several for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

P = ParamSpec("P")
T = TypeVar("T")


def make_engine(
    url: str, *, synchronous: str = "FULL", pool_size: int = 5, lock_timeout: float = 30.0
) -> Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys) or PostgreSQL (psycopg).

    `lock_timeout` bounds how long a statement waits for a lock another process holds (SQLite's
    busy timeout, PostgreSQL's lock_timeout); past it the SMTP client gets a 451 and retries.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, synchronous, lock_timeout)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        dbapi_conn.commit()

    return engine


def _sqlite_engine(url: str, synchronous: str, lock_timeout: float = 30.0) -> Engine:
    """SQLite with WAL so readers never block the writer; FULL sync so a 250 survives power loss."""
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": lock_timeout})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below decide transactions, not the driver (pysqlite quirk).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        if conn.get_execution_options().get(NO_TRANSACTION):  # storage.db.reading
            return
        # Take the write lock at BEGIN: no deadlock-prone read-then-upgrade between processes.
        begin_immediate(conn.connection.driver_connection, lock_timeout)

    return engine


def begin_immediate(raw: sqlite3.Connection, timeout: float = 30.0) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in short sleeps (at most 2 ms).

    Why not SQLite's own busy handler: it sleeps 1, 2, 5, 10, 15, 20, 25 ... 100 ms between
    tries, while the lock is held for 1-3 ms at a time. With several gateway processes on one
    file ([relay] workers) a waiting writer overslept by tens of milliseconds again and again,
    which showed as idle CPU and second-long p99 latencies in the load benchmark.
    """
    raw.execute("PRAGMA busy_timeout=0")
    try:
        delay, deadline = 0.0002, time.monotonic() + timeout
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.002)
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")


NO_TRANSACTION = "gateway_no_transaction"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for ONE read statement, outside any transaction.

    WHY: the hot-path lookups (the RCPT directory lookup, the policy state) are one SELECT
    each, and a single statement reads one consistent snapshot on its own. A transaction around
    it cost two more round trips on PostgreSQL (BEGIN, ROLLBACK) and, on SQLite, `BEGIN
    IMMEDIATE`: the write lock, taken for a read. Never use it for several statements that must
    agree with each other, nor for writes.
    """
    with engine.connect() as conn:
        if is_sqlite(engine):  # the driver autocommits when no BEGIN was issued (see _pragmas)
            yield conn.execution_options(**{NO_TRANSACTION: True})
        else:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")


def is_sqlite(engine: Engine) -> bool:
    """SQLite lacks FOR UPDATE SKIP LOCKED; callers choose their claim strategy by this."""
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error, always close."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class Database:
    """The engine plus the thread pool that runs storage functions for async callers."""

    def __init__(self, engine: Engine, *, threads: int | None = None) -> None:
        self.engine = engine
        workers = threads or (1 if is_sqlite(engine) else 4)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous storage function in the pool, keeping the log context."""
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        call = functools.partial(ctx.run, fn, *args, **kwargs)
        return await loop.run_in_executor(self._pool, call)

    def close(self) -> None:
        """Stop the pool (waiting for running work) and close pooled connections."""
        self._pool.shutdown(wait=True)
        self.engine.dispose()
