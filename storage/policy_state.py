"""What the policy needs to know about a thread before deciding: stage, exemptions, sender history.

The history is a function of the archive (the sender's earlier messages in the thread: their
actions and recorded decisions, which carry the number fragments for accumulation), and
`history_summary` still computes it from there (replay does, and the tests compare against it).
The live path reads it from `policy_history`, one row per (thread, sender) holding the sums:

- `messages`: the sender's inbound messages in the thread; while it is at most HISTORY_LIMIT
  the sums below are exactly those over the last HISTORY_LIMIT messages; above it, the state is
  recomputed from the messages (the window then drops old ones, which sums cannot).
- `flagged`: those whose action was "flag"; `contact`: those not rejected whose decision's
  categories hold "contact" (shared_contact = contact > 0); `tail`: the newest one's tail.

WHY: reading and decoding up to 500 decisions per message was a tenth of the gateway's CPU and
grew with the thread. The row is written in the transaction (and the group commit's savepoint)
that archives the message, by one atomic UPSERT, after the archive write has locked the thread row:
it commits or rolls back with the message, and two instances on one PostgreSQL cannot lose an
increment. The only other writers of what it sums are a rejected hold (status -> rejected) and
an erasure (decisions emptied); both adjust it in their own transaction. The migration
backfills the rows for mail archived before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Table, cast, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import rawsql
from storage.db import session_scope
from storage.models import Message, Participant, PolicyHistory, Thread, ThreadExemption

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


def counts_contact(status: str, decision: dict[str, Any] | None) -> bool:
    """Whether a message counts towards shared_contact (the test in `summarize`)."""
    return status != "rejected" and "contact" in (decision or {}).get("categories", ())


_HISTORY: Table = PolicyHistory.__table__  # type: ignore[attr-defined]


def load_policy_state(engine: Engine, thread_id: str, sender_id: int | None) -> PolicyState:
    """Everything the decide stage reads from the database, in ONE statement.

    The thread's stage, the sender's role and summary row and the active exemptions come back
    as one row per exemption (or one row without). One statement is one snapshot, so it runs
    outside a transaction (storage.rawsql.read_cursor), as driver SQL: it runs per message.
    """
    with rawsql.read_cursor(engine) as (cursor, sql):
        cursor.execute(sql["policy.state"], (sender_id, sender_id, thread_id))
        rows = cursor.fetchall()
    if not rows or (rows[0][2] or 0) > HISTORY_LIMIT:  # no such thread; or a window to slide
        with session_scope(engine) as session:
            return state_in(session, thread_id, sender_id)
    stage, role, _, flagged, contact, tail = rows[0][:6]
    return PolicyState(
        stage=stage or "",
        exemptions=tuple((r[6], r[7]) for r in rows if r[6] is not None),
        sender_role=role or "",
        flagged=flagged or 0,
        shared_contact=bool(contact),
        tail=tuple(rawsql.loads(tail) or ()),
    )


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """load_policy_state's query and the history UPSERT (storage.archive.write_message) as
    driver SQL: the same texts as the SQLAlchemy statements they replace compiled to."""
    sql.add(
        "policy.state",
        "SELECT thread.stage, participant.role, policy_history.messages, "
        "policy_history.flagged, policy_history.contact, policy_history.tail, "
        "threadexemption.id, threadexemption.scope FROM thread "
        "LEFT OUTER JOIN participant ON participant.id = ? "
        "LEFT OUTER JOIN policy_history ON policy_history.thread_id = thread.id "
        "AND policy_history.sender_id = ? "
        "LEFT OUTER JOIN threadexemption ON threadexemption.thread_id = thread.id "
        "AND threadexemption.removed_at IS NULL "
        "WHERE thread.id = ? ORDER BY threadexemption.id",
    )
    sql.add("policy.upsert", UPSERT, UPSERT.replace("?)", "?::json)", 1))


# Folds one newly archived inbound message into its sender's row, atomically (tail: JSON);
# storage.archive.write_message runs it in the message's transaction and savepoint.
UPSERT = (
    "INSERT INTO policy_history (thread_id, sender_id, messages, flagged, contact, tail) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, sender_id) DO UPDATE SET "
    "messages = (policy_history.messages + excluded.messages), "
    "flagged = (policy_history.flagged + excluded.flagged), "
    "contact = (policy_history.contact + excluded.contact), tail = excluded.tail"
)


def status_changed(
    session: Session,
    thread_id: str,
    sender_id: int | None,
    decision: dict[str, Any] | None,
    old: str,
    new: str,
) -> None:
    """Keep the row right when an archived message's status changes (a hold rejected)."""
    delta = int(counts_contact(new, decision)) - int(counts_contact(old, decision))
    if sender_id is None or not delta:
        return
    session.execute(
        update(_HISTORY)
        .where(_HISTORY.c.thread_id == thread_id, _HISTORY.c.sender_id == sender_id)
        .values(contact=_HISTORY.c.contact + delta)
    )


def decisions_erased(session: Session, thread_id: str) -> None:
    """An erased thread's decisions read as {}: no contact shares, no tails left."""
    session.execute(
        update(_HISTORY).where(_HISTORY.c.thread_id == thread_id).values(contact=0, tail=[])
    )


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
