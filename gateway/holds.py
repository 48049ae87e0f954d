"""Support's hold queue: list, release, reject, and expire held messages.

A held message already has its outgoing copies, built and signed when it arrived and stored as
Delivery rows with status `held`. Releasing moves exactly those rows to `queued`: the recipient
gets the bytes that would have been sent then, never a re-rendering. Rejecting marks them
`rejected` and tells the sender. Each action is one transaction holding the status change, the
support decision (storage.support.record_support_decision) and the sender's notice, so the
record can never show one without the others.

The functions are synchronous (storage work); async callers run them through `Database.run`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

import structlog
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from gateway import directory, notices
from gateway.bigmessage import header_bytes
from gateway.errors import GatewayError
from gateway.services import Services
from storage import policy_state
from storage.db import session_scope
from storage.models import Delivery, Message, Participant, Thread, utcnow
from storage.support import add_notices, record_support_decision

log = structlog.get_logger("gateway.holds")


class HoldError(GatewayError):
    """The message is not there, or not held (already released or rejected)."""


@dataclass(frozen=True)
class HoldSummary:
    """One held message as the queue shows it."""

    message_id: int
    thread_id: str
    received_at: datetime
    sender_role: str
    sender_name: str
    subject: str
    rule: str
    reasons: tuple[str, ...]
    categories: tuple[str, ...]
    recipients: int
    age_seconds: float


def list_holds(engine: Engine, *, limit: int = 100, offset: int = 0) -> list[HoldSummary]:
    """Held messages, oldest first (the order support should work through them)."""
    now = utcnow()
    with session_scope(engine) as session:
        copies = (
            select(Delivery.message_id, func.count(Delivery.id).label("n"))
            .where(Delivery.status == "held")
            .group_by(Delivery.message_id)
            .subquery()
        )
        rows = session.exec(
            select(Message, Participant, copies.c.n)
            .join(copies, copies.c.message_id == Message.id)
            .join(Participant, Participant.id == Message.sender_id, isouter=True)
            .where(Message.status == "held")
            .order_by(Message.received_at, Message.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return [_summary(message, person, count, now) for message, person, count in rows]


def _summary(message: Message, person: Participant | None, count: int, now) -> HoldSummary:
    decision = message.decision or {}
    return HoldSummary(
        message_id=message.id,
        thread_id=message.thread_id,
        received_at=message.received_at,
        sender_role=person.role if person else "",
        sender_name=person.display_name if person else "",
        subject=message.subject,
        rule=decision.get("rule", ""),
        reasons=tuple(decision.get("reasons", ())),
        categories=tuple(decision.get("categories", ())),
        recipients=int(count),
        age_seconds=(now - message.received_at).total_seconds(),
    )


def get_hold(engine: Engine, message_id: int) -> tuple[Message, list[Delivery]]:
    """A held message and its held copies, or HoldError."""
    with session_scope(engine) as session:
        message = _held(session, message_id)
        copies = session.exec(
            select(Delivery).where(Delivery.message_id == message_id).order_by(Delivery.id)
        ).all()
        return message, list(copies)


def _held(session: Session, message_id: int, *, lock: bool = False) -> Message:
    """The message if it is held; HoldError naming what is wrong otherwise."""
    query = select(Message).where(Message.id == message_id)
    if lock:
        query = query.with_for_update()
    message = session.exec(query).first()
    if message is None or message.kind != "inbound":
        raise HoldError(f"message {message_id} not found")
    if message.status != "held":
        raise HoldError(f"message {message_id} is not held (it is {message.status})")
    return message


def release_hold(services: Services, message_id: int, *, actor: str, reason: str = "") -> None:
    """Deliver exactly the stored copies of a held message; notify the sender."""
    _act(services, message_id, "release", actor=actor, reason=reason)
    services.outbox_wakeup.set()


def reject_hold(services: Services, message_id: int, *, actor: str, reason: str) -> None:
    """Never deliver a held message; tell the sender why."""
    if not reason.strip():
        raise HoldError("a rejection needs a reason (it is sent to the sender)")
    _act(services, message_id, "reject", actor=actor, reason=reason)
    services.outbox_wakeup.set()


def _act(services: Services, message_id: int, action: str, *, actor: str, reason: str) -> None:
    """The one transaction behind release and reject."""
    with session_scope(services.db.engine) as session:
        message = _held(session, message_id, lock=True)
        now = utcnow()
        new_status = "queued" if action == "release" else "rejected"
        values = {"status": new_status}
        if action == "release":
            values["next_attempt_at"] = now
        else:
            values["finished_at"] = now
        changed = session.execute(
            update(Delivery)
            .where(Delivery.message_id == message_id, Delivery.status == "held")
            .values(**values)
        ).rowcount
        previous, message.status = message.status, "released" if action == "release" else "rejected"
        session.add(message)
        record_support_decision(
            session, message, actor, action, reason, {"copies": changed, "at": now.isoformat()}
        )
        # after the line above has locked the thread row: the order add_message takes too
        policy_state.status_changed(
            session,
            message.thread_id,
            message.sender_id,
            message.decision,
            previous,
            message.status,
        )
        notice = _notice(services, session, message, action, reason)
        if notice is not None:
            add_notices(session, [notice], services.settings.policy.notices.max_per_hour)
    log.info(f"hold {action}d", message_id=message_id, actor=actor, copies=changed)


def _notice(services: Services, session: Session, message: Message, action: str, reason: str):
    """The sender's notice for a support decision, or None (disabled, automatic mail, no sender)."""
    settings = services.settings.policy.notices
    if not settings.enabled or action not in settings.on or message.sender_id is None:
        return None
    headers = BytesHeaderParser(policy=default_policy).parsebytes(header_bytes(message.raw))
    if notices.is_automatic(headers, message.mail_from, services):
        return None
    thread = session.get(Thread, message.thread_id)
    people = session.exec(
        select(Participant).where(Participant.thread_id == message.thread_id)
    ).all()
    info = directory.thread_info(services.relay, thread, people)
    sender = next((p for p in info.participants if p.id == message.sender_id), None)
    recipient_ids = set(
        session.exec(select(Delivery.recipient_id).where(Delivery.message_id == message.id)).all()
    )
    recipient = next(
        (p for p in info.participants if p.id in recipient_ids),
        next((p for p in info.participants if p.id != message.sender_id), None),
    )
    if sender is None or recipient is None:
        return None
    decision = message.decision or {}
    words = [
        row["text"]
        for row in decision.get("findings", ())
        if row.get("action") != "deliver" and row.get("category") != "limit"
    ]
    return notices.policy_notice(
        services,
        event=action,
        thread=info,
        to=sender,
        recipient=recipient,
        subject=message.subject,
        in_reply_to=message.original_message_id,
        rule=decision.get("rule", ""),
        words=list(dict.fromkeys(words))[:20],
        categories=list(decision.get("categories", ())),
        reason=reason,
        about_message=message.id,
    )


