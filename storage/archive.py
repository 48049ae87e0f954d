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

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from storage import blobs, bodies, chunks, ledger, policy_state, rawsql, search
from storage.chunks import Chunks
from storage.db import session_scope
from storage.models import Delivery, Finding, Message, Thread, utcnow


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

    Pending ORM changes are flushed first (the statements below run on the session's own
    connection, outside the ORM), and a Thread row the session holds gets the chain position
    as written, so ORM and driver-SQL writers of one chain in one transaction agree.
    """
    if session.dirty or session.new:
        session.flush()
    message_id, length, head = write_message(session.connection(), record, outgoing)
    loaded = session.identity_map.get(identity_key(Thread, record.thread_id))
    if loaded is not None:  # the ORM's copy of the row, as now written
        set_committed_value(loaded, "chain_length", length)
        set_committed_value(loaded, "chain_head", head)
    return message_id


def write_message(
    conn: Connection, record: MessageRecord, outgoing: Sequence[OutgoingRecord]
) -> tuple[int, int, str]:
    """add_message on a Connection in a transaction: (message id, chain length, chain head).

    WHY driver SQL (storage.rawsql): this runs for every message, and SQLAlchemy's expression
    building, compiling and result handling cost more CPU than the database work. The
    statements, in order: lock the thread row with its key (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), insert the message (its
    id is in its ledger ref), fold it into the sender's policy history (one UPSERT), insert
    the findings, the deliveries (their ids in order), the ledger entries (every hash computed
    beforehand, one executemany), then write the chain head and the message's own hashes and
    index its text. On PostgreSQL some of these share a statement (data-modifying WITH, see
    `_pg_tail`): four or five executes per message instead of about fourteen.
    """
    dialect = conn.dialect
    sql = rawsql.statements(dialect)
    with rawsql.translated(dialect):
        cursor = rawsql.driver(conn).cursor()
        try:
            with rawsql.pipeline(conn, sql, off=has_big_body(record, outgoing)):
                return write_with(conn, cursor, sql, record, outgoing)
        finally:
            cursor.close()


def has_big_body(record: MessageRecord, outgoing: Sequence[OutgoingRecord]) -> bool:
    """Is a body of this message written in windows (storage.blobs)? On PostgreSQL that is
    COPY, which psycopg's pipeline mode does not allow: such a message goes without it."""
    return blobs.big(record.raw) or any(blobs.big(o.data) for o in outgoing)


