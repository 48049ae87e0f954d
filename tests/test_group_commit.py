"""Group commit on SQLite and PostgreSQL: many messages, one transaction, each its own answer.

Invariant 1 per message: a caller gets its id only if the transaction holding its message
committed; a message that fails alone fails alone; a failed commit fails every caller.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import NoResultFound

from gateway.committer import GroupCommitter
from storage import archive, ledger, migrate
from storage.archive import MessageRecord, OutgoingRecord
from storage.db import Database, make_engine, session_scope
from storage.group_commit import store_batch
from storage.ledger_verify import verify_archive
from storage.models import AuditEvent
from storage.threads import NewParticipant, create_thread


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url, synchronous="NORMAL")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def new_thread(engine, thread_id: str) -> str:
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


def item(thread_id: str, n: int) -> tuple[MessageRecord, list[OutgoingRecord]]:
    record = MessageRecord(
        thread_id=thread_id, raw=f"Subject: {n}\r\n\r\nbody {n}\r\n".encode(), decision={"n": n}
    )
    token = f"tok{thread_id}{n}"
    out = OutgoingRecord(
        "b@example.org", None, f"bounces+{token}@r.example", token, f"out {n}".encode(), "<r@x>"
    )
    return record, [out]


def assert_chain_intact(engine, thread_id: str) -> None:
    """The thread's ledger verifies (every link, every content hash), as with single commits,
    and each message links to the one before it in order."""
    report = verify_archive(engine, thread_id=thread_id)
    assert report.ok, [p.as_dict() for p in report.problems]
    messages = archive.messages_of(engine, thread_id)
    assert report.records >= 3 * len(messages)  # message, decision, outgoing copy each
    assert all(m.chain_hash for m in messages)
    assert len({m.chain_hash for m in messages}) == len(messages)


def test_batch_stores_every_message_with_its_jobs_and_chain(engine):
    threads = [new_thread(engine, f"th_{i}") for i in range(3)]
    items = [item(threads[n % 3], n) for n in range(12)]
    ids = store_batch(engine, items)
    assert all(isinstance(i, int) for i in ids)
    assert len(set(ids)) == 12
    for message_id, (record, _out) in zip(ids, items, strict=True):
        stored = archive.get_message(engine, message_id)
        assert stored.raw == record.raw
        assert stored.thread_id == record.thread_id
        assert len(archive.deliveries_of(engine, message_id)) == 1
    for thread_id in threads:
        assert len(archive.messages_of(engine, thread_id)) == 4
        assert_chain_intact(engine, thread_id)


def test_a_failing_message_fails_alone(engine):
    """An unknown thread makes add_message raise: that caller gets the error, the rest commit."""
    good = new_thread(engine, "th_good")
    items = [item(good, 1), item("th_missing", 2), item(good, 3)]
    results = store_batch(engine, items)
    assert isinstance(results[0], int)
    assert isinstance(results[2], int)
    assert isinstance(results[1], NoResultFound)
    assert [m.raw for m in archive.messages_of(engine, good)] == [items[0][0].raw, items[2][0].raw]
    assert_chain_intact(engine, good)


def test_a_refused_outbox_row_fails_only_its_message(engine):
    """A database trigger refuses one message's delivery row (bodies are sealed: by its token): that message alone is rolled back."""
    thread_id = new_thread(engine, "th_mixed")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON delivery WHEN NEW.verp_token = 'tokth_mixed2' "
                "BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "IF NEW.verp_token = 'tokth_mixed2' THEN RAISE EXCEPTION 'no'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON delivery FOR EACH ROW "
                "EXECUTE FUNCTION refuse()"
            )
    items = [item(thread_id, n) for n in (1, 2, 3)]
    results = store_batch(engine, items)
    assert isinstance(results[0], int)
    assert isinstance(results[1], Exception)
    assert isinstance(results[2], int)
    stored = archive.messages_of(engine, thread_id)
    assert [m.raw for m in stored] == [items[0][0].raw, items[2][0].raw]
    assert [len(archive.deliveries_of(engine, m.id)) for m in stored] == [1, 1]
    assert_chain_intact(engine, thread_id)


async def test_concurrent_stores_share_transactions(engine):
    """40 callers at once: every one gets its own id, in far fewer transactions than 40."""
    thread_id = new_thread(engine, "th_busy")
    db = Database(engine)
    committer = GroupCommitter(db)
    try:
        ids = await asyncio.gather(*(committer.store(*item(thread_id, n)) for n in range(40)))
    finally:
        await asyncio.to_thread(db._pool.shutdown)
    assert len(set(ids)) == 40
    assert 1 <= committer.batches < 40
    stored = archive.messages_of(engine, thread_id)
    assert sorted(m.id for m in stored) == sorted(ids)
    assert_chain_intact(engine, thread_id)


async def test_a_failed_commit_fails_every_caller_and_stores_nothing(engine):
    """A trigger refuses outbox rows: every caller hears it, nothing is stored.

    On PostgreSQL the trigger is deferred, so the COMMIT of the whole batch is what fails.
    """
    thread_id = new_thread(engine, "th_refused")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON delivery BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no'; END $$"
                " LANGUAGE plpgsql"
            )
            # Deferred: it fires at COMMIT, after every message of the batch was added.
            conn.exec_driver_sql(
                "CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON delivery DEFERRABLE INITIALLY "
                "DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    db = Database(engine)
    committer = GroupCommitter(db)
    try:
        results = await asyncio.gather(
            *(committer.store(*item(thread_id, n)) for n in range(10)), return_exceptions=True
        )
    finally:
        await asyncio.to_thread(db._pool.shutdown)
    assert all(isinstance(r, Exception) for r in results)
    assert archive.messages_of(engine, thread_id) == []


def test_orm_and_core_writers_of_one_chain_in_one_transaction_agree(engine):
    """An audit entry chained through the ORM Thread, a message through lock_chain, another
    audit through the same (now stale) Thread object: the chain still verifies."""
    tid = new_thread(engine, "th_mix")

    def audit() -> AuditEvent:
        return AuditEvent(actor="t", action="x", target_type="thread", target_id=tid)

    with session_scope(engine) as session:
        thread = ledger.lock_thread(session, tid)
        ledger.append_audit(session, tid, "support", audit(), thread=thread)
        archive.add_message(session, *item(tid, 1))
        ledger.append_audit(session, tid, "support", audit(), thread=thread)
        archive.add_message(session, *item(tid, 2))
        assert thread.chain_length == 1 + 3 + 1 + 3  # audit, message (3 entries), audit, ..
    report = verify_archive(engine, thread_id=tid)
    assert report.ok, report
