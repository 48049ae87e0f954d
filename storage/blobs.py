"""Big sealed bodies written into SQLite with incremental blob I/O instead of a parameter.

Why: a 25 MB blob bound as a statement parameter is copied by the driver (sqlite3 binds with
SQLITE_TRANSIENT) and again into the record SQLite builds, and the prepared statement keeps its
copy in the statement cache until the statement is used again. Reserving the space with
zeroblob() and writing the ciphertext through `Connection.blobopen` window by window makes
none of those copies, and the sealing itself (storage.chunks.seal_to) makes none either. Same
bytes on disk, same transaction (so the invariants of storage.archive are untouched).
PostgreSQL keeps the parameter path.
"""

from __future__ import annotations

from psycopg import sql
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from storage import bodies
from storage.chunks import Chunks, size_of

STREAM_BYTES = 1024 * 1024  # bodies from this size on are written into their blob


def big(plaintext: bytes | Chunks) -> bool:
    """Is this body big enough to be written through blob I/O (on SQLite)?"""
    return size_of(plaintext) >= STREAM_BYTES


def write_sealed_raw(
    driver,
    table: str,
    column: str,
    row_id: int,
    key: bytes,
    plaintext: bytes | Chunks,
    thread_id: str,
) -> None:
    """Seal `plaintext` into table.column of row `row_id` (inserted with a placeholder), on
    the SQLite driver connection (storage.archive.write_message)."""
    driver.execute(_RESERVE[table, column], (bodies.sealed_size(plaintext), row_id))
    with driver.blobopen(table, column, row_id) as blob:
        bodies.seal_to(key, plaintext, thread_id, blob.write)


_RESERVE = {
    ("message", "raw"): "UPDATE message SET raw = zeroblob(?) WHERE id = ?",
    ("delivery", "outgoing"): "UPDATE delivery SET outgoing = zeroblob(?) WHERE id = ?",
}


def open_deferred(
    session: Session | Connection,
    table: Table,
    column: str,
    row_id: int,
    state: str,
    key: bytes | None,
    thread_id: str,
) -> bytes | bytearray:
    """The plaintext of a body column that was not loaded with its row (outbox.claim_due).

    Read window by window (SQLite: blob I/O; PostgreSQL: `substring()` of the column, in
    binary format, as the default text format sends bytea as hex at twice the size) and
    decrypted into one buffer, so the sealed bytes are never in memory whole.
    Anything but a sealed body with its key goes the ordinary way (storage.bodies.readable).
    """
    connection = session if isinstance(session, Connection) else session.connection()
    driver = connection.connection.driver_connection
    dialect = connection.dialect.name
    if state == bodies.SEALED and key and dialect == "sqlite":
        with driver.blobopen(table.name, column, row_id, readonly=True) as blob:
            return bodies.unseal_from(key, blob, len(blob), thread_id)
    if state == bodies.SEALED and key and dialect == "postgresql":
        with driver.cursor(binary=True) as cursor:
            source = _PgWindows(cursor, table.name, column, row_id)
            return bodies.unseal_from(key, source, source.size, thread_id)
    if dialect == "postgresql":
        with driver.cursor(binary=True) as cursor:
            query = sql.SQL("SELECT {} FROM {} WHERE id = %s").format(
                sql.Identifier(column), sql.Identifier(table.name)
            )
            cursor.execute(query, (row_id,))
            data = cursor.fetchone()[0]
    else:
        data = connection.execute(select(table.c[column]).where(table.c.id == row_id)).scalar_one()
    return bodies.readable(state, data, key, thread_id)


class _PgWindows:
    """A read/seek view of one bytea value, fetched a window at a time with substring()."""

    def __init__(self, cursor, table: str, column: str, row_id: int) -> None:
        self.cursor, self.row_id, self.position = cursor, row_id, 0
        name, column_id = sql.Identifier(table), sql.Identifier(column)
        self.window = sql.SQL("SELECT substring({} FROM %s FOR %s) FROM {} WHERE id = %s").format(
            column_id, name
        )
        cursor.execute(
            sql.SQL("SELECT octet_length({}) FROM {} WHERE id = %s").format(column_id, name),
            (row_id,),
        )
        self.size = cursor.fetchone()[0] or 0

    def seek(self, position: int) -> None:
        self.position = position

    def read(self, count: int) -> bytes:
        self.cursor.execute(self.window, (self.position + 1, count, self.row_id))
        data = self.cursor.fetchone()[0] or b""
        self.position += len(data)
        return bytes(data)
