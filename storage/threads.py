"""Creating, closing and reading threads and their participants (the write side for threads).

Relay local parts come from the caller's generator; uniqueness is enforced by the database and a
collision (astronomically rare at 80+ bits) is retried with a fresh value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage import rawsql
from storage.db import session_scope
from storage.models import AuditEvent, Participant, Thread, ThreadExemption, utcnow


@dataclass(frozen=True)
class NewParticipant:
    """A participant to add: role, display name and real address."""

    role: str
    display_name: str
    address: str


class ThreadNotFound(LookupError):
    """No thread has this id."""


class ExemptionNotFound(LookupError):
    """The thread has no active exemption with this id."""


STAGES = ("inquiry", "contract", "closed")


def create_thread(
    engine: Engine,
    *,
    thread_id: str,
    subject: str,
    participants: Sequence[NewParticipant],
    new_local: Callable[[NewParticipant], str],
    external_ref: str | None = None,
    actor: str = "cli",
    attempts: int = 5,
) -> tuple[Thread, list[Participant]]:
    """Store a thread with its participants in one transaction; retry on a relay-part collision."""
    for attempt in range(attempts):
        try:
            return _insert_thread(
                engine, thread_id, subject, participants, new_local, external_ref, actor
            )
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _insert_thread(engine, thread_id, subject, participants, new_local, external_ref, actor):
    """The single transaction behind create_thread."""
    with session_scope(engine) as session:
        thread = Thread(id=thread_id, subject=subject, external_ref=external_ref)
        session.add(thread)
        session.flush()  # the thread row must exist before rows that reference it
        rows = [
            Participant(
                thread_id=thread_id,
                role=p.role,
                display_name=p.display_name,
                address=p.address.lower(),
                relay_local=new_local(p).lower(),
            )
            for p in participants
        ]
        session.add_all(rows)
        session.add(
            AuditEvent(
                actor=actor,
                action="thread.create",
                target_type="thread",
                target_id=thread_id,
                details={"participants": len(rows), "external_ref": external_ref},
            )
        )
        session.flush()
        return thread, rows


def close_thread(engine: Engine, thread_id: str, *, actor: str = "cli") -> Thread:
    """Mark a thread closed: its relay addresses then refuse mail with 550 5.7.1."""
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ThreadNotFound(thread_id)
        if thread.status != "closed":
            thread.status = "closed"
            thread.closed_at = utcnow()
            session.add(
                AuditEvent(
                    actor=actor, action="thread.close", target_type="thread", target_id=thread_id
                )
            )
        return thread


def get_thread(engine: Engine, thread_id: str) -> tuple[Thread, list[Participant]]:
    """A thread and its participants, or ThreadNotFound."""
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ThreadNotFound(thread_id)
        people = session.exec(
            select(Participant).where(Participant.thread_id == thread_id).order_by(Participant.id)
        ).all()
        return thread, list(people)


@dataclass(frozen=True)
class ThreadHead:
    """The thread columns the SMTP edge needs (a plain row, not a tracked ORM object)."""

    id: str
    subject: str
    status: str


@dataclass(frozen=True)
class ParticipantView:
    """The participant columns the SMTP edge needs."""

    id: int
    role: str
    display_name: str
    address: str
    relay_local: str


def find_by_relay_local(
    engine: Engine, local: str
) -> tuple[ThreadHead, list[ParticipantView]] | None:
    """The thread (with all participants) that owns this relay local part, if any.

    One query of plain columns, as driver SQL (storage.rawsql): it runs at every RCPT.
    """
    with rawsql.read_cursor(engine) as (cursor, sql):  # one statement: no transaction needed
        cursor.execute(sql["threads.by_relay_local"], (local.lower(),))
        rows = cursor.fetchall()
    if not rows:
        return None
    thread = ThreadHead(*rows[0][:3])
    return thread, [ParticipantView(*row[3:]) for row in rows]


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """find_by_relay_local's query: the owning thread and all its participants, in id order."""
    sql.add(
        "threads.by_relay_local",
        "SELECT thread.id, thread.subject, thread.status, participant.id, participant.role, "
        "participant.display_name, participant.address, participant.relay_local "
        "FROM thread JOIN participant ON participant.thread_id = thread.id "
        "WHERE thread.id = (SELECT participant.thread_id FROM participant "
        "WHERE participant.relay_local = ? LIMIT 1) ORDER BY participant.id",
    )


def set_stage(engine: Engine, thread_id: str, stage: str, *, actor: str) -> Thread:
    """Move a thread to another stage (inquiry, contract, closed); recorded as an audit event.

    The stage is what stage-aware policy rules look at: marketplaces are stricter before a
    contract exists, because that is when parties try to move off the platform.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ThreadNotFound(thread_id)
        previous = thread.stage
        thread.stage = stage
        session.add(thread)
        session.add(
            AuditEvent(
                actor=actor,
                action="thread.stage",
                target_type="thread",
                target_id=thread_id,
                details={"from": previous, "to": stage},
            )
        )
        return thread


def add_exemption(engine: Engine, thread_id: str, *, scope: str, actor: str, reason: str) -> int:
    """Exempt a thread from the policy for one scope (a category, a kind or "all"); its id.

    Who and why are required: an exemption changes what the policy does, so the record must say
    who decided it.
    """
    scope = scope.strip().lower()
    if not scope or len(scope) > 32 or not scope.replace("_", "").isalnum():
        raise ValueError(f"{scope!r} is not a scope: use a category, a kind or 'all'")
    if not reason.strip():
        raise ValueError("an exemption needs a reason")
    with session_scope(engine) as session:
        if session.get(Thread, thread_id) is None:
            raise ThreadNotFound(thread_id)
        row = ThreadExemption(thread_id=thread_id, scope=scope, actor=actor, reason=reason)
        session.add(row)
        session.flush()
        session.add(
            AuditEvent(
                actor=actor,
                action="thread.exempt",
                target_type="thread",
                target_id=thread_id,
                details={"exemption_id": row.id, "scope": scope, "reason": reason},
            )
        )
        return row.id


def remove_exemption(engine: Engine, thread_id: str, exemption_id: int, *, actor: str) -> None:
    """End an exemption (the row stays, marked removed, for the record)."""
    with session_scope(engine) as session:
        row = session.get(ThreadExemption, exemption_id)
        if row is None or row.thread_id != thread_id or row.removed_at is not None:
            raise ExemptionNotFound(f"thread {thread_id} has no active exemption {exemption_id}")
        row.removed_at = utcnow()
        row.removed_by = actor
        session.add(row)
        session.add(
            AuditEvent(
                actor=actor,
                action="thread.unexempt",
                target_type="thread",
                target_id=thread_id,
                details={"exemption_id": exemption_id, "scope": row.scope},
            )
        )


def list_exemptions(engine: Engine, thread_id: str) -> list[ThreadExemption]:
    """The thread's active exemptions, oldest first."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(ThreadExemption)
                .where(
                    ThreadExemption.thread_id == thread_id,
                    ThreadExemption.removed_at.is_(None),
                )
                .order_by(ThreadExemption.id)
            ).all()
        )
