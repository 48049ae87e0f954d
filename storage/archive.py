"""The write side of the archive: a message, its findings and delivery jobs in ONE transaction.

This is invariant 1 (no loss): the SMTP edge answers 250 only after `store_message` returns, and
a failure anywhere inside it rolls everything back, so a message is either wholly archived with
its outbox jobs or not at all (and the client was told 451).

Records are hash-chained per thread (invariant 4): each message's `chain_hash` covers the
previous head of its thread, its raw bytes' sha256, its decision and every outgoing copy's sha256.
The thread row is locked while the chain advances so that concurrent messages of one thread
(several instances on PostgreSQL) cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, or_, select

from storage.db import session_scope
from storage.models import Delivery, Finding, Message, Thread, utcnow
from storage.search import index_message


@dataclass(frozen=True)
class OutgoingRecord:
    """One recipient's copy, ready for the outbox."""

    recipient: str
    recipient_id: int | None
    envelope_from: str
    verp_token: str
    data: bytes
    relayed_message_id: str
    status: str = "queued"  # queued | held


@dataclass(frozen=True)
class MessageRecord:
    """Everything archived about one message as received (or one notice as written)."""

    thread_id: str
    raw: bytes
    kind: str = "inbound"
    sender_id: int | None = None
    received_at: datetime = field(default_factory=utcnow)
    mail_from: str = ""
    rcpt_tos: tuple[str, ...] = ()
    peer: str = ""
    helo: str = ""
    tls: bool = False
    smtputf8: bool = False
    subject: str = ""
    original_message_id: str = ""
    relayed_message_id: str = ""
    status: str = "accepted"
    action: str = "deliver"
    decision: dict[str, Any] = field(default_factory=dict)
    findings: tuple[dict[str, Any], ...] = ()


def sha256_hex(data: bytes) -> str:
    """Hex sha256, the digest used throughout the record."""
    return hashlib.sha256(data).hexdigest()


def chain_hash(
    prev: str, content_sha256: str, decision: dict[str, Any], outgoing: Sequence[str]
) -> str:
    """The hash that links a record to its predecessor in the thread's chain."""
    payload = json.dumps(
        {"prev": prev, "sha256": content_sha256, "decision": decision, "outgoing": list(outgoing)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return sha256_hex(payload.encode())


def store_message(engine: Engine, record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> int:
    """Archive a message with its findings and delivery jobs atomically; return its id."""
    with session_scope(engine) as session:
        return add_message(session, record, outgoing)


def add_message(session: Session, record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> int:
    """The body of store_message, for callers that need it inside a wider transaction."""
    thread = session.exec(
        select(Thread).where(Thread.id == record.thread_id).with_for_update()
    ).one()
    digest = sha256_hex(record.raw)
    out_digests = [sha256_hex(o.data) for o in outgoing]
    message = Message(
        thread_id=record.thread_id,
        kind=record.kind,
        sender_id=record.sender_id,
        received_at=record.received_at,
        mail_from=record.mail_from,
        rcpt_tos=list(record.rcpt_tos),
        peer=record.peer,
        helo=record.helo,
        tls=record.tls,
        smtputf8=record.smtputf8,
        raw=record.raw,
        size=len(record.raw),
        sha256=digest,
        subject=record.subject[:998],
        original_message_id=record.original_message_id[:998],
        relayed_message_id=record.relayed_message_id,
        status=record.status,
        action=record.action,
        decision=record.decision,
        prev_hash=thread.chain_head,
        chain_hash=chain_hash(thread.chain_head, digest, record.decision, out_digests),
    )
    session.add(message)
    session.flush()
    thread.chain_head = message.chain_hash
    session.add(thread)
    session.add_all(_finding_rows(message.id, record.findings))
    session.add_all(_delivery_rows(message.id, outgoing, out_digests))
    index_message(session, message.id, record.raw, record.subject)  # searchable when stored
    return message.id


def _finding_rows(message_id: int, findings: Sequence[dict[str, Any]]) -> list[Finding]:
    """Finding rows, truncating the matched text to the column size."""
    return [
        Finding(
            message_id=message_id,
            category=f["category"],
            kind=f["kind"],
            text=str(f["text"])[:2000],
            part=f.get("part", ""),
            start=f.get("start", 0),
            end=f.get("end", 0),
            confidence=f.get("confidence", 1.0),
            detector=f.get("detector", ""),
        )
        for f in findings
    ]


def _delivery_rows(
    message_id: int, outgoing: Sequence[OutgoingRecord], digests: list[str]
) -> list[Delivery]:
    """Outbox rows, due now (or held until support releases them)."""
    now = utcnow()
    return [
        Delivery(
            message_id=message_id,
            recipient_id=o.recipient_id,
            recipient=o.recipient,
            envelope_from=o.envelope_from,
            verp_token=o.verp_token,
            outgoing=o.data,
            outgoing_sha256=digest,
            relayed_message_id=o.relayed_message_id,
            status=o.status,
            next_attempt_at=now,
        )
        for o, digest in zip(outgoing, digests, strict=True)
    ]


def known_messages(
    engine: Engine, thread_id: str, ids: Sequence[str]
) -> list[tuple[str, str, int | None]]:
    """(original id, relayed id, sender id) of the thread's messages that any of `ids` names."""
    if not ids:
        return []
    with session_scope(engine) as session:
        rows = session.exec(
            select(
                Message.original_message_id, Message.relayed_message_id, Message.sender_id
            ).where(
                Message.thread_id == thread_id,
                or_(Message.original_message_id.in_(ids), Message.relayed_message_id.in_(ids)),
            )
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]


def get_message(engine: Engine, message_id: int) -> Message | None:
    """One archived message (detached), or None."""
    with session_scope(engine) as session:
        return session.get(Message, message_id)


def deliveries_of(engine: Engine, message_id: int) -> list[Delivery]:
    """The outbox rows of one message, in recipient order."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Delivery).where(Delivery.message_id == message_id).order_by(Delivery.id)
            ).all()
        )


def findings_of(engine: Engine, message_id: int) -> list[Finding]:
    """The findings recorded for one message."""
    with session_scope(engine) as session:
        return list(session.exec(select(Finding).where(Finding.message_id == message_id)).all())


def messages_of(engine: Engine, thread_id: str) -> list[Message]:
    """A thread's archived messages in the order they were received."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.thread_id == thread_id).order_by(Message.id)
            ).all()
        )
