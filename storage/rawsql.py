"""Driver SQL for the per-message statements: fixed text, the driver's own cursor, tuples.

WHY: on the message path (the RCPT lookup, the policy state, the archive write, the outbox
claim and hand-off) the same dozen statements run for every message, and building each one
as a SQLAlchemy expression, compiling it (even from the cache: the cache key is built from
the expression every time), running it through Session/Connection execution contexts and
wrapping the result in Row objects cost more CPU than the database's own work: about 2.6 ms
per message on SQLite and 4.8 ms on PostgreSQL (bench/bench_dbpath.py). Here the text of
each statement is written once per dialect, run on the DB-API cursor of the connection that
SQLAlchemy checked out (same pool, same transaction, same BEGIN IMMEDIATE on SQLite), with
positional tuples in and tuples out.

What must stay the same as SQLAlchemy's own writes, so that the stored data does not change
(tests/test_rawsql.py compares both paths column by column):
- times: aware UTC datetimes; SQLite stores them as "YYYY-MM-DD HH:MM:SS.ffffff" text (the
  format of SQLAlchemy's SQLite DATETIME, after sqlmodel's UTCDateTime converted to UTC);
  PostgreSQL gets the datetime itself (timestamptz);
- JSON columns: `json.dumps(value)` text (SQLAlchemy's serializer on both dialects; PostgreSQL
  stores `json`, not `jsonb`, so the text is kept as written);
- booleans: 0/1 on SQLite (the driver binds bool as int), bool on PostgreSQL.

Errors: a driver error is raised as SQLAlchemy's exception of the same kind (IntegrityError,
OperationalError, ...) with the driver's error as `.orig`, as SQLAlchemy would raise it, so
callers and storage.failures see what they saw before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError

from storage.db import is_sqlite


def dumps(value: Any) -> str:
    """A JSON column's value as SQLAlchemy writes it."""
    return json.dumps(value)


def loads(value: Any) -> Any:
    """A JSON column as read by the driver (SQLite: text; psycopg: already decoded)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text of an aware datetime (after UTCDateTime: UTC)."""
    if value.utcoffset() is None:  # as sqlmodel's UTCDateTime refuses naive times
        raise ValueError("Datetime values must have timezone information.")
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
    )


def pg_time(value: datetime) -> datetime:
    """What UTCDateTime binds on PostgreSQL: the time in UTC."""
    if value.utcoffset() is None:
        raise ValueError("Datetime values must have timezone information.")
    return value.astimezone(UTC)


def read_time(value: Any) -> datetime | None:
    """A time column as UTCDateTime returns it: aware, in UTC (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Statements:
    """One dialect's statement texts and value converters (built once per dialect name)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"
        self.time = sqlite_time if self.sqlite else pg_time
        self.texts: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        return self.texts[name]

    def add(self, name: str, sqlite: str, postgresql: str | None = None) -> None:
        """Register a statement: written with `?` placeholders; PostgreSQL's text may differ.

        `IN (?*)` takes a list of values as one parameter (`in_list`): SQLite reads it from a
        JSON array (json_each), PostgreSQL as an array (= ANY): one text for any count.
        """
        if self.sqlite:
            text = sqlite.replace(" IN (?*)", " IN (SELECT value FROM json_each(?))")
        else:
            text = (postgresql or sqlite).replace(" IN (?*)", " = ANY(?)").replace("?", "%s")
        self.texts[name] = text

    def in_list(self, values: Any) -> Any:
        """The parameter of an `IN (?*)`."""
        return dumps(list(values)) if self.sqlite else list(values)


_STATEMENTS: dict[str, Statements] = {}
_BUILDERS: list[Any] = []


def register(builder: Any) -> Any:
    """Decorator: `builder(statements)` adds a module's statements to every dialect's set."""
    _BUILDERS.append(builder)
    for statements in _STATEMENTS.values():
        builder(statements)
    return builder


def statements(dialect: Dialect | str) -> Statements:
    """The statements of this dialect (built at first use, then shared)."""
    name = dialect if isinstance(dialect, str) else dialect.name
    found = _STATEMENTS.get(name)
    if found is None:
        found = Statements(name)
        for builder in _BUILDERS:
            builder(found)
        _STATEMENTS[name] = found
    return found


def driver(conn: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy Connection (its transaction, its lock)."""
    return conn.connection.driver_connection


@contextmanager
def translated(dialect: Dialect) -> Iterator[None]:
    """Raise driver errors as SQLAlchemy's exception classes (the driver's error as .orig)."""
    base = dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        raise DBAPIError.instance(None, None, exc, base, dialect=dialect) from exc


@contextmanager
def pipeline(conn: Connection, sql: Statements, off: bool = False) -> Iterator[None]:
    """psycopg's pipeline mode on PostgreSQL (statements sent without waiting for each
    result: a result read, or the end of the block, waits); nothing on SQLite (in process).
    `off`: statements one by one (a big body's COPY cannot run in a pipeline)."""
    if sql.sqlite or off:
        yield
    else:
        with driver(conn).pipeline():
            yield


@contextmanager
def read_cursor(engine: Engine) -> Iterator[tuple[Any, Statements]]:
    """A driver cursor for ONE read statement outside any transaction (storage.db.reading).

    The connection comes from the engine's pool (checked, reset and returned as usual). On
    PostgreSQL it autocommits for the statement: no BEGIN/ROLLBACK round trips around it;
    on SQLite the driver autocommits anyway (no BEGIN is issued, see storage.db._pragmas).
    """
    dialect = engine.dialect
    fairy = engine.raw_connection()
    try:
        raw = fairy.driver_connection
        pg = not is_sqlite(engine)
        with translated(dialect):
            if pg:
                raw.autocommit = True
            try:
                cursor = raw.cursor()
                try:
                    yield cursor, statements(dialect)
                finally:
                    cursor.close()
            finally:
                if pg:
                    raw.autocommit = False
    finally:
        fairy.close()
