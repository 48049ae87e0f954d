"""Retention, legal hold and erasure: removing bodies while the record still verifies.

Three operations, each one transaction per thread and each written into the thread's ledger as
an audit record (kinds `purge`, `legal_hold`, `erase`), so the chain itself says when and why a
body went away:

  purge       bodies older than `[retention]` (per message kind) are emptied; the message and
              its copies keep envelope, decision, findings, sha256 and ledger entries, so
              verify reports "body purged, hash kept". Threads under legal hold are skipped, and
              so are messages with a copy still queued or held (a release must send real bytes).
  legal hold  a flag on the thread with the reason; it blocks purge and erasure until lifted.
  erase       the thread's key is destroyed (crypto-shredding, storage.bodies), its bodies are
              emptied, subjects, finding texts and decision reasons (which quote the bodies) are
              blanked, pending copies are cancelled and the thread is closed. The ledger keeps
              every hash, so the chain still verifies; the erased contents cannot be recovered
              from any copy of the database made after the key is gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import bodies, ledger, policy_state
from storage.db import session_scope
from storage.models import AuditEvent, Delivery, Finding, Message, Thread, utcnow
from storage.threads import ThreadNotFound

PENDING = ("queued", "held")
KINDS = ("inbound", "notice", "dsn")


class LegalHoldActive(Exception):
    """The thread is under legal hold; erasure (or purge) must wait until it is lifted."""


@dataclass(frozen=True)
class DueBody:
    """A message whose body is past retention."""

    thread_id: str
    message_id: int
    kind: str
    received_at: datetime
    size: int


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    due: list[DueBody] = field(default_factory=list)
    deliveries: int = 0
    held_threads: int = 0
    dry_run: bool = True

    @property
    def bytes(self) -> int:
        return sum(d.size for d in self.due)


def cutoffs(body_days: int, kinds: Mapping[str, int], now: datetime) -> dict[str, datetime]:
    """Per message kind, the time before which bodies go (kinds with 0 days are kept)."""
    result = {}
    for kind in KINDS:
        days = kinds.get(kind, body_days)
        if days > 0:
            result[kind] = now - timedelta(days=days)
    return result


def due_bodies(
    engine: Engine, body_days: int, kinds: Mapping[str, int], *, now: datetime | None = None
) -> tuple[list[DueBody], int]:
    """(messages past retention, number of threads skipped for legal hold)."""
    limits = cutoffs(body_days, kinds, now or utcnow())
    if not limits:
        return [], 0
    past = or_(*(and_(Message.kind == k, Message.received_at < t) for k, t in limits.items()))
    pending = select(Delivery.message_id).where(Delivery.status.in_(PENDING))
    with session_scope(engine) as session:
        rows = session.exec(
            select(Message.thread_id, Message.id, Message.kind, Message.received_at, Message.size)
            .join(Thread, Thread.id == Message.thread_id)
            .where(
                past,
                Thread.legal_hold == false(),
                Message.body_state.in_((bodies.SEALED, bodies.PLAIN)),
                Message.id.not_in(pending),
            )
            .order_by(Message.thread_id, Message.id)
        ).all()
        held = session.exec(
            select(Message.thread_id)
            .join(Thread, Thread.id == Message.thread_id)
            .where(past, Thread.legal_hold, Message.body_state.in_((bodies.SEALED, bodies.PLAIN)))
            .distinct()
        ).all()
    return [DueBody(*row) for row in rows], len(held)


def purge(
    engine: Engine,
    body_days: int,
    kinds: Mapping[str, int],
    *,
    dry_run: bool = True,
    actor: str = "cli",
    now: datetime | None = None,
) -> PurgeReport:
    """Empty the bodies past retention (one transaction per thread), or only list them."""
    due, held = due_bodies(engine, body_days, kinds, now=now)
    report = PurgeReport(due=due, held_threads=held, dry_run=dry_run)
    if dry_run:
        return report
    by_thread: dict[str, list[int]] = defaultdict(list)
    for body in due:
        by_thread[body.thread_id].append(body.message_id)
    for thread_id, message_ids in by_thread.items():
        report.deliveries += _purge_thread(engine, thread_id, message_ids, actor)
    return report


def _purge_thread(engine: Engine, thread_id: str, message_ids: list[int], actor: str) -> int:
    """Purge some messages of one thread and chain a `purge` record; copies purged."""
    with session_scope(engine) as session:
        thread = ledger.lock_thread(session, thread_id)
        if thread.legal_hold:  # placed since the listing: respect it
            return 0
        for start in range(0, len(message_ids), 500):
            chunk = message_ids[start : start + 500]
            session.execute(
                update(Message)
                .where(Message.id.in_(chunk), Message.body_state.in_((bodies.SEALED, bodies.PLAIN)))
                .values(raw=b"", body_state=bodies.PURGED)
            )
        copies = session.execute(
            update(Delivery)
            .where(Delivery.message_id.in_(message_ids), Delivery.status.not_in(PENDING))
            .values(outgoing=b"", body_state=bodies.PURGED)
        ).rowcount
        audit = AuditEvent(
            actor=actor,
            action="retention.purge",
            target_type="thread",
            target_id=thread_id,
            details={"messages": message_ids, "deliveries": copies},
        )
        ledger.append_audit(session, thread_id, "purge", audit, thread=thread)
        return copies


def set_legal_hold(
    engine: Engine, thread_id: str, on: bool, reason: str, *, actor: str = "cli"
) -> bool:
    """Place or lift a legal hold (audited, chained); False when it was already so."""
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ThreadNotFound(thread_id)
        thread = ledger.lock_thread(session, thread_id)
        if thread.legal_hold == on:
            return False
        thread.legal_hold = on
        thread.legal_hold_reason = reason[:2000] if on else ""
        audit = AuditEvent(
            actor=actor,
            action="thread.legal_hold." + ("on" if on else "off"),
            target_type="thread",
            target_id=thread_id,
            details={"reason": reason[:2000]},
        )
        ledger.append_audit(session, thread_id, "legal_hold", audit, thread=thread)
        return True


@dataclass(frozen=True)
class Erasure:
    """What erase_thread did."""

    messages: int
    deliveries: int
    cancelled: int
    key_destroyed: bool


def erase_thread(engine: Engine, thread_id: str, reason: str, *, actor: str = "cli") -> Erasure:
    """Make a thread's contents unreadable for good while its chain still verifies."""
    with session_scope(engine) as session:
        if session.get(Thread, thread_id) is None:
            raise ThreadNotFound(thread_id)
        thread = ledger.lock_thread(session, thread_id)
        if thread.legal_hold:
            raise LegalHoldActive(
                f"thread {thread_id} is under legal hold ({thread.legal_hold_reason}); lift it "
                "first with `gateway threads legal-hold ID off --reason ...`"
            )
        destroyed = bodies.destroy_thread_key(session, thread_id)
        message_ids = list(session.exec(select(Message.id).where(Message.thread_id == thread_id)))
        messages = deliveries = cancelled = 0
        for start in range(0, len(message_ids), 500):
            chunk = message_ids[start : start + 500]
            cancelled += session.execute(
                update(Delivery)
                .where(Delivery.message_id.in_(chunk), Delivery.status.in_(PENDING))
                .values(
                    status="failed", last_response="cancelled: thread erased", finished_at=utcnow()
                )
            ).rowcount
            deliveries += session.execute(
                update(Delivery)
                .where(Delivery.message_id.in_(chunk))
                .values(outgoing=b"", body_state=bodies.ERASED)
            ).rowcount
            messages += session.execute(
                update(Message)
                .where(Message.id.in_(chunk))
                .values(raw=b"", body_state=bodies.ERASED, subject="", decision={})
            ).rowcount
            session.execute(update(Finding).where(Finding.message_id.in_(chunk)).values(text=""))
        policy_state.decisions_erased(session, thread_id)
        thread.erased_at = utcnow()
        thread.subject = ""
        if thread.status != "closed":
            thread.status, thread.closed_at = "closed", utcnow()
        audit = AuditEvent(
            actor=actor,
            action="thread.erase",
            target_type="thread",
            target_id=thread_id,
            details={"reason": reason[:2000], "messages": messages, "deliveries": deliveries},
        )
        ledger.append_audit(session, thread_id, "erase", audit, thread=thread)
        return Erasure(messages, deliveries, cancelled, destroyed)
