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

from storage.db import session_scope
from storage.models import AuditEvent, Participant, Thread, utcnow


@dataclass(frozen=True)
class NewParticipant:
    """A participant to add: role, display name and real address."""

    role: str
    display_name: str
    address: str


class ThreadNotFound(LookupError):
    """No thread has this id."""


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


def find_by_relay_local(engine: Engine, local: str) -> tuple[Thread, list[Participant]] | None:
    """The thread (with all participants) that owns this relay local part, if any."""
    with session_scope(engine) as session:
        owner = session.exec(
            select(Participant).where(Participant.relay_local == local.lower())
        ).first()
        if owner is None:
            return None
        thread = session.get(Thread, owner.thread_id)
        people = session.exec(
            select(Participant).where(Participant.thread_id == owner.thread_id)
        ).all()
        return thread, list(people)