def expired_holds(engine: Engine, max_age: float) -> list[int]:
    """Ids of messages held for longer than `max_age` seconds, oldest first."""
    cutoff = utcnow() - timedelta(seconds=max_age)
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Message.id)
                .where(Message.status == "held", Message.received_at < cutoff)
                .order_by(Message.received_at)
                .limit(1000)
            ).all()
        )


def expire_holds(services: Services) -> int:
    """Release or reject holds past `[policy.holds] max_age`, per `on_expiry`; how many."""
    holds = services.settings.policy.holds
    if holds.on_expiry == "keep":
        return 0
    done = 0
    for message_id in expired_holds(services.db.engine, holds.max_age):
        try:
            if holds.on_expiry == "release":
                _act(services, message_id, "release", actor="gateway:expiry", reason="")
            else:
                _act(
                    services,
                    message_id,
                    "reject",
                    actor="gateway:expiry",
                    reason="nobody reviewed it within the time the platform allows",
                )
            done += 1
        except HoldError:
            continue  # support acted on it meanwhile
    if done:
        services.outbox_wakeup.set()
    return done


async def expiry_loop(services: Services, stop) -> None:
    """Run expire_holds every `[policy.holds] check_interval` until `stop` is set."""
    interval = services.settings.policy.holds.check_interval
    while not stop.is_set():
        if services.settings.policy.holds.on_expiry != "keep":
            try:
                count = await services.db.run(expire_holds, services)
                if count:
                    log.info("expired holds handled", count=count)
            except Exception:
                log.exception("hold expiry round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
