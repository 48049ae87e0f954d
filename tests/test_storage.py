"""Storage on SQLite and PostgreSQL: migrations, atomic archive, hash chain, leased claims."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text, update
from sqlalchemy.exc import IntegrityError

from storage import archive, migrate, outbox
from storage.archive import MessageRecord, OutgoingRecord, sha256_hex
from storage.db import make_engine, session_scope
from storage.models import Delivery, utcnow
from storage.threads import NewParticipant, create_thread


@pytest.fixture
def engine(db_url):
    """A migrated engine on an empty database."""
    engine = make_engine(db_url, synchronous="NORMAL")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def thread(engine, thread_id: str = "th_test") -> str:
    """A thread with two participants."""
    create_thread(
        engine,
        thread_id=thread_id,
        subject="s",
        participants=[
            NewParticipant("client", "A", "a@example.org"),
            NewParticipant("freelancer", "B", "b@example.org"),
        ],
        new_local=lambda p: f"{p.display_name.lower()}.{thread_id}",
    )
    return thread_id


def record(thread_id: str, raw: bytes = b"Subject: x\r\n\r\nbody\r\n") -> MessageRecord:
    """A minimal inbound record."""
    return MessageRecord(thread_id=thread_id, raw=raw, decision={"action": "deliver"})


def outgoing(token: str, data: bytes = b"out") -> OutgoingRecord:
    """A minimal outbox row."""
    return OutgoingRecord(
        "b@example.org", None, f"bounces+{token}@r.example", token, data, "<r@r.example>"
    )


def test_migrations_create_every_table_and_are_current(engine):
    """The Alembic head has all six tables and the database reports it is current."""
    tables = set(inspect(engine).get_table_names())
    assert {"thread", "participant", "message", "finding", "delivery", "auditevent"} <= tables
    assert migrate.is_current(engine)
    migrate.upgrade(engine)  # idempotent
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_relay_local_parts_are_unique(engine):
    """The database refuses a second participant with the same relay local part."""
    thread(engine, "th_one")
    with pytest.raises(IntegrityError):
        create_thread(
            engine,
            thread_id="th_two",
            subject="",
            attempts=1,
            participants=[NewParticipant("client", "A", "x@example.org")],
            new_local=lambda p: "a.th_one",
        )


def test_store_message_keeps_bytes_findings_and_jobs(engine):
    """One call stores the exact bytes, the findings and the delivery jobs."""
    tid = thread(engine)
    raw = b"Subject: \xe9t\xe9\r\n\r\n\x00binary\xff\r\n"
    rec = MessageRecord(
        thread_id=tid,
        raw=raw,
        decision={"action": "flag"},
        findings=({"category": "contact", "kind": "phone", "text": "555", "start": 1, "end": 4},),
    )
    message_id = archive.store_message(engine, rec, [outgoing("t1", b"\x00out\xff")])
    stored = archive.get_message(engine, message_id)
    assert stored.raw == raw
    assert stored.sha256 == sha256_hex(raw)
    assert stored.size == len(raw)
    assert [f.kind for f in archive.findings_of(engine, message_id)] == ["phone"]
    (job,) = archive.deliveries_of(engine, message_id)
    assert job.outgoing == b"\x00out\xff"
    assert job.outgoing_sha256 == sha256_hex(b"\x00out\xff")


def test_failed_store_leaves_nothing(engine):
    """A failure inside the transaction (duplicate VERP token) rolls back the message too."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing("dup")])
    with pytest.raises(IntegrityError):
        archive.store_message(engine, record(tid, b"second"), [outgoing("dup")])
    assert len(archive.messages_of(engine, tid)) == 1


def test_records_are_hash_chained_per_thread(engine):
    """Each message's entry links to the thread's previous record; the thread head is the last."""
    from sqlmodel import Session, select

    from storage import ledger
    from storage.models import LedgerEntry, Thread

    tid = thread(engine)
    ids = [
        archive.store_message(engine, record(tid, f"m{i}".encode()), [outgoing(f"c{i}")])
        for i in range(3)
    ]
    rows = [archive.get_message(engine, i) for i in ids]
    assert rows[0].prev_hash == ""
    with Session(engine) as session:
        entries = session.exec(
            select(LedgerEntry).where(LedgerEntry.thread_id == tid).order_by(LedgerEntry.seq)
        ).all()
        head = session.get(Thread, tid)
        assert [e.kind for e in entries] == ["inbound", "decision", "outgoing"] * 3
        for prev, entry in itertools.pairwise(entries):
            assert entry.prev_hash == prev.hash
        assert all(ledger.hash_of(e) == e.hash for e in entries)
        assert (head.chain_head, head.chain_length) == (entries[-1].hash, 9)
    for row, entry in zip(rows, entries[::3], strict=True):
        assert (row.chain_hash, row.prev_hash) == (entry.hash, entry.prev_hash)
        assert entry.content_sha256 == row.sha256


