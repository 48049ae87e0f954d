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


# ------------------------------------------------------------ policy stub (web branch)
# Stage and per-thread exemptions: minimal versions of the `policy` helper's contract, so the
# web UI and the API can be built and tested; the policy helper's implementations replace these.

STAGES = ("inquiry", "contract", "closed")
EXEMPTION_SCOPES = ("contact", "payment", "all")


class ExemptionNotFound(LookupError):
    """No exemption with this id in this thread."""


def set_stage(engine: Engine, thread_id: str, stage: str, *, actor: str) -> Thread:
    """Move a thread to a stage; "closed" also closes it (its relay addresses refuse mail)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            raise ThreadNotFound(thread_id)
        before = thread.stage
        thread.stage = stage
        if stage == "closed" and thread.status != "closed":
            thread.status = "closed"
            thread.closed_at = utcnow()
        session.add(thread)
        session.add(
            AuditEvent(
                actor=actor,
                action="thread.stage",
                target_type="thread",
                target_id=thread_id,
                details={"from": before, "to": stage},
            )
        )
        return thread


def add_exemption(engine: Engine, thread_id: str, *, scope: str, actor: str, reason: str) -> int:
    """Exempt a thread from the policy for one category (or "all"); returns the exemption id."""
    from storage.models import ThreadExemption

    if scope not in EXEMPTION_SCOPES:
        raise ValueError(f"scope must be one of {', '.join(EXEMPTION_SCOPES)}")
    with session_scope(engine) as session:
        if session.get(Thread, thread_id) is None:
            raise ThreadNotFound(thread_id)
        row = ThreadExemption(thread_id=thread_id, scope=scope, actor=actor, reason=reason)
        session.add(row)
        session.flush()
        session.add(
            AuditEvent(
                actor=actor,
                action="exemption.add",
                target_type="thread",
                target_id=thread_id,
                details={"exemption_id": row.id, "scope": scope, "reason": reason},
            )
        )
        return row.id


def remove_exemption(engine: Engine, thread_id: str, exemption_id: int, *, actor: str) -> None:
    """Remove one exemption of a thread (ThreadNotFound / ExemptionNotFound otherwise)."""
    from storage.models import ThreadExemption

    with session_scope(engine) as session:
        if session.get(Thread, thread_id) is None:
            raise ThreadNotFound(thread_id)
        row = session.get(ThreadExemption, exemption_id)
        if row is None or row.thread_id != thread_id:
            raise ExemptionNotFound(exemption_id)
        session.delete(row)
        session.add(
            AuditEvent(
                actor=actor,
                action="exemption.remove",
                target_type="thread",
                target_id=thread_id,
                details={"exemption_id": exemption_id, "scope": row.scope},
            )
        )


def list_exemptions(engine: Engine, thread_id: str) -> list:
    """A thread's exemptions, oldest first."""
    from storage.models import ThreadExemption

    with session_scope(engine) as session:
        return list(
            session.exec(
                select(ThreadExemption)
                .where(ThreadExemption.thread_id == thread_id)
                .order_by(ThreadExemption.id)
            ).all()
        )
