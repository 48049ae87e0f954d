"""What the policy needs to know about a thread before deciding: stage, exemptions, sender history.

Nothing here is a new store: the history is read from the archive itself (the earlier messages'
actions and their recorded decisions, which carry the number fragments for accumulation). So
the state is exactly as durable and as consistent as the record, and replay can rebuild it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Message, Participant, Thread, ThreadExemption

HISTORY_LIMIT = 500  # earlier messages of one sender looked at (escalation counts within these)


@dataclass(frozen=True)
class SenderMessage:
    """One earlier message of the sender, as far as the policy cares."""

    action: str
    status: str
    decision: dict[str, Any]


@dataclass(frozen=True)
class PolicyState:
    """Thread stage, active exemptions (id, scope), sender's role and earlier messages."""

    stage: str
    exemptions: tuple[tuple[int, str], ...]
    sender_role: str
    earlier: tuple[SenderMessage, ...]  # oldest first


def load_policy_state(engine: Engine, thread_id: str, sender_id: int | None) -> PolicyState:
    """Everything the decide stage reads from the database, in one short transaction."""
    with session_scope(engine) as session:
        return state_in(session, thread_id, sender_id)


def state_in(session: Session, thread_id: str, sender_id: int | None) -> PolicyState:
    """load_policy_state inside a caller's session."""
    thread = session.get(Thread, thread_id)
    exemptions = session.exec(
        select(ThreadExemption.id, ThreadExemption.scope).where(
            ThreadExemption.thread_id == thread_id, ThreadExemption.removed_at.is_(None)
        )
    ).all()
    role, earlier = "", ()
    if sender_id is not None:
        person = session.get(Participant, sender_id)
        role = person.role if person else ""
        rows = session.exec(
            select(Message.action, Message.status, Message.decision)
            .where(
                Message.thread_id == thread_id,
                Message.sender_id == sender_id,
                Message.kind == "inbound",
            )
            .order_by(Message.id.desc())
            .limit(HISTORY_LIMIT)
        ).all()
        earlier = tuple(SenderMessage(r[0], r[1], r[2] or {}) for r in reversed(rows))
    return PolicyState(
        stage=thread.stage if thread else "",
        exemptions=tuple((r[0], r[1]) for r in exemptions),
        sender_role=role,
        earlier=earlier,
    )
