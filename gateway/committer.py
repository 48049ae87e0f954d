"""Group commit, the async half: archive requests that arrive together share one transaction.

Why: every archived message used to be its own transaction, so under load the single SQLite
writer (or, with `[relay] workers`, the processes sharing SQLite's write lock) paid one BEGIN,
one COMMIT and one fsync per message, one after another. Here a request that arrives while a
batch is being committed waits for the next batch, which takes everything that queued up in the
meantime (at most MAX_BATCH). An idle gateway therefore commits a lone message at once, with no
added delay, and a busy one commits many with one fsync. Each caller gets its own result: the
SMTP edge still replies 250 only after the transaction holding its message has committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog

from storage.archive import MessageRecord, OutgoingRecord
from storage.db import Database, is_sqlite
from storage.group_commit import store_batch

log = structlog.get_logger("gateway.committer")

MAX_BATCH = 64


class GroupCommitter:
    """Batches `store` calls into `storage.group_commit.store_batch` transactions."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        # SQLite has one writer: one batch at a time. PostgreSQL: two in flight, so one batch
        # fills while the other commits, and the pool's threads are not all tied up.
        self.max_in_flight = 1 if is_sqlite(db.engine) else 2
        self._pending: list[tuple[MessageRecord, Sequence[OutgoingRecord], asyncio.Future]] = []
        self._in_flight = 0
        self.batches = 0  # committed transactions, for tests and the bench

    async def store(self, record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> int:
        """Archive one message with its outbox rows; return its id once it is committed."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((record, outgoing, future))
        self._maybe_flush()
        return await future

    def _maybe_flush(self) -> None:
        if self._pending and self._in_flight < self.max_in_flight:
            batch, self._pending = (
                self._pending[: self.max_batch],
                self._pending[self.max_batch :],
            )
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._flush(batch))

    async def _flush(self, batch) -> None:
        try:
            results = await self.db.run(
                store_batch, self.db.engine, [(record, out) for record, out, _ in batch]
            )
        except BaseException as exc:  # the commit failed: nothing of this batch is stored
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self.batches += 1
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
        finally:
            self._in_flight -= 1
            self._maybe_flush()
