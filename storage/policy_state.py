"""What the policy needs to know about a thread before deciding: stage, exemptions, sender history.

Nothing here is a new store: the history is read from the archive itself (the earlier messages'
actions and their recorded decisions, which carry the number fragments for accumulation). So
the state is exactly as durable and as consistent as the record, and replay can rebuild it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Message, Participant, Thread, ThreadExemption

HISTORY_LIMIT = 500  # earlier messages of one sender looked at (escalation counts within these)


@dataclass(frozen=True)
class PolicyState:
    """Thread stage, active exemptions (id, scope), the sender's role and history summary."""

    stage: str = ""
    exemptions: tuple[tuple[int, str], ...] = ()
    sender_role: str = ""
    flagged: int = 0  # earlier messages of the sender in the thread with action "flag"
    shared_contact: bool = False  # an earlier, not rejected one had a contact finding acted on
    tail: tuple[str, ...] = ()  # number fragments the sender's last message left


def summarize(rows: list[tuple[str, str, dict[str, Any]]]) -> tuple[int, bool, tuple[str, ...]]:
    """(flagged, shared_contact, tail) over (action, status, decision) rows, oldest first."""
    flagged = sum(1 for action, _, _ in rows if action == "flag")
    shared = any(
        status != "rejected" and "contact" in (decision or {}).get("categories", ())
        for _, status, decision in rows
    )
    tail = tuple((rows[-1][2] or {}).get("tail", ())) if rows else ()
    return flagged, shared, tail


def load_policy_state(engine: Engine, thread_id: str, sender_id: int | None) -> PolicyState:
    """Everything the decide stage reads from the database, in one short transaction."""
    with session_scope(engine) as session:
        return state_in(session, thread_id, sender_id)


def state_in(
    session: Session, thread_id: str, sender_id: int | None, before_id: int | None = None
) -> PolicyState:
    """load_policy_state inside a caller's session (`before_id`: only older messages count)."""
    stage = session.exec(select(Thread.stage).where(Thread.id == thread_id)).first()
    exemptions = session.exec(
        select(ThreadExemption.id, ThreadExemption.scope).where(
            ThreadExemption.thread_id == thread_id, ThreadExemption.removed_at.is_(None)
        )
    ).all()
    role, summary = "", (0, False, ())
    if sender_id is not None:
        role = session.exec(select(Participant.role).where(Participant.id == sender_id)).first()
        summary = history_summary(session, thread_id, sender_id, before_id)
    return PolicyState(
        stage=stage or "",
        exemptions=tuple((r[0], r[1]) for r in exemptions),
        sender_role=role or "",
        flagged=summary[0],
        shared_contact=summary[1],
        tail=summary[2],
    )


def history_summary(
    session: Session, thread_id: str, sender_id: int, before_id: int | None = None
) -> tuple[int, bool, tuple[str, ...]]:
    """`summarize` over the sender's last HISTORY_LIMIT messages, decoding only what it needs.

    WHY: JSON-decoding up to 500 earlier decisions per message grew with the thread. The
    decisions are read here as their stored JSON text and only the newest one (for the tail)
    and the not rejected ones whose text mentions "contact" at all (a superset) are decoded,
    newest first, stopping at the first whose categories really hold it: the same answer as
    `summarize` in one query as before, without the per-row decoding.
    """
    query = (
        select(Message.action, Message.status, cast(Message.decision, String))
        .where(
            Message.thread_id == thread_id,
            Message.sender_id == sender_id,
            Message.kind == "inbound",
        )
        .order_by(Message.id.desc())
        .limit(HISTORY_LIMIT)
    )
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = session.exec(query).all()  # newest first
    if not rows:
        return 0, False, ()
    flagged = sum(1 for action, _, _ in rows if action == "flag")
    tail = tuple((_decoded(rows[0][2])).get("tail", ()))
    shared = any(
        status != "rejected"
        and "contact" in (text or "")
        and "contact" in _decoded(text).get("categories", ())
        for _, status, text in rows
    )
    return flagged, shared, tail


def _decoded(text: str | None) -> dict[str, Any]:
    """A decision as stored (JSON text; null or absent reads as {}, as `summarize` has it)."""
    return (json.loads(text) if text else None) or {}
