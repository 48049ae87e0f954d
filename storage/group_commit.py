"""Group commit, the storage half: several messages archived in ONE transaction, one fsync.

Each message goes through the statements of `storage.archive.write_message` (hash chain,
findings, outbox rows, and whatever else that function records), inside its own SAVEPOINT: a
message that fails (a constraint, a trigger) is rolled back alone and reported to its own
caller, while the others commit. If the commit itself fails, none of them is stored and every
caller is told so; since the SMTP edge answers 250 only after `store_batch` has returned that
message's id, invariant 1 (no 250 without a commit) holds per message, exactly as with one
transaction per message.

Thread rows are locked (SELECT ... FOR UPDATE in write_message) in thread-id order across the
batch, so two batches in two processes on PostgreSQL cannot deadlock on each other's threads.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine

from storage import rawsql
from storage.archive import MessageRecord, OutgoingRecord, has_big_body, write_with

Item = tuple[MessageRecord, Sequence[OutgoingRecord]]


def store_batch(engine: Engine, items: Sequence[Item]) -> list[int | Exception]:
    """Archive every item in one transaction; per item its message id or its own error.

    Raises if the transaction as a whole cannot commit (then nothing was stored).

    WHY a Connection and driver SAVEPOINTs, not a Session: nothing here needs the ORM
    (storage.archive.write_message writes with driver SQL), and a Session's transaction and
    nested-transaction bookkeeping were a tenth of the archive write's CPU.
    """
    results: list[int | Exception] = [RuntimeError("not stored")] * len(items)
    order = sorted(range(len(items)), key=lambda i: items[i][0].thread_id)
    with engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite (storage.db); commit or roll back
        sql = rawsql.statements(conn.dialect)
        cursor = rawsql.driver(conn).cursor()
        try:
            for i in order:
                record, outgoing = items[i]
                try:
                    off = has_big_body(record, outgoing)
                    with rawsql.translated(conn.dialect), rawsql.pipeline(conn, sql, off=off):
                        cursor.execute("SAVEPOINT store_batch")
                        message_id, _, _ = write_with(conn, cursor, sql, record, outgoing)
                        cursor.execute("RELEASE SAVEPOINT store_batch")
                except Exception as exc:  # this message only: undone, the others stay
                    with rawsql.translated(conn.dialect):
                        cursor.execute("ROLLBACK TO SAVEPOINT store_batch")
                        cursor.execute("RELEASE SAVEPOINT store_batch")
                    results[i] = exc
                else:
                    results[i] = message_id
        finally:
            cursor.close()
    return results
