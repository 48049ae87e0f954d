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

from sqlalchemy import Table, update
from sqlmodel import Session, func

from storage import bodies
from storage.chunks import Chunks, size_of

STREAM_BYTES = 1024 * 1024  # bodies from this size on are written into their blob


def streams(session: Session, plaintext: bytes | Chunks) -> bool:
    """Should this body be written through blob I/O (SQLite, and big enough)?"""
    return session.get_bind().dialect.name == "sqlite" and size_of(plaintext) >= STREAM_BYTES


def write_sealed(
    session: Session,
    table: Table,
    column: str,
    row_id: int,
    key: bytes,
    plaintext: bytes | Chunks,
    thread_id: str,
) -> None:
    """Seal `plaintext` into table.column of row `row_id` (inserted with a placeholder)."""
    connection = session.connection()
    connection.execute(
        update(table)
        .where(table.c.id == row_id)
        .values({column: func.zeroblob(bodies.sealed_size(plaintext))})
    )
    driver = connection.connection.driver_connection
    with driver.blobopen(table.name, column, row_id) as blob:
        bodies.seal_to(key, plaintext, thread_id, blob.write)
