"""The per-thread ledger: every archived record is one entry of a hash chain (invariant 4).

A thread's records, in the order they happened: the received message (kind `inbound`, or
`notice`/`dsn` for mail the gateway wrote or got back), the policy `decision` on it, each
`outgoing` copy, and later events such as a support decision (`support`), a `legal_hold`
change, a retention `purge` or an `erase`. Each entry stores

    seq             1, 2, 3, ... within the thread
    kind, ref       what it is and which row holds it ("message:12", "delivery:34", "audit:5")
    content_sha256  sha256 of the record's content (see below)
    meta            a few facts bound into the hash (sender, recipient, ...)
    at              ISO 8601 UTC time
    prev_hash       the previous entry's hash ("" for the first)
    hash            sha256(canonical JSON of all of the above, with the thread id and "v": 1)

Content hashes: the plaintext bytes for messages and outgoing copies (so `sha256sum` of an
exported .eml equals it), `decision_content` for decisions, `audit_content` for audit events.
Canonical JSON = sorted keys, no spaces, UTF-8 (the same bytes in Python, jq -cS, any language).

Appending runs inside the caller's transaction with the thread row locked (SELECT ... FOR
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so several gateway
instances cannot fork a chain; `uq_ledger_thread_seq` would refuse a fork anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, select

from storage import rawsql
from storage.models import AuditEvent, LedgerEntry, Thread, utcnow

VERSION = 1
MESSAGE_KINDS = ("inbound", "notice", "dsn")
AUDIT_KINDS = ("support", "legal_hold", "purge", "erase")
FINDING_FIELDS = ("category", "kind", "text", "part", "start", "end", "confidence", "detector")


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, compact separators, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iso(at: datetime) -> str:
    """A time as the ledger writes it: UTC, microseconds, 'Z'."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    thread_id: str,
    seq: int,
    kind: str,
    ref: str,
    content_sha256: str,
    meta: Mapping[str, Any],
    at: str,
    prev_hash: str,
) -> str:
    """The hash of one ledger entry (see the module docstring)."""
    return sha256_hex(
        canonical(
            {
                "v": VERSION,
                "thread": thread_id,
                "seq": seq,
                "kind": kind,
                "ref": ref,
                "content": content_sha256,
                "meta": dict(meta),
                "at": at,
                "prev": prev_hash,
            }
        )
    )


def hash_of(entry: Any) -> str:
    """Recompute the hash of an entry (a LedgerEntry, a row or anything with its attributes)."""
    return entry_hash(
        entry.thread_id,
        entry.seq,
        entry.kind,
        entry.ref,
        entry.content_sha256,
        entry.meta or {},
        entry.at,
        entry.prev_hash,
    )


def finding_dict(finding: Any) -> dict[str, Any]:
    """The fields of a finding row that its decision's content hash covers."""
    if isinstance(finding, Mapping):
        return {name: finding[name] for name in FINDING_FIELDS}
    return {name: getattr(finding, name) for name in FINDING_FIELDS}


def decision_document(action: str, decision: Mapping[str, Any], findings: Iterable[Any]) -> dict:
    """What a decision record is: the action, the decision as stored, the findings in order."""
    return {
        "action": action,
        "decision": dict(decision),
        "findings": [finding_dict(f) for f in findings],
    }


def decision_content(action: str, decision: Mapping[str, Any], findings: Iterable[Any]) -> str:
    """sha256 of the canonical decision document."""
    return sha256_hex(canonical(decision_document(action, decision, findings)))


def audit_document(audit: Any) -> dict[str, Any]:
    """What an audit record is: who did what to which target, when and why."""
    return {
        "actor": audit.actor,
        "action": audit.action,
        "target_type": audit.target_type,
        "target_id": audit.target_id,
        "details": audit.details or {},
        "at": iso(audit.at),
    }


def audit_content(audit: Any) -> str:
    """sha256 of the canonical audit document."""
    return sha256_hex(canonical(audit_document(audit)))


def message_meta(mail_from: str, rcpt_tos: Iterable[str]) -> dict[str, Any]:
    """Envelope facts bound into a message entry's hash."""
    return {"mail_from": mail_from, "rcpt_tos": list(rcpt_tos)}


def delivery_meta(recipient: str) -> dict[str, Any]:
    """The recipient bound into an outgoing entry's hash."""
    return {"recipient": recipient}


