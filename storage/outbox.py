"""The outbox: claiming due delivery jobs under a lease and recording what the transport said.

Claims are safe with several gateway instances on one PostgreSQL: due rows are locked with
`FOR UPDATE SKIP LOCKED`, so two instances never claim the same job, and a lease (owner + expiry)
means a job claimed by an instance that then died becomes due again when the lease runs out.
SQLite has no row locks; its `BEGIN IMMEDIATE` transaction (storage.db) serialises claims instead.
Every result is written only if the caller still holds the lease, so a worker that was too slow
cannot overwrite the outcome of the instance that took the job over.

Poison messages: an attempt that ends in a crash instead of an SMTP answer (the transport raised,
or the process died holding the lease, seen here as an expired lease that was never released)
counts in `Delivery.crashes`. At `poison_after` crashes the job is set aside as `poisoned` with the
reason, instead of taking the gateway down (or burning a worker) over and over; support sees it in
`gateway queue list --status poisoned` and can `gateway queue retry` it after a fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import blobs, bodies, rawsql
from storage.archive import MessageRecord, OutgoingRecord, add_message, opened_deliveries
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Message, utcnow


@dataclass(slots=True)
class ClaimedJob:
    """A leased job as the delivery worker gets it: every Delivery column, `outgoing` opened.

    A plain dataclass, not a detached `Delivery`: building SQLModel instances was a third of
    claim_due's CPU, and the worker only reads the columns.
    """

    id: int
    message_id: int
    recipient_id: int | None
    recipient: str
    envelope_from: str
    verp_token: str
    outgoing: bytes
    outgoing_sha256: str
    relayed_message_id: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_response: str
    finished_at: datetime | None
    crashes: int
    body_state: str


def claim_due(
    engine: Engine,
    owner: str,
    *,
    lease_seconds: float,
    limit: int,
    poison_after: int | None = None,
) -> list[ClaimedJob]:
    """Lease up to `limit` due queued jobs to `owner`; return them detached, oldest first.

    A due job that still names a lease owner was abandoned by a process that died while sending
    it: that counts as a crash, and at `poison_after` crashes the job is poisoned, not claimed.

    WHY driver SQL (storage.rawsql): it runs once per delivery batch; one SELECT (with each
    job's thread, for its key), one UPDATE leasing every ordinary job at once and one read of
    the keys, on the transaction's own cursor. Abandoned jobs (rare) are updated one by one.
    """
    now = utcnow()
    until = now + timedelta(seconds=lease_seconds)
    with engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite: claims are serialised
        sql = rawsql.statements(conn.dialect)
        with rawsql.translated(conn.dialect):
            cursor = rawsql.driver(conn).cursor()
            try:
                at = sql.time(now)
                # a copy of STREAM_BYTES or more is left out here and read on its own below
                # (storage.blobs.open_deferred), without the driver's extra copies
                cursor.execute(sql["outbox.claim"], (blobs.STREAM_BYTES, "queued", at, at, limit))
                rows = cursor.fetchall()
                claimed, ordinary = [], []
                for job, thread_id in _few_big([(_job(row), row[19]) for row in rows]):
                    if job.lease_owner is not None:  # the previous owner never reported back
                        job.crashes += 1
                        if poison_after is not None and job.crashes >= poison_after:
                            _poison(job, f"the process delivering it died {job.crashes} times")
                            _write(conn, job, "status", "finished_at", "last_response", "crashes")
                            continue
                        _lease(job, owner, until)
                        _write(conn, job, "crashes", "attempts")
                    else:
                        _lease(job, owner, until)
                        ordinary.append(job.id)
                    claimed.append((job, thread_id))
                if ordinary:
                    cursor.execute(
                        sql["outbox.lease"], (owner, sql.time(until), sql.in_list(ordinary))
                    )
                keys = thread_keys(cursor, sql, {thread_id for _, thread_id in claimed})
            finally:
                cursor.close()
        big = {job.id for job, _ in claimed if job.outgoing is None}  # left out by the SELECT
        for job, thread_id in claimed:  # read window by window, decrypted into one buffer
            if job.id in big:
                key = keys.get(thread_id)
                job.outgoing = blobs.open_deferred(
                    conn, _DELIVERY, "outgoing", job.id, job.body_state, key, thread_id
                )
    for job, thread_id in claimed:  # plaintext for the transport
        if job.id not in big:
            key = keys.get(thread_id)
            job.outgoing = bodies.readable(job.body_state, job.outgoing, key, thread_id)
    return [job for job, _ in claimed]


BIG_COPIES_PER_CLAIM = 1  # copies of blobs.STREAM_BYTES or more opened by one claim


def _few_big(jobs: list[tuple[ClaimedJob, str]]) -> list[tuple[ClaimedJob, str]]:
    """The due jobs a claim takes: every small copy, big ones only up to BIG_COPIES_PER_CLAIM.

    Why: a claimed copy is opened whole for the transport (about its size in memory), and a
    worker sends a claim's copies at once; `[delivery] concurrency` big copies would be that
    many full-size buffers in one process. The big ones left out are not leased and stay due:
    the worker claims again as soon as this batch is done (DeliveryWorker.run), so they go
    out one after the other. A big copy is one the claim's SELECT left unread (None).
    """
    out, big = [], 0
    for job, thread_id in jobs:
        if job.outgoing is None:
            big += 1
            if big > BIG_COPIES_PER_CLAIM:
                continue
        out.append((job, thread_id))
    return out


def _job(row: tuple) -> ClaimedJob:
    """A claim row (ClaimedJob's columns in order, then the thread id) as a ClaimedJob."""
    t = rawsql.read_time
    return ClaimedJob(
        *row[:11], t(row[11]), t(row[12]), row[13], t(row[14]), row[15], t(row[16]), *row[17:19]
    )


def thread_keys(cursor, sql: rawsql.Statements, thread_ids: set[str]) -> dict[str, bytes]:
    """bodies.thread_keys on a driver cursor (destroyed keys map to b"")."""
    if not thread_ids:
        return {}
    cursor.execute(sql["outbox.keys"], (sql.in_list(sorted(thread_ids)),))
    return {tid: bodies.unwrapped_key(tid, key, bool(wrapped)) for tid, key, wrapped in cursor}


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """The outbox's per-batch statements (claim_due, mark_delivered_many, next_due)."""
    sql.add(
        "outbox.claim",
        "SELECT delivery.id, delivery.message_id, delivery.recipient_id, delivery.recipient, "
        "delivery.envelope_from, delivery.verp_token, "
        "CASE WHEN (length(delivery.outgoing) < ?) THEN delivery.outgoing END AS outgoing, "
        "delivery.outgoing_sha256, delivery.relayed_message_id, delivery.status, "
        "delivery.attempts, delivery.created_at, delivery.next_attempt_at, "
        "delivery.lease_owner, delivery.lease_until, delivery.last_response, "
        "delivery.finished_at, delivery.crashes, delivery.body_state, message.thread_id "
        "FROM delivery JOIN message ON message.id = delivery.message_id "
        "WHERE delivery.status = ? AND delivery.next_attempt_at <= ? "
        "AND (delivery.lease_until IS NULL OR delivery.lease_until < ?) "
        "ORDER BY delivery.next_attempt_at, delivery.id LIMIT ?",
        "SELECT delivery.id, delivery.message_id, delivery.recipient_id, delivery.recipient, "
        "delivery.envelope_from, delivery.verp_token, "
        "CASE WHEN (length(delivery.outgoing) < ?) THEN delivery.outgoing END AS outgoing, "
        "delivery.outgoing_sha256, delivery.relayed_message_id, delivery.status, "
        "delivery.attempts, delivery.created_at, delivery.next_attempt_at, "
        "delivery.lease_owner, delivery.lease_until, delivery.last_response, "
        "delivery.finished_at, delivery.crashes, delivery.body_state, message.thread_id "
        "FROM delivery JOIN message ON message.id = delivery.message_id "
        "WHERE delivery.status = ? AND delivery.next_attempt_at <= ? "
        "AND (delivery.lease_until IS NULL OR delivery.lease_until < ?) "
        "ORDER BY delivery.next_attempt_at, delivery.id LIMIT ? "
        "FOR UPDATE OF delivery SKIP LOCKED",
    )
    sql.add(
        "outbox.lease",
        "UPDATE delivery SET lease_owner = ?, lease_until = ?, attempts = (delivery.attempts + 1) "
        "WHERE delivery.id IN (?*)",
    )
    sql.add(
        "outbox.keys",
        "SELECT threadkey.thread_id, threadkey.key, threadkey.wrapped FROM threadkey "
        "WHERE threadkey.thread_id IN (?*)",
    )
    sql.add(
        "outbox.delivered",
        "UPDATE delivery SET status = 'delivered', lease_owner = NULL, lease_until = NULL, "
        "last_response = ?, finished_at = ? WHERE delivery.id IN (?*) "
        "AND delivery.lease_owner = ? RETURNING delivery.id",
    )
    sql.add(
        "outbox.next_due",
        "SELECT min(delivery.next_attempt_at) FROM delivery WHERE delivery.status = 'queued'",
    )


_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_MESSAGE: Table = Message.__table__  # type: ignore[attr-defined]


def _lease(job: ClaimedJob, owner: str, until: datetime) -> None:
    """What claiming does to a job (the in-memory copy the caller gets)."""
    job.lease_owner = owner
    job.lease_until = until
    job.attempts += 1


def _write(session: Session, job: ClaimedJob, *names: str) -> None:
    """Store a job's lease columns and `names` (the abandoned-job path)."""
    values = {name: getattr(job, name) for name in ("lease_owner", "lease_until", *names)}
    session.execute(update(_DELIVERY).where(_DELIVERY.c.id == job.id).values(**values))


def _poison(row: Delivery | ClaimedJob, why: str) -> None:
    """Set a job aside for support, with the reason in last_response."""
    row.status = "poisoned"
    row.lease_owner = None
    row.lease_until = None
    row.finished_at = utcnow()
    row.last_response = f"poisoned: {why}; set aside for support ({row.last_response})"[:2000]


def _finish(session: Session, delivery_id: int, owner: str, **values) -> bool:
    """Update a job only while `owner` still holds its lease; True if it did."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **values)
    )
    return result.rowcount == 1


def mark_delivered(engine: Engine, delivery_id: int, owner: str, response: str) -> bool:
    """Record a successful hand-off."""
    with session_scope(engine) as session:
        return _finish(
            session,
            delivery_id,
            owner,
            status="delivered",
            last_response=response[:2000],
            finished_at=utcnow(),
        )


def mark_delivered_many(engine: Engine, items: Sequence[tuple[int, str, str]]) -> list[bool]:
    """mark_delivered for several (delivery id, owner, response) in ONE transaction.

    Why: the delivery worker sends a batch of jobs concurrently; one commit (one fsync) for
    the hand-offs that finished together instead of one each, which on SQLite also frees the
    single writer sooner for the archive's group commits. And one UPDATE per lease owner and
    response text (in practice one: this process, "250 ... Ok"), as driver SQL
    (storage.rawsql), RETURNING the ids whose lease still held, instead of one UPDATE per job.
    """
    now = utcnow()
    by_owner: dict[str, dict[int, str]] = {}
    first: list[bool] = []  # False for a repeated id: the first mark of it decides
    seen: set[int] = set()
    for delivery_id, owner, response in items:
        first.append(delivery_id not in seen)
        if delivery_id not in seen:
            seen.add(delivery_id)
            by_owner.setdefault(owner, {})[delivery_id] = response[:2000]
    done: set[int] = set()
    with engine.begin() as conn:
        sql = rawsql.statements(conn.dialect)
        at = sql.time(now)
        with rawsql.translated(conn.dialect):
            cursor = rawsql.driver(conn).cursor()
            try:
                for owner, responses in by_owner.items():
                    by_response: dict[str, list[int]] = {}  # in practice one: "250 ... Ok"
                    for delivery_id, response in responses.items():
                        by_response.setdefault(response, []).append(delivery_id)
                    for response, ids in by_response.items():
                        cursor.execute(
                            sql["outbox.delivered"], (response, at, sql.in_list(ids), owner)
                        )
                        done.update(row[0] for row in cursor.fetchall())
            finally:
                cursor.close()
    return [
        ok and delivery_id in done for ok, (delivery_id, _, _) in zip(first, items, strict=True)
    ]


def mark_retry(engine: Engine, delivery_id: int, owner: str, response: str, at: datetime) -> bool:
    """Record a temporary failure and when to try again."""
    with session_scope(engine) as session:
        return _finish(
            session, delivery_id, owner, last_response=response[:2000], next_attempt_at=at
        )


def mark_crashed(
    engine: Engine,
    delivery_id: int,
    owner: str,
    reason: str,
    *,
    retry_at: datetime,
    poison_after: int,
) -> str | None:
    """Record an attempt that crashed: retry at `retry_at`, or poison it at `poison_after`.

    Returns the job's new status ("queued" or "poisoned"), or None if the lease was lost.
    """
    with session_scope(engine) as session:
        row = session.exec(
            select(Delivery)
            .where(Delivery.id == delivery_id, Delivery.lease_owner == owner)
            .with_for_update()
        ).first()
        if row is None:
            return None
        row.crashes += 1
        row.last_response = reason[:2000]
        if row.crashes >= poison_after:
            _poison(row, f"delivery crashed {row.crashes} times")
        else:
            row.lease_owner = None
            row.lease_until = None
            row.next_attempt_at = retry_at
        session.add(row)
        return row.status


def mark_failed(
    engine: Engine,
    delivery_id: int,
    owner: str | None,
    response: str,
    *,
    status: str = "failed",
    notice: tuple[MessageRecord, OutgoingRecord] | None = None,
) -> bool:
    """Record a permanent failure and, in the same transaction, queue the notice to the sender."""
    with session_scope(engine) as session:
        values = {"status": status, "last_response": response[:2000], "finished_at": utcnow()}
        if owner is None:  # a DSN arrived: no lease involved
            done = (
                session.execute(
                    update(Delivery).where(Delivery.id == delivery_id).values(**values)
                ).rowcount
                == 1
            )
        else:
            done = _finish(session, delivery_id, owner, **values)
        if done and notice is not None:
            add_message(session, notice[0], [notice[1]])
        return done


def next_due(engine: Engine) -> datetime | None:
    """When the earliest queued job becomes due (for the worker's timer)."""
    with rawsql.read_cursor(engine) as (cursor, sql):  # after every delivery round
        cursor.execute(sql["outbox.next_due"])
        return rawsql.read_time(cursor.fetchone()[0])


def find_by_token(engine: Engine, token: str) -> tuple[Delivery, Message] | None:
    """The delivery a VERP bounce address names, with its message."""
    with session_scope(engine) as session:
        delivery = session.exec(select(Delivery).where(Delivery.verp_token == token)).first()
        if delivery is None:
            return None
        return delivery, session.get(Message, delivery.message_id)


def get_delivery(engine: Engine, delivery_id: int) -> Delivery | None:
    """One outbox row (detached, its copy in plaintext), or None."""
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        if row is None:
            return None
        message = session.get(Message, row.message_id)
        return opened_deliveries(session, [row], {row.id: message.thread_id})[0]


# ---------------------------------------------------------------- support: the queue CLI

QUEUE_STATUSES = ("queued", "held", "delivered", "failed", "bounced", "poisoned", "purged")
RETRYABLE = ("queued", "failed", "poisoned")
PURGEABLE = ("failed", "poisoned")


@dataclass(frozen=True)
class QueueEntry:
    """One outbox row as support sees it (without the message bytes)."""

    id: int
    message_id: int
    status: str
    recipient: str
    attempts: int
    crashes: int
    created_at: datetime
    next_attempt_at: datetime
    finished_at: datetime | None
    lease_owner: str | None
    last_response: str
    size: int


def list_queue(engine: Engine, status: str | None = None, limit: int = 100) -> list[QueueEntry]:
    """Outbox rows, newest first, optionally of one status; never loads the message bytes."""
    query = select(
        Delivery.id,
        Delivery.message_id,
        Delivery.status,
        Delivery.recipient,
        Delivery.attempts,
        Delivery.crashes,
        Delivery.created_at,
        Delivery.next_attempt_at,
        Delivery.finished_at,
        Delivery.lease_owner,
        Delivery.last_response,
        func.length(Delivery.outgoing),
        Delivery.body_state,
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    with session_scope(engine) as session:
        rows = session.exec(query.order_by(Delivery.id.desc()).limit(limit)).all()
        return [QueueEntry(*row[:-2], size=_plain_size(row[-2], row[-1])) for row in rows]


def _plain_size(stored: int, state: str) -> int:
    """The copy's own size: a sealed body carries a nonce and an authentication tag more."""
    return max(stored - bodies.SEALED_OVERHEAD, 0) if state == bodies.SEALED else stored


@dataclass(frozen=True)
class QueueStats:
    """Counts by status and the age of the oldest job still waiting (for metrics)."""

    counts: dict[str, int]
    oldest_queued: datetime | None


def queue_stats(engine: Engine) -> QueueStats:
    """One GROUP BY over the outbox (uses the status index) plus the oldest queued job."""
    with session_scope(engine) as session:
        counts = dict(
            session.exec(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
        oldest = session.exec(
            select(func.min(Delivery.created_at)).where(Delivery.status == "queued")
        ).one()
        return QueueStats({s: counts.get(s, 0) for s in QUEUE_STATUSES} | counts, oldest)


class QueueActionError(Exception):
    """A queue command that cannot be done, phrased for the support person who asked."""


def retry_now(engine: Engine, delivery_id: int, actor: str) -> Delivery:
    """Queue a failed, poisoned or deferred job again, due now, with a clean crash count."""
    with session_scope(engine) as session:
        row = session.exec(
            select(Delivery).where(Delivery.id == delivery_id).with_for_update()
        ).first()
        if row is None:
            raise QueueActionError(f"delivery {delivery_id} does not exist")
        if row.status not in RETRYABLE:
            raise QueueActionError(
                f"delivery {delivery_id} is {row.status}; only {', '.join(RETRYABLE)} "
                "deliveries can be retried"
            )
        if row.lease_owner is not None and row.lease_until and row.lease_until > utcnow():
            raise QueueActionError(
                f"delivery {delivery_id} is being sent right now by {row.lease_owner}"
            )
        before = row.status
        row.status = "queued"
        row.next_attempt_at = utcnow()
        row.lease_owner = None
        row.lease_until = None
        row.finished_at = None
        row.crashes = 0
        session.add(row)
        session.add(
            AuditEvent(
                actor=actor,
                action="queue.retry",
                target_type="delivery",
                target_id=str(delivery_id),
                details={"previous_status": before, "last_response": row.last_response[:500]},
            )
        )
        return row


def purge_finished(engine: Engine, older_than: datetime, actor: str) -> int:
    """Drop the stored bytes of failed and poisoned copies finished before `older_than`.

    The row stays, with its sha256, recipient and last answer, as status `purged`: the archive's
    hash chain covers each copy's digest, so deleting rows would make the record unverifiable.
    """
    with session_scope(engine) as session:
        ids = list(
            session.exec(
                select(Delivery.id).where(
                    Delivery.status.in_(PURGEABLE),
                    or_(Delivery.finished_at.is_(None), Delivery.finished_at < older_than),
                )
            ).all()
        )
        if not ids:
            return 0
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(
                status="purged",
                outgoing=b"",
                body_state=bodies.PURGED,
                lease_owner=None,
                lease_until=None,
            )
        )
        session.add(
            AuditEvent(
                actor=actor,
                action="queue.purge",
                target_type="delivery",
                target_id=f"{len(ids)} rows",
                details={"ids": ids[:1000], "older_than": older_than.isoformat()},
            )
        )
        return len(ids)