def test_claims_are_leased_and_never_shared(engine):
    """Two workers claiming at the same time get disjoint jobs."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing(f"j{i}") for i in range(20)])
    results: dict[str, list[int]] = {}

    def claim(owner: str) -> None:
        results[owner] = [d.id for d in outbox.claim_due(engine, owner, lease_seconds=60, limit=15)]

    workers = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not set(results["w0"]) & set(results["w1"])
    assert len(results["w0"]) + len(results["w1"]) == 20


def test_expired_lease_is_claimed_again_and_the_old_owner_cannot_finish(engine):
    """A crashed worker's job comes back after its lease; its late result is ignored."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing("lease")])
    (job,) = outbox.claim_due(engine, "dead", lease_seconds=60, limit=5)
    assert outbox.claim_due(engine, "alive", lease_seconds=60, limit=5) == []
    with session_scope(engine) as session:
        session.execute(update(Delivery).values(lease_until=utcnow() - timedelta(seconds=1)))
    (again,) = outbox.claim_due(engine, "alive", lease_seconds=60, limit=5)
    assert again.id == job.id
    assert again.attempts == 2
    assert outbox.mark_delivered(engine, job.id, "dead", "250 late") is False
    assert outbox.mark_delivered(engine, job.id, "alive", "250 ok") is True
    assert outbox.get_delivery(engine, job.id).status == "delivered"


def test_marks_recorded_together_each_respect_their_own_lease(engine):
    """mark_delivered_many: one transaction, but a job held by another worker stays its own."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing("a"), outgoing("b")])
    first, second = outbox.claim_due(engine, "mine", lease_seconds=60, limit=5)
    items = [(first.id, "mine", "250 ok"), (second.id, "someone-else", "250 late")]
    assert outbox.mark_delivered_many(engine, items) == [True, False]
    assert outbox.get_delivery(engine, first.id).status == "delivered"
    assert outbox.get_delivery(engine, second.id).status != "delivered"


def test_marks_in_one_statement_keep_each_jobs_own_response(engine):
    """One UPDATE for many jobs: each gets its own response; a lost lease and a repeat do not."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing(f"m{i}") for i in range(4)])
    jobs = outbox.claim_due(engine, "mine", lease_seconds=60, limit=5)
    with session_scope(engine) as session:  # another worker took the third job over
        session.execute(update(Delivery).where(Delivery.id == jobs[2].id).values(lease_owner="x"))
    items = [(job.id, "mine", f"250 ok {job.id}") for job in jobs]
    items.append((jobs[0].id, "mine", "250 again"))
    assert outbox.mark_delivered_many(engine, items) == [True, True, False, True, False]
    rows = [outbox.get_delivery(engine, job.id) for job in jobs]
    assert [r.status for r in rows] == ["delivered", "delivered", "queued", "delivered"]
    assert [r.last_response for r in rows] == [
        f"250 ok {jobs[0].id}",
        f"250 ok {jobs[1].id}",
        "",
        f"250 ok {jobs[3].id}",
    ]
    assert [(r.lease_owner, r.attempts) for r in rows] == [
        (None, 1),
        (None, 1),
        ("x", 1),
        (None, 1),
    ]


def test_retry_sets_the_next_attempt_and_held_jobs_are_never_claimed(engine):
    """A deferred job is not due before its time; held jobs are not due at all."""
    tid = thread(engine)
    held = OutgoingRecord("b@example.org", None, "", "held", b"x", "", status="held")
    archive.store_message(engine, record(tid), [outgoing("later"), held])
    (job,) = outbox.claim_due(engine, "w", lease_seconds=60, limit=5)
    later = utcnow() + timedelta(hours=1)
    assert outbox.mark_retry(engine, job.id, "w", "451 busy", later)
    assert outbox.claim_due(engine, "w", lease_seconds=60, limit=5) == []
    assert abs((outbox.next_due(engine) - later).total_seconds()) < 1


def test_failed_with_notice_is_one_transaction(engine):
    """Failing a job and queueing its notice happen together."""
    tid = thread(engine)
    archive.store_message(engine, record(tid), [outgoing("fail")])
    (job,) = outbox.claim_due(engine, "w", lease_seconds=60, limit=5)
    notice = (MessageRecord(thread_id=tid, raw=b"notice", kind="notice"), outgoing("notice"))
    assert outbox.mark_failed(engine, job.id, "w", "550 no", notice=notice)
    assert [m.kind for m in archive.messages_of(engine, tid)] == ["inbound", "notice"]
    assert outbox.get_delivery(engine, job.id).status == "failed"


def test_schema_check_without_alembic_agrees_with_alembic(engine):
    """`gateway serve`'s light check (no Alembic import) reads what Alembic reads."""
    assert migrate.shipped_head() == migrate.head_revision()
    assert migrate.stored_revision(engine) == migrate.current_revision(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ops'"))
    assert migrate.stored_revision(engine) == "ops" == migrate.current_revision(engine)
    assert not migrate.is_current(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert migrate.stored_revision(engine) is None is migrate.current_revision(engine)
    assert not migrate.is_current(engine)