def write_with(conn, cursor, sql, record, outgoing) -> tuple[int, int, str]:
    """write_message's statements on one driver cursor (storage.group_commit runs them
    between its own SAVEPOINT and RELEASE, in one pipeline on PostgreSQL).

    On PostgreSQL, in pipeline mode, a statement whose result is not read here is sent
    without waiting for it; the reads (the lock, the message id, the delivery ids) and the
    end of the pipeline wait. Four round trips instead of about ten; the same statements in
    the same order, and an error anywhere still fails the whole message.
    """
    thread_id = record.thread_id
    cursor.execute(sql["archive.lock"], (thread_id,))
    locked = cursor.fetchall()
    if len(locked) != 1:
        raise NoResultFound("No row was found when one was required")
    _, length, head, stored_key, wrapped = locked[0]
    if stored_key is None:  # read again: on PostgreSQL the join saw the snapshot from before
        # the lock wait, and the writer we waited for may have made the key (READ COMMITTED)
        cursor.execute(sql["archive.key_of"], (thread_id,))
        found = cursor.fetchone()
        if found is not None:
            stored_key, wrapped = found
    if stored_key is None:  # the thread's first body: make its key (the thread row is locked)
        key, stored_key, wrapped = bodies.new_key(thread_id)
        cursor.execute(sql["archive.key"], (thread_id, stored_key, wrapped, sql.time(utcnow())))
    else:
        key = bodies.archive_key_of(thread_id, stored_key, bool(wrapped))
    digest = sha256_hex(record.raw)
    big_raw = blobs.big(record.raw)  # written in windows below (storage.blobs)
    decision_text = rawsql.dumps(record.decision)
    message_values = (
        thread_id,
        record.kind,
        record.sender_id,
        sql.time(record.received_at),
        record.mail_from,
        rawsql.dumps(list(record.rcpt_tos)),
        record.peer,
        record.helo,
        record.tls,
        record.smtputf8,
        b"" if big_raw else bodies.seal(key, record.raw, thread_id),
        len(record.raw),
        digest,
        record.subject[:998],
        record.original_message_id[:998],
        record.relayed_message_id,
        record.status,
        record.action,
        decision_text,
        "",
        "",
        bodies.SEALED,
    )
    history = None
    if record.kind == "inbound" and record.sender_id is not None:
        # the sender's policy history, with the message or not at all (storage.policy_state)
        history = (
            thread_id,
            record.sender_id,
            1,
            int(record.action == "flag"),
            int(policy_state.counts_contact(record.status, record.decision)),
            rawsql.dumps(list((record.decision or {}).get("tail", ()))),
        )
    if sql.sqlite:
        cursor.execute(sql["archive.message"], message_values)
        message_id = cursor.lastrowid
        if history is not None:
            cursor.execute(sql["policy.upsert"], history)
    else:  # one statement: the UPSERT rides along as a data-modifying WITH
        if history is None:
            cursor.execute(sql["archive.message"], message_values)
        else:
            cursor.execute(sql["archive.message_history"], history + message_values)
        message_id = cursor.fetchone()[0]
    driver = rawsql.driver(conn)
    if big_raw:
        blobs.write_sealed_raw(
            driver, "message", "raw", message_id, key, record.raw, thread_id, sqlite=sql.sqlite
        )
    findings = _finding_rows(message_id, record.findings)
    if findings:
        cursor.executemany(sql["archive.finding"], [tuple(f.values()) for f in findings])
    now = sql.time(utcnow())
    streamed = [blobs.big(o.data) for o in outgoing]
    digests = [sha256_hex(o.data) for o in outgoing]
    rows = [
        (
            message_id,
            o.recipient_id,
            o.recipient,
            o.envelope_from,
            o.verp_token,
            b"" if big else bodies.seal(key, o.data, thread_id),
            digest_of,
            o.relayed_message_id,
            o.status,
            0,  # attempts
            now,  # created_at
            now,  # next_attempt_at: due now (or held until released)
            None,  # lease_owner
            None,  # lease_until
            "",  # last_response
            None,  # finished_at
            0,  # crashes
            bodies.SEALED,
        )
        for o, big, digest_of in zip(outgoing, streamed, digests, strict=True)
    ]
    delivery_ids: list[int] = []
    if sql.sqlite:  # no round trips to save: one INSERT each, its rowid
        for values in rows:
            cursor.execute(sql["archive.delivery"], values)
            delivery_ids.append(cursor.lastrowid)
    elif rows:  # one multi-row INSERT; each id found by its row's (unique) VERP token
        cursor.execute(_pg_many(sql, "archive.delivery", len(rows)), [v for r in rows for v in r])
        ids = dict((token, row_id) for row_id, token in cursor.fetchall())
        delivery_ids = [ids[o.verp_token] for o in outgoing]
    for row_id, copy, big in zip(delivery_ids, outgoing, streamed, strict=True):
        if big:  # a placeholder was inserted: the sealed copy goes into its blob
            blobs.write_sealed_raw(
                driver,
                "delivery",
                "outgoing",
                row_id,
                key,
                copy.data,
                thread_id,
                sqlite=sql.sqlite,
            )
    ref = f"message:{message_id}"
    entries = ledger.chain_rows(
        thread_id,
        length,
        head,
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
                    digest_of,
                    ledger.delivery_meta(copy.recipient),
                    record.received_at,
                )
                for row_id, digest_of, copy in zip(delivery_ids, digests, outgoing, strict=True)
            ),
        ],
    )
    ledger_rows = [
        (
            e["thread_id"],
            e["seq"],
            e["kind"],
            e["ref"],
            e["content_sha256"],
            rawsql.dumps(e["meta"]),
            e["at"],
            e["prev_hash"],
            e["hash"],
        )
        for e in entries
    ]
    length, head = entries[-1]["seq"], entries[-1]["hash"]
    chain = (length, head, thread_id)
    hashes = (entries[0]["prev_hash"], entries[0]["hash"], message_id)
    indexed = record.kind == "inbound"  # participants' mail; the gateway's notices are not
    text = (message_id, search.index_body(record.raw, record.subject, record.index_text))
    if sql.sqlite:
        cursor.executemany(sql["ledger.insert"], ledger_rows)
        cursor.execute(sql["ledger.head"], chain)
        cursor.execute(sql["archive.hashes"], hashes)
        if indexed:  # searchable when stored
            cursor.execute(sql["search.index"], text)
    else:  # all four in one statement (data-modifying WITH): one execute, one round trip
        flat = [v for row in ledger_rows for v in row]
        cursor.execute(
            _pg_tail(len(ledger_rows), indexed),
            (*flat, *chain, *hashes, *(text if indexed else ())),
        )
    return message_id, length, head


_PG_TEXTS: dict[tuple[str, int, bool], str] = {}


