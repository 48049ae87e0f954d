"""Opening the configured database, apart from gateway.server.

Why a module of its own: with `[relay] workers` the supervisor opens (and migrates) the database
once before it starts the workers (gateway.workers.prepare). Importing gateway.server for that
loaded the whole pipeline, the scanner and the delivery worker into a process that never
handles a message (about 30 MB). `gateway.server.open_database` is this function.
"""

from __future__ import annotations

from gateway.config import Settings
from storage import migrate
from storage.db import Database, make_engine


def open_database(settings: Settings) -> Database:
    """The engine for `[storage] url`, migrated first when `auto_migrate` is on."""
    engine = make_engine(
        settings.database_url,
        synchronous=settings.storage.sqlite_synchronous,
        pool_size=settings.storage.pool_size,
        lock_timeout=settings.storage.lock_timeout,
    )
    if settings.storage.auto_migrate:
        if not migrate.is_current(engine):  # Alembic itself only when there is work for it
            migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        engine.dispose()
        raise RuntimeError("the database schema is not current; run `gateway db upgrade`")
    return Database(engine)
