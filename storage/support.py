"""The write side of support's work on held messages, and of policy notices.

Every support decision (release, reject, automatic expiry) goes through `record_support_decision`,
inside the same transaction as the status change it explains, so the record can never show a
released message without saying who released it and why. The event is also an entry of the
thread's hash chain (storage.ledger, kind "support"): one function, one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import ledger
from storage.archive import MessageRecord, OutgoingRecord, add_message
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Message, utcnow

Notice = tuple[MessageRecord, OutgoingRecord]


def record_support_decision(
    session: Session,
    message: Message,
    actor: str,
    action: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one support decision about `message` (an audit event) in the caller's transaction."""
    event = AuditEvent(
        actor=actor,
        action=f"hold.{action}",
        target_type="message",
        target_id=str(message.id),
        details={
            "thread_id": message.thread_id,
            "reason": reason,
            "rule": (message.decision or {}).get("rule", ""),
            "policy_version": (message.decision or {}).get("policy_version", ""),
            **(details or {}),
        },
    )
    ledger.append_audit(session, message.thread_id, "support", event)  # chained (docs/evidence.md)
    return event


def notices_sent_since(session: Session, address: str, since: datetime) -> int:
    """How many notices went to this address since `since` (for the per-sender rate limit)."""
    return session.exec(
        select(func.count(Delivery.id))
        .join(Message, Message.id == Delivery.message_id)
        .where(
            Message.kind == "notice",
            Delivery.recipient == address.lower(),
            Delivery.created_at >= since,
        )
    ).one()


def add_notices(session: Session, notices: Sequence[Notice], max_per_hour: int) -> int:
    """Archive and queue notices within the rate limit; the rest become audit events. Count sent."""
    sent = 0
    since = utcnow() - timedelta(hours=1)
    for record, outgoing in notices:
        if max_per_hour and notices_sent_since(session, outgoing.recipient, since) >= max_per_hour:
            session.add(
                AuditEvent(
                    actor="gateway",
                    action="notice.suppressed",
                    target_type="thread",
                    target_id=record.thread_id,
                    details={
                        "recipient_id": outgoing.recipient_id,
                        "notice": (record.decision or {}).get("notice", {}),
                        "why": f"more than {max_per_hour} notices to this sender in an hour",
                    },
                )
            )
            continue
        add_message(session, record, [outgoing])
        session.flush()
        sent += 1
    return sent


def store_notices(engine: Engine, notices: Sequence[Notice], max_per_hour: int) -> int:
    """add_notices in a transaction of its own (notices about a message already committed)."""
    with session_scope(engine) as session:
        return add_notices(session, notices, max_per_hour)
