"""The write side of the archive: a message, its findings and delivery jobs in ONE transaction.

This is invariant 1 (no loss): the SMTP edge answers 250 only after `store_message` returns, and
a failure anywhere inside it rolls everything back, so a message is either wholly archived with
its outbox jobs or not at all (and the client was told 451).

Records are hash-chained per thread (invariant 4, storage.ledger): the received message, its
decision and every outgoing copy each become one ledger entry, appended in the same transaction
with the thread row locked so that concurrent messages of one thread (several instances on
PostgreSQL) cannot fork the chain. `Message.prev_hash`/`chain_hash` are those of the message's
own entry; `Thread.chain_head` is the hash of the thread's last entry.

Bodies are sealed at rest with the thread's key (storage.bodies); the getters here return
plaintext (b"" for a purged or erased body), so readers never see ciphertext.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, or_, select

from storage import blobs, bodies, chunks, ledger, policy_state
from storage.chunks import Chunks
from storage.db import reading, session_scope
from storage.models import Delivery, Finding, Message, utcnow
from storage.search import index_message


@dataclass(frozen=True)
class OutgoingRecord:
    """One recipient's copy, ready for the outbox."""

    recipient: str
    recipient_id: int | None
    envelope_from: str
    verp_token: str
    data: bytes | Chunks  # Chunks: a big copy in pieces (gateway.bigmessage), never joined
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
    index_text: str | None = None  # searchable text already extracted (None: parse `raw`)


def sha256_hex(data: bytes | Chunks) -> str:
    """Hex sha256, the digest used throughout the record."""
    if isinstance(data, Chunks):
        return chunks.sha256_hex(data)
    return hashlib.sha256(data).hexdigest()


