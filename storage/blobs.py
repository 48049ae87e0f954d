"""Big sealed bodies written into SQLite with incremental blob I/O instead of a parameter.

Why: a 25 MB blob bound as a statement parameter is copied by the driver (sqlite3 binds with
SQLITE_TRANSIENT) and again into the record SQLite builds, and the prepared statement keeps its
copy in the statement cache until the statement is used again. Reserving the space with
zeroblob() and writing the ciphertext through `Connection.blobopen` window by window makes
none of those copies, and the sealing itself (storage.chunks.seal_to) makes none either. Same
bytes on disk, same transaction (so the invariants of storage.archive are untouched).

PostgreSQL has no incremental write into a bytea, and a bound parameter means the sealed copy
in one buffer plus libpq's copy of it in its output buffer (two full-size copies in this
process). Big bodies go through COPY instead: the sealed windows stream into a one-row
temporary table (`COPY ... FROM STDIN (FORMAT BINARY)`, each window sent as it is sealed),
and one UPDATE moves the value into the row on the server. Same bytes stored, same
transaction; the server holds the value, this process only a window.
"""

from __future__ import annotations

import struct

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from storage import bodies
from storage.chunks import Chunks, size_of

STREAM_BYTES = 1024 * 1024  # bodies from this size on are written into their blob

# PostgreSQL's binary COPY format: signature, flags, header extension length; then per row the
# field count and each field's length before its bytes; -1 as the field count ends the data.
_PG_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_PG_COPY_TRAILER = struct.pack("!h", -1)
_PG_UPLOAD = "gateway_body_upload"  # a temporary table, one per connection and transaction


def big(plaintext: bytes | Chunks) -> bool:
    """Is this body big enough to be written in windows (SQLite blob I/O, PostgreSQL COPY)?"""
    return size_of(plaintext) >= STREAM_BYTES


def write_sealed_raw(
    driver,
    table: str,
    column: str,
    row_id: int,
    key: bytes,
    plaintext: bytes | Chunks,
    thread_id: str,
    *,
    sqlite: bool = True,
) -> None:
    """Seal `plaintext` into table.column of row `row_id` (inserted with a placeholder), on
    the driver connection (storage.archive.write_message); PostgreSQL through COPY."""
    if not sqlite:
        _pg_write_sealed(driver, table, column, row_id, key, plaintext, thread_id)
        return
    driver.execute(_RESERVE[table, column], (bodies.sealed_size(plaintext), row_id))
    with driver.blobopen(table, column, row_id) as blob:
        bodies.seal_to(key, plaintext, thread_id, blob.write)


_RESERVE = {
    ("message", "raw"): "UPDATE message SET raw = zeroblob(?) WHERE id = ?",
    ("delivery", "outgoing"): "UPDATE delivery SET outgoing = zeroblob(?) WHERE id = ?",
}


def _pg_write_sealed(
    driver, table: str, column: str, row_id: int, key: bytes, plaintext, thread_id: str
) -> None:
    """write_sealed_raw on PostgreSQL: COPY the sealed windows into a temporary row, then UPDATE.

    The temporary table lives until the transaction ends (ON COMMIT DROP; a rollback undoes its
    creation too); a second big body in the same transaction reuses it after the DELETE.
    COPY cannot run in psycopg's pipeline mode: storage.archive leaves the pipeline off for a
    message with a big body (rawsql.pipeline's `off`).
    """
    from psycopg import sql  # here: SQLite-only processes never load psycopg

    upload = sql.Identifier(_PG_UPLOAD)
    with driver.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE TEMPORARY TABLE IF NOT EXISTS {} (data bytea) ON COMMIT DROP").format(
                upload
            )
        )
        copy_in = sql.SQL("COPY {} (data) FROM STDIN (FORMAT BINARY)").format(upload)
        with cursor.copy(copy_in) as copy:
            copy.write(_PG_COPY_HEADER + struct.pack("!hi", 1, bodies.sealed_size(plaintext)))
            bodies.seal_to(key, plaintext, thread_id, copy.write)
            copy.write(_PG_COPY_TRAILER)
        cursor.execute(
            sql.SQL("UPDATE {} SET {} = (SELECT data FROM {}) WHERE id = %s").format(
                sql.Identifier(table), sql.Identifier(column), upload
            ),
            (row_id,),
        )
        if cursor.rowcount != 1:
            raise RuntimeError(f"{table} row {row_id} not found for its body")
        cursor.execute(sql.SQL("DELETE FROM {}").format(upload))


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
        from psycopg import sql

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
        from psycopg import sql  # here: SQLite-only processes never load psycopg

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
