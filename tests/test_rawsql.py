"""The driver SQL of the message path stores exactly what SQLAlchemy stores (storage.rawsql).

For every table the archive write touches, a row written by `store_batch` (driver SQL) is read
back through the ORM and written again through SQLAlchemy Core as a twin row; both rows must
hold the same values as the database itself shows them (SQLite: storage class and literal;
PostgreSQL: the column as text), so times, JSON text and booleans are encoded the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect
from sqlmodel import select

from storage import archive, migrate
from storage.archive import MessageRecord, OutgoingRecord
from storage.db import make_engine, session_scope
from storage.group_commit import store_batch
from storage.models import Delivery, Finding, LedgerEntry, Message, PolicyHistory, ThreadKey
from storage.threads import NewParticipant, create_thread


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url, synchronous="NORMAL")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def new_thread(engine, thread_id: str) -> list[int]:
    _, people = create_thread(
        engine,
        thread_id=thread_id,
        subject="s",
        participants=[
            NewParticipant("client", "A", f"a@{thread_id}.example"),
            NewParticipant("freelancer", "B", f"b@{thread_id}.example"),
        ],
        new_local=lambda p: f"{p.display_name.lower()}.{thread_id}",
    )
    return [p.id for p in people]


def as_stored(engine, table: str, where: str, params: tuple) -> dict[str, str]:
    """Every column of one row as the database shows it, by column name."""
    columns = [c["name"] for c in inspect(engine).get_columns(table)]
    sqlite = engine.dialect.name == "sqlite"
    shown = ", ".join(
        f"typeof({_q(c)}) || ':' || quote({_q(c)})" if sqlite else f"{_q(c)}::text" for c in columns
    )
    mark = "?" if sqlite else "%s"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()
        cursor.execute(f"SELECT {shown} FROM {table} WHERE {where.replace('?', mark)}", params)
        rows = cursor.fetchall()
        cursor.close()
    assert len(rows) == 1, rows
    return dict(zip(columns, rows[0], strict=True))


def _q(name: str) -> str:
    return f'"{name}"'


def twin(engine, model, row, **changes) -> None:
    """Insert the ORM row's values again through SQLAlchemy Core (id left to the database)."""
    table = model.__table__
    values = {c.key: getattr(row, c.key) for c in table.c if c.key != "id"} | changes
    with engine.begin() as conn:
        conn.execute(insert(table), values)


def same_except(a: dict, b: dict, *skip: str) -> None:
    for name in a:
        if name not in skip:
            assert a[name] == b[name], (name, a[name], b[name])


def test_driver_sql_stores_what_sqlalchemy_stores(engine):
    sender, _ = new_thread(engine, "th_raw")
    new_thread(engine, "th_twin")
    raw = "Subject: caf\u00e9\r\n\r\nbody \u2603".encode()
    record = MessageRecord(
        thread_id="th_raw",
        raw=raw,
        sender_id=sender,
        received_at=datetime(2026, 1, 2, 3, 4, 5, 60708, tzinfo=UTC),
        mail_from="a@th_raw.example",
        rcpt_tos=("b.th_raw@relay.example", "x@y.example"),
        peer="127.0.0.1",
        helo="client.example",
        tls=True,
        smtputf8=True,
        subject="caf\u00e9 \u2603",
        original_message_id="<o@example>",
        relayed_message_id="<r@relay.example>",
        action="flag",
        decision={"action": "flag", "categories": ["contact"], "tail": ["415"], "w": "\u00e9"},
        findings=({"category": "contact", "kind": "phone", "text": "415 555", "start": 3},),
        index_text="caf\u00e9 body",
    )
    copies = [OutgoingRecord("b@th_raw.example", None, "v@relay.example", "tok1", raw, "<r@x>")]
    (message_id,) = store_batch(engine, [(record, copies)])
    assert isinstance(message_id, int)

    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        delivery = session.exec(select(Delivery).where(Delivery.message_id == message_id)).one()
        finding = session.exec(select(Finding).where(Finding.message_id == message_id)).one()
        entries = session.exec(
            select(LedgerEntry).where(LedgerEntry.thread_id == "th_raw").order_by(LedgerEntry.seq)
        ).all()
        history = session.get(PolicyHistory, ("th_raw", sender))
        key = session.get(ThreadKey, "th_raw")
        for row in (message, delivery, finding, *entries, history, key):
            session.expunge(row)
    assert message.tls is True
    assert message.decision == record.decision
    assert [e.kind for e in entries] == ["inbound", "decision", "outgoing"]

    twin(engine, Message, message)
    twin_id = max(archive.messages_of(engine, "th_raw"), key=lambda m: m.id).id
    mine = as_stored(engine, "message", "id = ?", (message_id,))
    theirs = as_stored(engine, "message", "id = ?", (twin_id,))
    same_except(mine, theirs, "id")

    twin(engine, Delivery, delivery, verp_token="tok2")
    mine = as_stored(engine, "delivery", "verp_token = ?", ("tok1",))
    theirs = as_stored(engine, "delivery", "verp_token = ?", ("tok2",))
    same_except(mine, theirs, "id", "verp_token")

    twin(engine, Finding, finding)
    mine = as_stored(engine, "finding", "id = ?", (finding.id,))
    theirs = as_stored(engine, "finding", "id > ?", (finding.id,))
    same_except(mine, theirs, "id")

    for entry in entries:
        twin(engine, LedgerEntry, entry, seq=entry.seq + 1000)
        mine = as_stored(engine, "ledger", "thread_id = ? AND seq = ?", ("th_raw", entry.seq))
        theirs = as_stored(
            engine, "ledger", "thread_id = ? AND seq = ?", ("th_raw", entry.seq + 1000)
        )
        same_except(mine, theirs, "id", "seq")

    twin(engine, PolicyHistory, history, thread_id="th_twin")
    mine = as_stored(engine, "policy_history", "thread_id = ?", ("th_raw",))
    theirs = as_stored(engine, "policy_history", "thread_id = ?", ("th_twin",))
    same_except(mine, theirs, "thread_id")

    twin(engine, ThreadKey, key, thread_id="th_twin")
    mine = as_stored(engine, "threadkey", "thread_id = ?", ("th_raw",))
    theirs = as_stored(engine, "threadkey", "thread_id = ?", ("th_twin",))
    same_except(mine, theirs, "thread_id")