def lock_thread(session: Session, thread_id: str) -> Thread:
    """The thread row, locked for the rest of the transaction (raises if there is none)."""
    return session.exec(
        select(Thread)
        .where(Thread.id == thread_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def append_record(
    session: Session,
    thread_id: str,
    kind: str,
    ref: str,
    content_sha256: str,
    *,
    meta: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    thread: Thread | None = None,
) -> LedgerEntry:
    """Add one entry at the end of the thread's chain, in the caller's transaction.

    Pass `thread` when the caller already holds the row from `lock_thread`; otherwise it is
    locked here. The thread's `chain_head` and `chain_length` advance with the entry. The
    returned entry is not attached to the session (it is inserted with `append_records`).
    """
    if thread is None:
        thread = lock_thread(session, thread_id)
    return append_records(session, thread, [(kind, ref, content_sha256, meta, at)])[0]


def append_records(
    session: Session,
    thread: Thread,
    records: Iterable[tuple[str, str, str, Mapping[str, Any] | None, datetime | None]],
) -> list[LedgerEntry]:
    """Chain several (kind, ref, content_sha256, meta, at) records onto a locked thread at once.

    WHY one Core INSERT: every hash is computed before anything is written (each entry needs
    only the previous one's hash), so the entries go to the database in a single executemany
    statement, without the ORM's per-object unit of work and no UPDATE after the insert.
    """
    return [LedgerEntry(**row) for row in append_rows(session, thread, records)]


def append_rows(
    session: Session,
    thread: Thread,
    records: Iterable[tuple[str, str, str, Mapping[str, Any] | None, datetime | None]],
) -> list[dict[str, Any]]:
    """append_records returning the inserted column values (no ORM objects).

    The Thread (from lock_thread) advances through the ORM like any change of the caller's.
    The archive's own hot path chains with `chain_rows` and driver SQL instead
    (storage.archive.write_message).
    """
    rows = chain_rows(thread.id, thread.chain_length, thread.chain_head, records)
    if not rows:
        return rows
    session.execute(insert(_LEDGER), rows)
    thread.chain_length = rows[-1]["seq"]
    thread.chain_head = rows[-1]["hash"]
    session.add(thread)
    return rows


def chain_rows(
    thread_id: str,
    length: int,
    head: str,
    records: Iterable[tuple[str, str, str, Mapping[str, Any] | None, datetime | None]],
) -> list[dict[str, Any]]:
    """The column values of records chained after position (`length`, `head`): every hash
    is computed here, before anything is written (each entry needs only the previous hash)."""
    rows: list[dict[str, Any]] = []
    seq, prev = length, head
    for kind, ref, content_sha256, meta, at in records:
        seq += 1
        values = dict(meta or {})
        stamp = iso(at or utcnow())
        digest = entry_hash(thread_id, seq, kind, ref, content_sha256, values, stamp, prev)
        rows.append(
            {
                "thread_id": thread_id,
                "seq": seq,
                "kind": kind,
                "ref": ref,
                "content_sha256": content_sha256,
                "meta": values,
                "at": stamp,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """The ledger's statements on the archive's hot path (storage.archive.write_message)."""
    sql.add(
        "ledger.insert",
        "INSERT INTO ledger (thread_id, seq, kind, ref, content_sha256, meta, at, prev_hash, "
        "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO ledger (thread_id, seq, kind, ref, content_sha256, meta, at, prev_hash, "
        "hash) VALUES (?, ?, ?, ?, ?, ?::json, ?, ?, ?)",
    )
    sql.add("ledger.head", "UPDATE thread SET chain_length = ?, chain_head = ? WHERE id = ?")


_LEDGER: Table = LedgerEntry.__table__  # type: ignore[attr-defined]


def append_audit(
    session: Session, thread_id: str, kind: str, audit: AuditEvent, *, thread: Thread | None = None
) -> LedgerEntry:
    """Chain an audit event (support decision, legal hold, purge, erase) into its thread."""
    session.add(audit)
    session.flush()  # the audit row's id is the entry's ref
    return append_record(
        session,
        thread_id,
        kind,
        f"audit:{audit.id}",
        audit_content(audit),
        meta={"actor": audit.actor, "action": audit.action},
        at=audit.at,
        thread=thread,
    )