def _pg_many(sql: rawsql.Statements, name: str, count: int) -> str:
    """PostgreSQL: statement `name`'s VALUES row repeated `count` times (texts cached)."""
    found = _PG_TEXTS.get((name, count, False))
    if found is None:
        text = sql[name]
        head, _, tail = text.partition(" VALUES (")
        row, _, rest = tail.partition(")")
        found = f"{head} VALUES {', '.join([f'({row})'] * count)}{rest}"
        _PG_TEXTS[name, count, False] = found
    return found


def _pg_tail(entries: int, indexed: bool) -> str:
    """PostgreSQL: the ledger rows, chain head, message hashes and text index as ONE statement.

    The data-modifying WITH parts run exactly once each, to completion, whether or not the
    main statement reads them; none of them reads what another writes.
    """
    found = _PG_TEXTS.get(("archive.tail", entries, indexed))
    if found is None:
        sql = rawsql.statements("postgresql")
        parts = [
            "WITH l AS (" + _pg_many(sql, "ledger.insert", entries) + ")",
            ", t AS (" + sql["ledger.head"] + ")",
        ]
        if indexed:
            parts += [", m AS (" + sql["archive.hashes"] + ") ", sql["search.index"]]
        else:
            parts += [" " + sql["archive.hashes"]]
        found = "".join(parts)
        _PG_TEXTS["archive.tail", entries, indexed] = found
    return found


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """The archive write's statements (see write_message)."""
    sql.add(
        "archive.lock",
        "SELECT thread.id, thread.chain_length, thread.chain_head, threadkey.key, "
        "threadkey.wrapped FROM thread LEFT OUTER JOIN threadkey "
        "ON threadkey.thread_id = thread.id WHERE thread.id = ?",
        "SELECT thread.id, thread.chain_length, thread.chain_head, threadkey.key, "
        "threadkey.wrapped FROM thread LEFT OUTER JOIN threadkey "
        "ON threadkey.thread_id = thread.id WHERE thread.id = ? FOR UPDATE OF thread",
    )
    sql.add("archive.key_of", "SELECT key, wrapped FROM threadkey WHERE thread_id = ?")
    sql.add(
        "archive.key",
        "INSERT INTO threadkey (thread_id, key, wrapped, created_at, destroyed_at) "
        "VALUES (?, ?, ?, ?, NULL)",
    )
    message = (
        "INSERT INTO message (thread_id, kind, sender_id, received_at, mail_from, rcpt_tos, "
        "peer, helo, tls, smtputf8, raw, size, sha256, subject, original_message_id, "
        "relayed_message_id, status, action, decision, prev_hash, chain_hash, body_state) "
    )
    sql.add(
        "archive.message",
        message + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        message + "VALUES (?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, "
        "?, ?, ?) RETURNING id",
    )
    sql.add(
        "archive.finding",
        'INSERT INTO finding (message_id, category, kind, text, part, start, "end", '
        "confidence, detector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    delivery = (
        "INSERT INTO delivery (message_id, recipient_id, recipient, envelope_from, verp_token, "
        "outgoing, outgoing_sha256, relayed_message_id, status, attempts, created_at, "
        "next_attempt_at, lease_owner, lease_until, last_response, finished_at, crashes, "
        "body_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    sql.add("archive.delivery", delivery, delivery + " RETURNING id, verp_token")
    if not sql.sqlite:  # the message with its sender's policy history (PostgreSQL)
        sql.add(
            "archive.message_history",
            "WITH p AS ("
            + policy_state.UPSERT.replace("?)", "?::json)", 1)
            + ") "
            + message
            + "VALUES (?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, "
            "?, ?, ?) RETURNING id",
        )
    sql.add(
        "archive.known",
        "SELECT message.original_message_id, message.relayed_message_id, message.sender_id "
        "FROM message WHERE message.thread_id = ? AND (message.original_message_id IN (?*) "
        "OR message.relayed_message_id IN (?*))",
    )
    sql.add("archive.hashes", "UPDATE message SET prev_hash = ?, chain_hash = ? WHERE id = ?")


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


def known_messages(
    engine: Engine, thread_id: str, ids: Sequence[str]
) -> list[tuple[str, str, int | None]]:
    """(original id, relayed id, sender id) of the thread's messages that any of `ids` names."""
    if not ids:
        return []
    with rawsql.read_cursor(engine) as (cursor, sql):  # one statement, on every reply
        cursor.execute(sql["archive.known"], (thread_id, sql.in_list(ids), sql.in_list(ids)))
        return [(r[0], r[1], r[2]) for r in cursor.fetchall()]


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