def test_a_claimed_job_holds_the_rows_values(engine):
    """claim_due's driver SQL: every Delivery column, in order, decoded as the ORM decodes it."""
    from dataclasses import fields

    from storage import outbox

    assert [f.name for f in fields(outbox.ClaimedJob)] == [c.key for c in Delivery.__table__.c]
    sender, _ = new_thread(engine, "th_claim")
    raw = b"Subject: x\r\n\r\nbody"
    copies = [OutgoingRecord(f"{n}@example.org", None, "", f"tc{n}", raw, "<r@x>") for n in "ab"]
    (message_id,) = store_batch(
        engine, [(MessageRecord("th_claim", raw, sender_id=sender), copies)]
    )
    before = archive.deliveries_of(engine, message_id)
    assert outbox.next_due(engine) == min(d.next_attempt_at for d in before)
    jobs = outbox.claim_due(engine, "me", lease_seconds=60, limit=5)
    after = archive.deliveries_of(engine, message_id)
    assert [j.id for j in jobs] == [d.id for d in before]
    for job, old, new in zip(jobs, before, after, strict=True):
        for name in (c.key for c in Delivery.__table__.c):
            expected = getattr(new, name)
            assert getattr(job, name) == expected, name
            assert type(getattr(job, name)) is type(expected), name
        assert job.attempts == old.attempts + 1
        assert job.lease_owner == "me"
        assert job.created_at.tzinfo is not None
    assert outbox.next_due(engine) == min(d.next_attempt_at for d in before)


def test_known_messages_finds_either_id_within_the_thread_only(engine):
    """archive.known_messages: a reply's referenced ids, by original or relayed id, one thread."""
    sender, _ = new_thread(engine, "th_known")
    other, _ = new_thread(engine, "th_other")

    def rec(thread_id, who, original, relayed):
        record = MessageRecord(
            thread_id, b"x", sender_id=who, original_message_id=original, relayed_message_id=relayed
        )
        return record, []

    store_batch(
        engine,
        [
            rec("th_known", sender, "<o1@a>", "<r1@relay>"),
            rec("th_known", sender, "<o2@a>", "<r2@relay>"),
            rec("th_other", other, "<o3@a>", "<r3@relay>"),
        ],
    )
    found = archive.known_messages(engine, "th_known", ["<o1@a>", "<r2@relay>", "<o3@a>", "<x@y>"])
    assert sorted(found) == [("<o1@a>", "<r1@relay>", sender), ("<o2@a>", "<r2@relay>", sender)]
    assert archive.known_messages(engine, "th_known", ["<nothing@here>"]) == []
    assert archive.known_messages(engine, "th_known", []) == []


def test_each_copy_gets_its_own_id_and_ledger_entry(engine):
    """Several copies in one INSERT (PostgreSQL): ids in recipient order, each entry its copy."""
    sender, _ = new_thread(engine, "th_copies")
    copies = [
        OutgoingRecord(f"{n}@example.org", None, "", f"tok-{n}", f"copy {n}".encode(), "<r@x>")
        for n in ("c", "a", "b")  # not in token order
    ]
    record = MessageRecord("th_copies", b"x", sender_id=sender)
    (message_id,) = store_batch(engine, [(record, copies)])
    rows = archive.deliveries_of(engine, message_id)
    assert [r.recipient for r in rows] == [c.recipient for c in copies]
    assert [r.outgoing for r in rows] == [c.data for c in copies]
    with session_scope(engine) as session:
        entries = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.thread_id == "th_copies", LedgerEntry.kind == "outgoing")
            .order_by(LedgerEntry.seq)
        ).all()
        refs = [(e.ref, e.content_sha256, e.meta["recipient"]) for e in entries]
    assert refs == [(f"delivery:{r.id}", r.outgoing_sha256, r.recipient) for r in rows]
