"""Every table of the archive and the outbox, in one module (SQLModel's advice: no import cycles).

The archive is the platform's "cc support" record: `Message.raw` keeps the bytes exactly as
received and `Delivery.outgoing` exactly what each recipient was sent. Times are timezone-aware
UTC (`utcnow()`); SQLModel's UTCDateTime stores them the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC now: what every timestamp column holds."""
    return datetime.now(UTC)


class Thread(SQLModel, table=True):
    """A conversation between participants; mail is accepted only while it is open."""

    id: str = Field(primary_key=True, max_length=32)
    subject: str = Field(default="", max_length=998)
    status: str = Field(default="open", max_length=16, index=True)  # open | closed
    external_ref: str | None = Field(default=None, max_length=255, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    chain_head: str = Field(default="", max_length=64)  # hash of the last archived record
    stage: str = Field(default="", max_length=16)  # inquiry|contract|closed; "" = policy default
    # The record (issue 4): ledger length, legal hold (blocks purge and erasure), erasure time.
    chain_length: int = 0
    legal_hold: bool = False
    legal_hold_reason: str = Field(default="", max_length=2000)
    erased_at: datetime | None = None


class Participant(SQLModel, table=True):
    """A person in a thread, with the real address only the gateway knows."""

    __table_args__ = (UniqueConstraint("thread_id", "address", name="uq_participant_address"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(foreign_key="thread.id", index=True, max_length=32)
    role: str = Field(max_length=32)  # client | freelancer | ...
    display_name: str = Field(default="", max_length=255)
    address: str = Field(max_length=320)  # real address, lower-cased
    relay_local: str = Field(max_length=64, unique=True)  # lower-cased local part


class Message(SQLModel, table=True):
    """One received message (or a notice the gateway wrote), with its envelope and decision."""

    __table_args__ = (Index("ix_message_thread_received", "thread_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(foreign_key="thread.id", max_length=32)
    kind: str = Field(default="inbound", max_length=16)  # inbound | notice | dsn
    sender_id: int | None = Field(default=None, foreign_key="participant.id")
    received_at: datetime = Field(default_factory=utcnow)
    mail_from: str = Field(default="", max_length=998)
    rcpt_tos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    peer: str = Field(default="", max_length=255)
    helo: str = Field(default="", max_length=255)
    tls: bool = False
    smtputf8: bool = False
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    sha256: str = Field(max_length=64)
    subject: str = Field(default="", max_length=998)
    original_message_id: str = Field(default="", max_length=998, index=True)
    relayed_message_id: str = Field(default="", max_length=998, index=True)
    status: str = Field(default="accepted", max_length=16, index=True)
    action: str = Field(default="deliver", max_length=16, index=True)
    decision: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(default="", max_length=64)  # of this message's ledger entry
    chain_hash: str = Field(default="", max_length=64)  # hash of this message's ledger entry
    # plain (archived before sealing) | sealed (storage.bodies) | purged | erased
    body_state: str = Field(default="plain", max_length=8)


class Finding(SQLModel, table=True):
    """What the scanner found in a message: the evidence behind a decision."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    category: str = Field(max_length=16)  # contact | payment
    kind: str = Field(max_length=32)
    text: str = Field(max_length=2000)
    part: str = Field(default="", max_length=64)
    start: int = 0
    end: int = 0
    confidence: float = 1.0
    detector: str = Field(default="", max_length=64)


class Delivery(SQLModel, table=True):
    """One outgoing copy for one recipient, and its journey through the outbox."""

    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="participant.id")
    recipient: str = Field(max_length=320)  # the real address it goes to
    envelope_from: str = Field(default="", max_length=320)  # VERP address, "" for notices
    verp_token: str = Field(max_length=64, unique=True)
    outgoing: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    outgoing_sha256: str = Field(max_length=64)
    relayed_message_id: str = Field(default="", max_length=998)
    status: str = Field(default="queued", max_length=16)  # queued|held|delivered|failed|bounced
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    last_response: str = Field(default="", max_length=2000)
    finished_at: datetime | None = None
    # Attempts that ended in a crash (the transport raised, or the process died holding the
    # lease) rather than in an answer; at [delivery] poison_after the job is set aside with
    # status "poisoned". `gateway queue purge-failed` turns old failed/poisoned rows "purged".
    crashes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    body_state: str = Field(default="plain", max_length=8)  # as Message.body_state


class AuditEvent(SQLModel, table=True):
    """Who in support or administration did what, and why."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=255)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=32)
    target_id: str = Field(max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ThreadExemption(SQLModel, table=True):
    """Support exempted a thread from part of the policy (a category, a kind or "all").

    Rows are never deleted: removing an exemption sets `removed_at`, so the record shows which
    exemptions were in force when any message was decided.
    """

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(foreign_key="thread.id", index=True, max_length=32)
    scope: str = Field(max_length=32)
    actor: str = Field(max_length=255)
    reason: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None
    removed_by: str | None = Field(default=None, max_length=255)


class WebSession(SQLModel, table=True):
    """A support login: the cookie holds a random token, the table only its sha256.

    Server-side so that logging out, a changed role or a removed account take effect at once.
    """

    token_hash: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=64, index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class LedgerEntry(SQLModel, table=True):
    """One record of a thread's tamper-evident chain (storage.ledger explains the hash)."""

    __tablename__ = "ledger"
    __table_args__ = (UniqueConstraint("thread_id", "seq", name="uq_ledger_thread_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(foreign_key="thread.id", max_length=32)
    seq: int  # 1, 2, 3, ... within the thread
    kind: str = Field(max_length=16)  # inbound|notice|dsn|decision|outgoing|support|...
    ref: str = Field(max_length=64)  # "message:12", "delivery:34", "audit:5"
    content_sha256: str = Field(max_length=64)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: str = Field(max_length=32)  # ISO 8601 UTC, stored as text so it hashes identically
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ThreadKey(SQLModel, table=True):
    """A thread's data key for sealing bodies at rest; erasure destroys it (storage.bodies)."""

    thread_id: str = Field(foreign_key="thread.id", primary_key=True, max_length=32)
    key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # b"" once destroyed
    wrapped: bool = False  # sealed with the master key
    created_at: datetime = Field(default_factory=utcnow)
    destroyed_at: datetime | None = None


class PolicyHistory(SQLModel, table=True):
    """Per (thread, sender): the sums the policy reads, kept with every inbound message.

    storage.policy_state explains the columns; they are maintained in the transaction that
    archives the message (so a rolled-back message leaves no trace here either), and by the
    few writers that change what they summarise (a rejected hold, an erasure).
    """

    __tablename__ = "policy_history"

    thread_id: str = Field(foreign_key="thread.id", primary_key=True, max_length=32)
    sender_id: int = Field(foreign_key="participant.id", primary_key=True)
    messages: int = 0  # inbound messages of the sender in the thread
    flagged: int = 0  # ... whose action was "flag"
    contact: int = 0  # ... not rejected, whose decision's categories hold "contact"
    tail: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
