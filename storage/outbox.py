"""The outbox: claiming due delivery jobs under a lease and recording what the transport said.

Claims are safe with several gateway instances on one PostgreSQL: due rows are locked with
`FOR UPDATE SKIP LOCKED`, so two instances never claim the same job, and a lease (owner + expiry)
means a job claimed by an instance that then died becomes due again when the lease runs out.
SQLite has no row locks; its `BEGIN IMMEDIATE` transaction (storage.db) serialises claims instead.
Every result is written only if the caller still holds the lease, so a worker that was too slow
cannot overwrite the outcome of the instance that took the job over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.archive import MessageRecord, OutgoingRecord, add_message, opened_deliveries
from storage.db import session_scope
from storage.models import Delivery, Message, utcnow


def claim_due(engine: Engine, owner: str, *, lease_seconds: float, limit: int) -> list[Delivery]:
    """Lease up to `limit` due queued jobs to `owner`; return them detached, oldest first."""
    now = utcnow()
    with session_scope(engine) as session:
        rows = session.exec(
            select(Delivery)
            .where(
                Delivery.status == "queued",
                Delivery.next_attempt_at <= now,
                or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        until = now + timedelta(seconds=lease_seconds)
        for row in rows:
            row.lease_owner = owner
            row.lease_until = until
            row.attempts += 1
            session.add(row)
        ids = [row.id for row in rows]
        thread_of = dict(
            session.exec(
                select(Delivery.id, Message.thread_id)
                .join(Message, Message.id == Delivery.message_id)
                .where(Delivery.id.in_(ids))
            ).all()
        )
        return opened_deliveries(session, list(rows), thread_of)  # plaintext for the transport


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


def mark_retry(engine: Engine, delivery_id: int, owner: str, response: str, at: datetime) -> bool:
    """Record a temporary failure and when to try again."""
    with session_scope(engine) as session:
        return _finish(
            session, delivery_id, owner, last_response=response[:2000], next_attempt_at=at
        )


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
    with session_scope(engine) as session:
        return session.exec(
            select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "queued")
        ).one()


def find_by_token(engine: Engine, token: str) -> tuple[Delivery, Message] | None:
    """The delivery a VERP bounce address names, with its message."""
    with session_scope(engine) as session:
        delivery = session.exec(select(Delivery).where(Delivery.verp_token == token)).first()
        if delivery is None:
            return None
        return delivery, session.get(Message, delivery.message_id)


def get_delivery(engine: Engine, delivery_id: int) -> Delivery | None:
    """One outbox row (detached), or None."""
    with session_scope(engine) as session:
        return session.get(Delivery, delivery_id)
