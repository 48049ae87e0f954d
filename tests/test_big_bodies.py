"""Big bodies in the archive (storage.blobs, storage.chunks): stored, claimed and read back
byte for byte on SQLite and PostgreSQL, pieced copies hashed like joined ones, tampering seen."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import text

from storage import bodies
from storage.archive import (
    MessageRecord,
    OutgoingRecord,
    add_message,
    deliveries_of,
    get_message,
    store_message,
)
from storage.chunks import Chunks
from storage.db import session_scope
from storage.outbox import claim_due
from tests.record_helpers import migrated_engine, new_thread

BIG = 3 * 1024 * 1024 + 123  # over storage.blobs.STREAM_BYTES, not a multiple of a window


@pytest.fixture
def engine(db_url):
    engine = migrated_engine(db_url)
    yield engine
    engine.dispose()


def store_big(engine, thread_id: str = "th_rec") -> tuple[int, bytes, Chunks]:
    thread_id = new_thread(engine, thread_id)
    raw = b"From: ann@example.org\r\n\r\n" + os.urandom(BIG)
    copy = Chunks([b"DKIM-Signature: x\r\n", memoryview(raw)[5:], b"\r\nfooter\r\n"])
    message_id = store_message(
        engine,
        MessageRecord(thread_id=thread_id, raw=raw, index_text="big"),
        [
            OutgoingRecord(
                recipient="bo@example.net",
                recipient_id=None,
                envelope_from="bounce@relay.example",
                verp_token=f"tok-{thread_id}",
                data=copy,
                relayed_message_id="<r@relay.example>",
            )
        ],
    )
    return message_id, raw, copy


def test_big_bodies_are_stored_claimed_and_read_back_byte_for_byte(engine):
    message_id, raw, copy = store_big(engine)
    joined = copy.join()
    assert get_message(engine, message_id).raw == raw
    stored = deliveries_of(engine, message_id)[0]
    assert stored.outgoing == joined
    assert stored.outgoing_sha256 == hashlib.sha256(joined).hexdigest()
    (job,) = claim_due(engine, "worker-1", lease_seconds=30, limit=5)
    assert bytes(job.outgoing) == joined


def test_a_changed_byte_in_a_big_sealed_copy_is_detected_when_claimed(engine):
    store_big(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "UPDATE delivery SET outgoing = CAST(substr(outgoing, 1, 100) || x'00' "
                    "|| substr(outgoing, 102) AS BLOB)"
                )
            )
        else:
            connection.execute(
                text(
                    "UPDATE delivery SET outgoing = overlay(outgoing placing '\\x00'::bytea "
                    "from 101 for 1)"
                )
            )
    with pytest.raises(bodies.BodyTampered):
        claim_due(engine, "worker-1", lease_seconds=30, limit=5)


def test_big_bodies_after_a_rolled_back_one_on_the_same_connection(engine):
    """A big body written and rolled back leaves nothing behind (PostgreSQL: its COPY table);
    the next transactions on the same pooled connection write theirs normally."""
    thread_id = new_thread(engine, "th_roll")
    raw = b"From: ann@example.org\r\n\r\n" + os.urandom(BIG)

    def store_then_fail() -> None:
        with session_scope(engine) as session:
            add_message(session, MessageRecord(thread_id=thread_id, raw=raw, index_text="x"), [])
            raise RuntimeError("after the body")

    with pytest.raises(RuntimeError, match="after the body"):
        store_then_fail()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM message")).scalar_one() == 0
    first, raw_one, _ = store_big(engine, "th_one")
    second, raw_two, copy_two = store_big(engine, "th_two")
    assert get_message(engine, first).raw == raw_one
    assert get_message(engine, second).raw == raw_two
    assert deliveries_of(engine, second)[0].outgoing == copy_two.join()


def test_one_claim_opens_one_big_copy_and_leaves_the_others_due(engine):
    """[delivery] concurrency big copies at once would be that many full-size buffers in one
    process: a claim takes every small copy but one big one; the rest go in the next claims."""
    big_ids = [store_big(engine, f"th_big{i}")[0] for i in range(3)]
    small_thread = new_thread(engine, "th_small")
    store_message(
        engine,
        MessageRecord(thread_id=small_thread, raw=b"From: ann@example.org\r\n\r\nhi\r\n"),
        [
            OutgoingRecord(
                recipient="bo@example.net",
                recipient_id=None,
                envelope_from="bounce@relay.example",
                verp_token="tok-small",
                data=b"small copy\r\n",
                relayed_message_id="<s@relay.example>",
            )
        ],
    )
    first = claim_due(engine, "worker-1", lease_seconds=30, limit=5)
    assert sorted(len(job.outgoing) > BIG for job in first) == [False, True]
    assert [job.message_id for job in first if len(job.outgoing) > BIG] == big_ids[:1]
    second = claim_due(engine, "worker-1", lease_seconds=30, limit=5)
    third = claim_due(engine, "worker-1", lease_seconds=30, limit=5)
    assert [job.message_id for job in second + third] == big_ids[1:]
    assert claim_due(engine, "worker-1", lease_seconds=30, limit=5) == []
    with engine.connect() as connection:  # each claimed once: the skipped ones were not leased
        attempts = connection.execute(text("SELECT attempts FROM delivery")).scalars().all()
    assert attempts == [1, 1, 1, 1]
