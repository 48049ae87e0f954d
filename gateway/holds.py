"""Held messages: list them, release them to the outbox, or reject them (support's decision).

Policy stub in the web branch: the `policy` helper owns this module and its version replaces
this one at merge; the signatures are the agreed contract. A held message has status "held"
and its delivery rows status "held"; releasing queues exactly the stored copies (built and
signed when the message arrived), rejecting marks message and copies "rejected". Every action
is an AuditEvent in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from gateway.errors import GatewayError
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Finding, Message, Participant, Thread, utcnow


class HoldError(GatewayError):
    """The message does not exist or is not held (already released or rejected)."""


@dataclass(frozen=True)
class HoldSummary:
    """What the holds queue shows about one held message."""

    message_id: int
    thread_id: str
    thread_subject: str
    subject: str
    received_at: datetime
    sender: str
    sender_role: str
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    recipients: int


def list_holds(engine: Engine, *, limit: int = 100, offset: int = 0) -> list[HoldSummary]:
    """Held messages, oldest first (the longest-waiting sender comes first)."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Message, Thread.subject, Participant.display_name, Participant.role)
            .join(Thread, Thread.id == Message.thread_id)
            .outerjoin(Participant, Participant.id == Message.sender_id)
            .where(Message.status == "held")
            .order_by(Message.id)
            .limit(limit)
            .offset(offset)
        ).all()
        ids = [m.id for m, *_ in rows]
        cats: dict[int, set[str]] = {}
        for mid, cat in session.exec(
            select(Finding.message_id, Finding.category).where(Finding.message_id.in_(ids))
        ).all():
            cats.setdefault(mid, set()).add(cat)
        counts: dict[int, int] = {}
        for mid in session.exec(
            select(Delivery.message_id).where(Delivery.message_id.in_(ids))
        ).all():
            counts[mid] = counts.get(mid, 0) + 1
        return [
            HoldSummary(
                message_id=m.id,
                thread_id=m.thread_id,
                thread_subject=thread_subject,
                subject=m.subject,
                received_at=m.received_at,
                sender=name or m.mail_from,
                sender_role=role or "",
                categories=tuple(sorted(cats.get(m.id, ()))),
                reasons=tuple(str(r) for r in (m.decision or {}).get("reasons", [])),
                recipients=counts.get(m.id, 0),
            )
            for m, thread_subject, name, role in rows
        ]


def _held(session, message_id: int) -> Message:
    message = session.exec(
        select(Message).where(Message.id == message_id).with_for_update()
    ).first()
    if message is None:
        raise HoldError(f"no message {message_id}")
    if message.status != "held":
        raise HoldError(f"message {message_id} is not held (it is {message.status})")
    return message


def _set_deliveries(session, message_id: int, status: str) -> int:
    rows = session.exec(
        select(Delivery).where(Delivery.message_id == message_id, Delivery.status == "held")
    ).all()
    now = utcnow()
    for row in rows:
        row.status = status
        row.next_attempt_at = now
        if status == "rejected":
            row.finished_at = now
        session.add(row)
    return len(rows)


def release_hold(services, message_id: int, *, actor: str, reason: str = "") -> int:
    """Queue a held message's stored copies for delivery; returns how many were queued."""
    with session_scope(services.db.engine) as session:
        message = _held(session, message_id)
        message.status = "released"
        session.add(message)
        count = _set_deliveries(session, message_id, "queued")
        session.add(
            AuditEvent(
                actor=actor,
                action="hold.release",
                target_type="message",
                target_id=str(message_id),
                details={"thread_id": message.thread_id, "reason": reason, "copies": count},
            )
        )
    _wake(services.outbox_wakeup)
    return count


def _wake(event) -> None:
    """Ring the outbox doorbell from any thread (storage work runs in the database pool)."""
    loop = getattr(event, "_loop", None)  # set once a coroutine has waited on it
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(event.set)
    else:
        event.set()


def reject_hold(services, message_id: int, *, actor: str, reason: str) -> None:
    """Refuse a held message for good: nothing is sent; the reason is recorded."""
    if not reason.strip():
        raise HoldError("a reason is required to reject a held message")
    with session_scope(services.db.engine) as session:
        message = _held(session, message_id)
        message.status = "rejected"
        session.add(message)
        count = _set_deliveries(session, message_id, "rejected")
        session.add(
            AuditEvent(
                actor=actor,
                action="hold.reject",
                target_type="message",
                target_id=str(message_id),
                details={"thread_id": message.thread_id, "reason": reason, "copies": count},
            )
        )