def store_message(engine: Engine, record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> int:
    """Archive a message with its findings and delivery jobs atomically; return its id."""
    with session_scope(engine) as session:
        return add_message(session, record, outgoing)


def add_message(session: Session, record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> int:
    """The body of store_message, for callers that need it inside a wider transaction.

    WHY Core inserts: the ORM's unit of work (one flush per dependent step, an UPDATE of the
    message once its chain hash is known) was a tenth of a message's CPU. Here each table gets
    one statement: the message (RETURNING its id, which its ledger ref needs), the findings and
    deliveries in bulk (deliveries RETURNING their ids in order), the ledger entries in one
    executemany with every hash computed beforehand, and one UPDATE of the message's hashes.
    """
    thread = ledger.lock_chain(session, record.thread_id)
    key = bodies.archive_key(session, record.thread_id, thread.key, thread.wrapped)
    digest = sha256_hex(record.raw)
    big_raw = blobs.streams(session, record.raw)  # written into its blob below (storage.blobs)
    message_id = session.execute(
        insert(_MESSAGE).returning(_MESSAGE.c.id),
        {
            "thread_id": record.thread_id,
            "kind": record.kind,
            "sender_id": record.sender_id,
            "received_at": record.received_at,
            "mail_from": record.mail_from,
            "rcpt_tos": list(record.rcpt_tos),
            "peer": record.peer,
            "helo": record.helo,
            "tls": record.tls,
            "smtputf8": record.smtputf8,
            "raw": b"" if big_raw else bodies.seal(key, record.raw, record.thread_id),
            "body_state": bodies.SEALED,
            "size": len(record.raw),
            "sha256": digest,
            "subject": record.subject[:998],
            "original_message_id": record.original_message_id[:998],
            "relayed_message_id": record.relayed_message_id,
            "status": record.status,
            "action": record.action,
            "decision": record.decision,
        },
    ).scalar_one()
    if big_raw:
        blobs.write_sealed(session, _MESSAGE, "raw", message_id, key, record.raw, record.thread_id)
    if record.kind == "inbound":  # the sender's policy history, with the message or not at all
        policy_state.record_inbound(
            session,
            record.thread_id,
            record.sender_id,
            record.action,
            record.status,
            record.decision,
        )
    findings = _finding_rows(message_id, record.findings)
    if findings:
        session.execute(insert(_FINDING), findings)
    big = [blobs.streams(session, o.data) for o in outgoing]
    deliveries = _delivery_rows(message_id, record.thread_id, key, outgoing, big)
    delivery_ids: list[int] = []
    if deliveries:
        delivery_ids = list(
            session.execute(
                insert(_DELIVERY).returning(_DELIVERY.c.id, sort_by_parameter_order=True),
                deliveries,
            ).scalars()
        )
    for row_id, copy, streamed in zip(delivery_ids, outgoing, big, strict=True):
        if streamed:
            blobs.write_sealed(
                session, _DELIVERY, "outgoing", row_id, key, copy.data, record.thread_id
            )
    ref = f"message:{message_id}"
    entries = ledger.append_rows(
        session,
        thread,
        [
            (
                record.kind,
                ref,
                digest,
                ledger.message_meta(record.mail_from, record.rcpt_tos),
                record.received_at,
            ),
            (
                "decision",
                ref,
                ledger.decision_content(record.action, record.decision, findings),
                None,
                record.received_at,
            ),
            *(
                (
                    "outgoing",
                    f"delivery:{row_id}",
                    row["outgoing_sha256"],
                    ledger.delivery_meta(copy.recipient),
                    record.received_at,
                )
                for row_id, row, copy in zip(delivery_ids, deliveries, outgoing, strict=True)
            ),
        ],
    )
    session.execute(
        update(_MESSAGE)
        .where(_MESSAGE.c.id == message_id)
        .values(prev_hash=entries[0]["prev_hash"], chain_hash=entries[0]["hash"])
    )
    if record.kind == "inbound":  # participants' mail; the gateway's own notices are not searched
        # searchable when stored
        index_message(session, message_id, record.raw, record.subject, record.index_text)
    return message_id


_MESSAGE: Table = Message.__table__  # type: ignore[attr-defined]
_FINDING: Table = Finding.__table__  # type: ignore[attr-defined]
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]


def _finding_rows(message_id: int, findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Finding rows (column values), truncating the matched text to the column size."""
    return [
        {
            "message_id": message_id,
            "category": f["category"],
            "kind": f["kind"],
            "text": str(f["text"])[:2000],
            "part": f.get("part", ""),
            "start": f.get("start", 0),
            "end": f.get("end", 0),
            "confidence": f.get("confidence", 1.0),
            "detector": f.get("detector", ""),
        }
        for f in findings
    ]


def _delivery_rows(
    message_id: int,
    thread_id: str,
    key: bytes,
    outgoing: Sequence[OutgoingRecord],
    streamed: Sequence[bool],
) -> list[dict[str, Any]]:
    """Outbox rows (column values) with sealed copies, due now (or held until released).

    A copy marked in `streamed` gets an empty placeholder; add_message writes it afterwards.
    """
    now = utcnow()
    return [
        {
            "message_id": message_id,
            "recipient_id": o.recipient_id,
            "recipient": o.recipient,
            "envelope_from": o.envelope_from,
            "verp_token": o.verp_token,
            "outgoing": b"" if big else bodies.seal(key, o.data, thread_id),
            "body_state": bodies.SEALED,
            "outgoing_sha256": sha256_hex(o.data),
            "relayed_message_id": o.relayed_message_id,
            "status": o.status,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "crashes": 0,
            "last_response": "",
        }
        for o, big in zip(outgoing, streamed, strict=True)
    ]


def known_messages(
    engine: Engine, thread_id: str, ids: Sequence[str]
) -> list[tuple[str, str, int | None]]:
    """(original id, relayed id, sender id) of the thread's messages that any of `ids` names."""
    if not ids:
        return []
    with reading(engine) as conn:  # one statement, on every reply: no transaction around it
        rows = conn.execute(
            select(
                Message.original_message_id, Message.relayed_message_id, Message.sender_id
            ).where(
                Message.thread_id == thread_id,
                or_(Message.original_message_id.in_(ids), Message.relayed_message_id.in_(ids)),
            )
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]


def get_message(engine: Engine, message_id: int) -> Message | None:
    """One archived message (detached, `raw` in plaintext; b"" if purged or erased), or None."""
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        if message is None:
            return None
        return opened_messages(session, [message])[0]


def deliveries_of(engine: Engine, message_id: int) -> list[Delivery]:
    """The outbox rows of one message, in recipient order (detached, `outgoing` in plaintext)."""
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        rows = list(
            session.exec(
                select(Delivery).where(Delivery.message_id == message_id).order_by(Delivery.id)
            ).all()
        )
        if message is None:
            return rows
        return opened_deliveries(session, rows, {row.id: message.thread_id for row in rows})


def findings_of(engine: Engine, message_id: int) -> list[Finding]:
    """The findings recorded for one message."""
    with session_scope(engine) as session:
        return list(session.exec(select(Finding).where(Finding.message_id == message_id)).all())


def messages_of(engine: Engine, thread_id: str) -> list[Message]:
    """A thread's archived messages in the order they were received (detached, plaintext)."""
    with session_scope(engine) as session:
        rows = list(
            session.exec(
                select(Message).where(Message.thread_id == thread_id).order_by(Message.id)
            ).all()
        )
        return opened_messages(session, rows)


def opened_messages(session: Session, rows: list[Message]) -> list[Message]:
    """Detach the rows and replace each sealed `raw` by its plaintext (never written back)."""
    keys = bodies.thread_keys(session, {m.thread_id for m in rows})
    for message in rows:
        session.expunge(message)
        plain = bodies.readable(
            message.body_state, message.raw, keys.get(message.thread_id), message.thread_id
        )
        set_committed_value(message, "raw", plain)  # see opened_deliveries
    return rows


def opened_deliveries(
    session: Session, rows: list[Delivery], thread_of: dict[int, str]
) -> list[Delivery]:
    """Detach delivery rows and replace each sealed `outgoing` by its plaintext.

    `thread_of` maps delivery id -> thread id (the caller usually knows it already).
    """
    session.flush()  # pending changes (e.g. a lease) must be written before detaching
    keys = bodies.thread_keys(session, set(thread_of.values()))
    for row in rows:
        thread_id = thread_of[row.id]
        plain = bodies.readable(row.body_state, row.outgoing, keys.get(thread_id), thread_id)
        session.expunge(row)
        # Not a change to remember: a plain assignment would keep the sealed bytes alive in the
        # row's history (a second full-size copy of a big message during its delivery).
        set_committed_value(row, "outgoing", plain)
    return rows
