"""Queries for the anti-abuse code: automatic mail already relayed, the postmaster thread.

Kept apart from storage/archive.py (the write path every message takes) because only the
automatic-mail rule and the postmaster mailbox use them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import session_scope
from storage.models import Message, Thread

RELAYED_RULE = "automatic.relayed"


def automatic_relayed_since(
    engine: Engine, thread_id: str, sender_id: int, since: datetime
) -> bool:
    """True if an automatic message of this sender in this thread was relayed since `since`."""
    with session_scope(engine) as session:
        decisions = session.exec(
            select(Message.decision).where(
                Message.thread_id == thread_id,
                Message.sender_id == sender_id,
                Message.kind == "inbound",
                Message.received_at >= since,
            )
        ).all()
    return any(isinstance(d, dict) and d.get("rule") == RELAYED_RULE for d in decisions)


def ensure_system_thread(engine: Engine, thread_id: str, subject: str) -> None:
    """Create the thread that holds mail to postmaster@/abuse@ (no participants), once."""
    with session_scope(engine) as session:
        if session.get(Thread, thread_id) is not None:
            return
    try:
        with session_scope(engine) as session:
            session.add(Thread(id=thread_id, subject=subject, status="system"))
    except IntegrityError:  # another instance created it at the same moment
        pass
