"""Policy replay: what a candidate policy would have done to archived mail. Changes nothing.

Archived inbound messages (the raw bytes as received) are parsed, scanned with the candidate's
scanner settings and decided with the candidate's policy through the same `evaluate` the live
decide stage uses. Thread history (flag counts, contact shares, number fragments) is rebuilt
from the candidate's own decisions in arrival order, because a stricter policy changes the
history that later escalation looks at. Messages before `--since` seed that history with their
recorded decisions. Thread stage and exemptions are those in force now (the record keeps their
changes as audit events, not as a timeline the replay could follow).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from gateway import mime
from gateway.config import ACTIONS, Settings
from gateway.policy.engine import PolicyView
from gateway.policy.provenance import evaluate
from gateway.services import build_scanner
from storage import bodies
from storage.db import session_scope
from storage.models import Message, Participant, Thread, ThreadExemption
from storage.policy_state import PolicyState, state_in

BATCH = 500


@dataclass(frozen=True)
class Change:
    """One message whose action differs under the candidate."""

    message_id: int
    thread_id: str
    received_at: datetime
    subject: str
    current: str
    candidate: str
    current_rule: str
    candidate_rule: str


@dataclass
class ReplayReport:
    """Counts per action for the current record and the candidate, and every change."""

    messages: int = 0
    unreadable: int = 0  # bodies purged past retention or erased: nothing left to scan
    current: Counter = field(default_factory=Counter)
    candidate: Counter = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)
    policy_version: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "unreadable": self.unreadable,
            "candidate_policy_version": self.policy_version,
            "seconds": round(self.seconds, 3),
            "messages_per_second": round(self.messages / self.seconds, 1) if self.seconds else 0,
            "current": {a: self.current.get(a, 0) for a in ACTIONS},
            "candidate": {a: self.candidate.get(a, 0) for a in ACTIONS},
            "changes": [
                {
                    "message_id": c.message_id,
                    "thread_id": c.thread_id,
                    "received_at": c.received_at.isoformat(),
                    "subject": c.subject,
                    "current": c.current,
                    "candidate": c.candidate,
                    "current_rule": c.current_rule,
                    "candidate_rule": c.candidate_rule,
                }
                for c in self.changes
            ],
        }


@dataclass
class _SenderState:
    """The candidate's running history for one sender in one thread."""

    flagged: int = 0
    shared_contact: bool = False
    tail: tuple[str, ...] = ()


def _filters(query, since: datetime | None, thread_id: str | None):
    query = query.where(Message.kind == "inbound")
    if since is not None:
        query = query.where(Message.received_at >= since)
    if thread_id is not None:
        query = query.where(Message.thread_id == thread_id)
    return query


def count_messages(
    engine: Engine, *, since: datetime | None = None, thread_id: str | None = None
) -> int:
    """How many archived inbound messages a replay with these filters reads."""
    with session_scope(engine) as session:
        return session.exec(_filters(select(func.count(Message.id)), since, thread_id)).one()


def replay(
    engine: Engine,
    candidate: Settings,
    *,
    since: datetime | None = None,
    thread_id: str | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Archived inbound mail through `candidate`'s scanner and policy: a report, no changes."""
    started = time.perf_counter()
    scanner = build_scanner(candidate)
    view = PolicyView.of(candidate.policy)
    report = ReplayReport(policy_version=view.version)
    senders: dict[tuple[str, int | None], _SenderState] = {}
    with session_scope(engine) as session:
        threads = _thread_context(session)
        roles = dict(session.exec(select(Participant.id, Participant.role)).all())
        last_id = 0
        while True:
            rows = session.exec(
                _filters(
                    select(
                        Message.id,
                        Message.thread_id,
                        Message.sender_id,
                        Message.raw,
                        Message.body_state,
                        Message.action,
                        Message.status,
                        Message.decision,
                        Message.received_at,
                        Message.subject,
                    ),
                    since,
                    thread_id,
                )
                .where(Message.id > last_id)
                .order_by(Message.id)
                .limit(BATCH if limit is None else min(BATCH, limit - report.messages))
            ).all()
            if not rows:
                break
            keys = bodies.thread_keys(session, {row.thread_id for row in rows})
            for row in rows:
                # bodies are sealed at rest (storage.bodies); purged or erased ones read as b""
                raw = bodies.readable(
                    row.body_state, row.raw, keys.get(row.thread_id), row.thread_id
                )
                key = (row.thread_id, row.sender_id)
                if key not in senders:
                    senders[key] = _seed(session, row, since)
                _one(scanner, view, report, threads, roles, senders[key], row, raw)
            last_id = rows[-1].id
            if progress:
                progress(len(rows))
            if limit is not None and report.messages >= limit:
                break
    report.seconds = time.perf_counter() - started
    return report


def _thread_context(session: Session) -> dict[str, tuple[str, tuple[tuple[int, str], ...]]]:
    """thread id -> (stage, active exemptions) for every thread, read once."""
    stages = dict(session.exec(select(Thread.id, Thread.stage)).all())
    exemptions: dict[str, list[tuple[int, str]]] = {}
    for tid, eid, scope in session.exec(
        select(ThreadExemption.thread_id, ThreadExemption.id, ThreadExemption.scope).where(
            ThreadExemption.removed_at.is_(None)
        )
    ).all():
        exemptions.setdefault(tid, []).append((eid, scope))
    return {tid: (stage, tuple(exemptions.get(tid, ()))) for tid, stage in stages.items()}


def _seed(session: Session, row, since: datetime | None) -> _SenderState:
    """A sender's history before the first replayed message: recorded decisions (with --since)."""
    if since is None:
        return _SenderState()
    state = state_in(session, row.thread_id, row.sender_id, before_id=row.id)
    return _SenderState(state.flagged, state.shared_contact, state.tail)


def _one(scanner, view, report, threads, roles, sender: _SenderState, row, raw: bytes) -> None:
    """Decide one archived message under the candidate and fold it into the report."""
    stage, exemptions = threads.get(row.thread_id, ("", ()))
    state = PolicyState(
        stage=stage,
        exemptions=exemptions,
        sender_role=roles.get(row.sender_id, ""),
        flagged=sender.flagged,
        shared_contact=sender.shared_contact,
        tail=sender.tail,
    )
    message = mime.parse(raw)
    decision, _ = evaluate(scanner, view, message, scanner.scan(message), state)
    sender.flagged += decision.action == "flag"
    if decision.action != "reject" and "contact" in decision.provenance.get("categories", ()):
        sender.shared_contact = True
    sender.tail = tuple(decision.provenance.get("tail", ()))
    report.messages += 1
    report.current[row.action] += 1
    report.candidate[decision.action] += 1
    if decision.action != row.action:
        report.changes.append(
            Change(
                message_id=row.id,
                thread_id=row.thread_id,
                received_at=row.received_at,
                subject=row.subject,
                current=row.action,
                candidate=decision.action,
                current_rule=(row.decision or {}).get("rule", ""),
                candidate_rule=decision.rule,
            )
        )
